//! The HTTP transport the Azure clients use: reqwest over rustls with the
//! `ring` provider (the one sqlx already uses, so no second TLS stack), and,
//! for Key Vault emulators and tests only, a redirect of one host's https
//! requests to a plain-HTTP base URL. The client refuses plain http itself,
//! so the redirect happens below it, after authentication headers are set.

use std::sync::Arc;

use azure_core::http::{AsyncRawResponse, HttpClient, Request, Url};

#[derive(Debug)]
pub struct Transport {
    client: reqwest::Client,
    redirect: Option<(String, Url)>,
}

impl Transport {
    /// A transport that sends requests where they are addressed.
    pub fn direct() -> Arc<dyn HttpClient> {
        Arc::new(Self {
            client: client(),
            redirect: None,
        })
    }

    /// Requests to `host` go to `to` (scheme, host and port) instead.
    pub fn redirecting(host: &str, to: Url) -> Arc<dyn HttpClient> {
        Arc::new(Self {
            client: client(),
            redirect: Some((host.to_owned(), to)),
        })
    }

    /// The client options every Azure client and credential here gets.
    pub fn client_options(transport: Arc<dyn HttpClient>) -> azure_core::http::ClientOptions {
        azure_core::http::ClientOptions {
            transport: Some(azure_core::http::Transport::new(transport)),
            ..Default::default()
        }
    }
}

/// reqwest needs a process-wide rustls provider when built without its own.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn client() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        // Azure's REST guidelines use no redirects; following one could send
        // a bearer token elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("building the HTTP client")
}

#[async_trait::async_trait]
impl HttpClient for Transport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        match &self.redirect {
            Some((host, to)) if request.url().host_str() == Some(host.as_str()) => {
                let mut redirected = request.clone();
                let url = redirected.url_mut();
                // Both are valid URLs with hosts; setting parts of one from
                // the other cannot fail.
                let _ = url.set_scheme(to.scheme());
                let _ = url.set_host(to.host_str());
                let _ = url.set_port(to.port_or_known_default());
                self.client.execute_request(&redirected).await
            }
            _ => self.client.execute_request(request).await,
        }
    }
}
