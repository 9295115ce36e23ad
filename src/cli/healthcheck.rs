//! `rates healthcheck`: asks the local server's `/readyz`, for images that
//! have no curl. A bare HTTP/1.0 request is all this needs.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    process::ExitCode,
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{config::Settings, http::READINESS_PATH};

pub async fn run(settings: &Settings) -> ExitCode {
    let address = loopback_address(settings.listen);
    match tokio::time::timeout(Duration::from_secs(5), status_of(address)).await {
        Ok(Ok(200)) => ExitCode::SUCCESS,
        Ok(Ok(status)) => {
            eprintln!("not ready: {READINESS_PATH} answered {status}");
            ExitCode::FAILURE
        }
        Ok(Err(e)) => {
            eprintln!("not ready: {address}: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("not ready: {address} did not answer within 5 s");
            ExitCode::FAILURE
        }
    }
}

/// A wildcard listen address is reached through loopback.
fn loopback_address(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, listen.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, listen.port()).into(),
        _ => listen,
    }
}

async fn status_of(address: SocketAddr) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!("GET {READINESS_PATH} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut head = [0u8; 32];
    let n = stream.read(&mut head).await?;
    // "HTTP/1.1 200 OK"
    std::str::from_utf8(&head[..n])
        .ok()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_listen_addresses_map_to_loopback() {
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(
            loopback_address(addr("0.0.0.0:3000")),
            addr("127.0.0.1:3000")
        );
        assert_eq!(loopback_address(addr("[::]:8080")), addr("[::1]:8080"));
        assert_eq!(
            loopback_address(addr("10.1.2.3:3000")),
            addr("10.1.2.3:3000")
        );
    }
}
