//! The HTTP transport the Azure clients use: hyper over rustls with the
//! `ring` provider and the system's roots (what sqlx and the AWS SDK use too,
//! so there is one TLS stack), and, for Key Vault emulators and tests only, a
//! redirect of one host's https requests to a plain-HTTP base URL. The Key
//! Vault client refuses plain http itself, so the redirect happens below it,
//! after the bearer token is attached.

use std::{collections::HashMap, sync::Arc, time::Duration};

use azure_core::{
    error::{Error, ErrorKind},
    http::{
        AsyncRawResponse, Body, HttpClient, Request, Url,
        headers::{HeaderName, HeaderValue, Headers},
    },
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Transport {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    redirect: Option<(String, Url)>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("redirect", &self.redirect)
            .finish_non_exhaustive()
    }
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

    fn target(&self, url: &Url) -> Url {
        let mut url = url.clone();
        if let Some((host, to)) = &self.redirect
            && url.host_str() == Some(host.as_str())
        {
            // Both are valid URLs with hosts: setting parts of one from the
            // other cannot fail.
            let _ = url.set_scheme(to.scheme());
            let _ = url.set_host(to.host_str());
            let _ = url.set_port(to.port_or_known_default());
        }
        url
    }
}

fn client() -> Client<HttpsConnector<HttpConnector>, Full<Bytes>> {
    let tls = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(Arc::new(rustls::crypto::ring::default_provider()))
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "no system TLS roots; https requests will fail");
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(
                rustls::ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
            )
        })
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .build();
    Client::builder(TokioExecutor::new()).build(tls)
}

fn io_error(
    message: impl Into<String>,
) -> impl FnOnce(Box<dyn std::error::Error + Send + Sync>) -> Error {
    let message = message.into();
    move |e| Error::with_message(ErrorKind::Io, format!("{message}: {e}"))
}

#[async_trait::async_trait]
impl HttpClient for Transport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let url = self.target(request.url());
        let method = http::Method::from_bytes(request.method().as_ref().as_bytes())
            .map_err(|e| Error::with_message(ErrorKind::Other, e.to_string()))?;
        let body = match request.body() {
            Body::Bytes(bytes) => bytes.clone(),
            Body::SeekableStream(_) => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    "streaming request bodies are not supported",
                ));
            }
        };
        let mut builder = http::Request::builder().method(method).uri(url.as_str());
        for (name, value) in request.headers().iter() {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let outgoing = builder
            .body(Full::new(body))
            .map_err(|e| Error::with_message(ErrorKind::Other, e.to_string()))?;
        let exchange = async {
            let response = self
                .client
                .request(outgoing)
                .await
                .map_err(|e| io_error("request failed")(Box::new(e)))?;
            let (parts, body) = response.into_parts();
            let bytes = body
                .collect()
                .await
                .map_err(|e| io_error("reading the response")(Box::new(e)))?
                .to_bytes();
            Ok::<_, Error>((parts, bytes))
        };
        let (parts, bytes) = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| Error::with_message(ErrorKind::Io, "request timed out"))??;
        let headers: HashMap<HeaderName, HeaderValue> = parts
            .headers
            .iter()
            .filter_map(|(k, v)| {
                let value = v.to_str().ok()?;
                Some((
                    HeaderName::from(k.as_str().to_owned()),
                    HeaderValue::from(value.to_owned()),
                ))
            })
            .collect();
        let stream = futures_util::stream::once(async move { Ok(bytes) });
        Ok(AsyncRawResponse::new(
            parts.status.as_u16().into(),
            Headers::from(headers),
            Box::pin(stream),
        ))
    }
}
