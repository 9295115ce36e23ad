//! A proxy between the browser and the app that can slow an answer down,
//! answer like a broken gateway (a non-JSON 502), or hang up: the failures
//! the explorer must survive. One request per connection, so hanging up on
//! one request affects no other.

use std::{sync::Arc, time::Duration};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;

/// What the proxy does with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Pass,
    Delay(Duration),
    BadGateway,
    HangUp,
}

pub struct Proxy {
    pub address: String,
}

type Rule = Arc<dyn Fn(&str) -> Behaviour + Send + Sync>;

/// Serves on a free port, forwarding to `upstream` (`http://host:port`);
/// `rule` sees each request's path and query.
pub async fn spawn(
    upstream: &str,
    rule: impl Fn(&str) -> Behaviour + Send + Sync + 'static,
) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let upstream: Arc<str> = upstream.into();
    let rule: Rule = Arc::new(rule);
    let client = reqwest::Client::new();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let (upstream, rule, client) = (upstream.clone(), rule.clone(), client.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    forward(request, upstream.clone(), rule.clone(), client.clone())
                });
                // A hang-up ends the connection with an error: ignored.
                let _ = http1::Builder::new()
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Proxy { address }
}

#[derive(Debug)]
struct HungUp;

impl std::fmt::Display for HungUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("hung up on purpose")
    }
}

impl std::error::Error for HungUp {}

async fn forward(
    request: Request<Incoming>,
    upstream: Arc<str>,
    rule: Rule,
    client: reqwest::Client,
) -> Result<Response<Full<Bytes>>, HungUp> {
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    match rule(&target) {
        Behaviour::Pass => {}
        Behaviour::Delay(by) => tokio::time::sleep(by).await,
        Behaviour::BadGateway => {
            let body = Full::new(Bytes::from_static(
                b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            ));
            let response = Response::builder()
                .status(502)
                .header("content-type", "text/html")
                .body(body)
                .unwrap();
            return Ok(response);
        }
        Behaviour::HangUp => return Err(HungUp),
    }
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut outgoing = client
        .request(parts.method, format!("{upstream}{target}"))
        .body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "connection" {
            outgoing = outgoing.header(name, value);
        }
    }
    let Ok(answer) = outgoing.send().await else {
        return Err(HungUp);
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !matches!(
            name.as_str(),
            "connection" | "transfer-encoding" | "content-length" | "keep-alive"
        ) {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    Ok(response.body(Full::new(bytes)).unwrap())
}
