//! Issue 7, connection hygiene: idle and half-sent connections are closed,
//! and a client holding more connections than the file limit allows cannot
//! take the probes down.

use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, getrlimit, setrlimit};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    cli::rates_command,
    evidence::{env, seeded_database},
    fakes::eventually,
    process::Served,
};

/// How long until the server closes `stream` (reads to end of file).
async fn closed_after(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut buf))
        .await
        .ok()
        .map(|_| started.elapsed())
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed() {
    let (_, url) = seeded_database().await;
    let mut served = Served::start(
        rates_command(),
        &env(&[
            ("DATABASE_URL", &url),
            ("RATES_HEADER_READ_TIMEOUT_SECS", "1"),
            ("RATES_KEEP_ALIVE_TIMEOUT_SECS", "2"),
        ]),
        None,
    );
    served.wait_ready().await;
    let connect = || TcpStream::connect(("127.0.0.1", served.port));

    // Nothing sent at all.
    let mut silent = connect().await.unwrap();
    let took = closed_after(&mut silent, Duration::from_secs(10)).await;
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(3)),
        "silent: {took:?}"
    );

    // Half a request, then nothing.
    let mut half = connect().await.unwrap();
    half.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let took = closed_after(&mut half, Duration::from_secs(10)).await;
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(3)),
        "half-sent: {took:?}"
    );

    // A finished request on a keep-alive connection, then idle: closed after
    // the keep-alive timeout, not the (shorter) header timeout.
    let mut idle = connect().await.unwrap();
    idle.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let took = closed_after(&mut idle, Duration::from_secs(10)).await;
    assert!(
        took.is_some_and(|t| t > Duration::from_millis(1500) && t < Duration::from_secs(4)),
        "idle keep-alive: {took:?}"
    );
    served.stop().await;
}

/// `ulimit -n 256` and 300 idle connections: the probes still answer.
#[tokio::test]
async fn probes_answer_when_idle_connections_exceed_the_file_limit() {
    let (_, url) = seeded_database().await;
    // This test process holds the 300 connections: give it room.
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let mut cmd = rates_command();
    // SAFETY: setrlimit is async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            setrlimit(Resource::RLIMIT_NOFILE, 256, 256)?;
            Ok(())
        });
    }
    let mut served = Served::start(cmd, &env(&[("DATABASE_URL", &url)]), None);
    served.wait_ready().await;

    let mut held = Vec::new();
    for _ in 0..300 {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", served.port)).await {
            held.push(stream);
        }
    }
    assert!(held.len() >= 256, "only {} connections opened", held.len());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    for path in ["/livez", "/readyz"] {
        let url = format!("{}{path}", served.base);
        eventually(
            &format!("{path} to answer 200"),
            Duration::from_secs(10),
            async || {
                client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200)
            },
        )
        .await;
    }
    let logs = served.logs();
    assert!(logs.contains("capping client connections"), "{logs}");
    drop(held);
    served.stop().await;
}
