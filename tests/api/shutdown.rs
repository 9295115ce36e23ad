//! Issue 7, shutdown for load balancers: `/readyz` turns "draining" at once,
//! requests are served through the shutdown delay, in-flight requests are
//! answered with `Connection: close`, and the process exits 0 within
//! delay + grace + 1 s, whatever state the database is in.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{
    cli::rates_command,
    evidence::{RATES_QUERY, env, seeded_database},
    process::Served,
    support::PrivateCluster,
};

/// Clients on keep-alive connections until a stand-in load balancer, polling
/// `/readyz` every 100 ms, sees "draining" and stops sending (as a target
/// group or a Kubernetes endpoint list would): (made, failed, responses that
/// carried `Connection: close`).
fn keep_alive_load(base: &str, clients: usize) -> tokio::task::JoinHandle<(u64, u64, u64)> {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new([AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)]);
    let balancer = {
        let (stop, url) = (stop.clone(), format!("{base}/readyz"));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for _ in 0..600 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let draining = match client.get(&url).send().await {
                    Ok(r) => r
                        .json::<serde_json::Value>()
                        .await
                        .is_ok_and(|b| b["status"] == "draining"),
                    Err(_) => true,
                };
                if draining {
                    break;
                }
            }
            stop.store(true, Ordering::Relaxed);
        })
    };
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (stop, counts, url) =
                (stop.clone(), counts.clone(), format!("{base}{RATES_QUERY}"));
            tokio::spawn(async move {
                // One client each: its own keep-alive connection, reopened
                // when an answer says `Connection: close`.
                let client = reqwest::Client::new();
                for _ in 0..100_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    counts[0].fetch_add(1, Ordering::Relaxed);
                    match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => {
                            if r.headers().get("connection").is_some_and(|v| v == "close") {
                                counts[2].fetch_add(1, Ordering::Relaxed);
                            }
                            let _ = r.bytes().await;
                        }
                        other => {
                            eprintln!("failed request: {other:?}");
                            counts[1].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    tokio::spawn(async move {
        for task in tasks {
            task.await.unwrap();
        }
        balancer.await.unwrap();
        let n = |i: usize| counts[i].load(Ordering::Relaxed);
        (n(0), n(1), n(2))
    })
}

fn serve_env(url: &str, delay: u64, grace: u64) -> Vec<(String, String)> {
    env(&[
        ("DATABASE_URL", url),
        ("RATES_SHUTDOWN_DELAY_SECS", &delay.to_string()),
        ("RATES_SHUTDOWN_GRACE_SECS", &grace.to_string()),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_keep_alive_load_fails_no_request() {
    let (_, url) = seeded_database().await;
    let (delay, grace) = (2, 5);
    let mut served = Served::start(rates_command(), &serve_env(&url, delay, grace), None);
    served.wait_ready().await;
    let load = keep_alive_load(&served.base, 32);
    tokio::time::sleep(Duration::from_secs(1)).await;

    let (took, status) = served
        .terminate(Duration::from_secs(delay + grace + 5))
        .await;
    let (made, failed, closed) = load.await.unwrap();
    eprintln!(
        "SIGTERM under load: {made} requests, {failed} failed, {closed} answered with Connection: close; exit after {took:?}"
    );
    assert!(status.success(), "{status}\n{}", served.logs());
    assert_eq!(failed, 0);
    assert!(made > 100, "{made}");
    assert!(
        closed > 0,
        "no answer during the delay said Connection: close"
    );
    assert!(
        took >= Duration::from_secs(delay),
        "stopped before the delay: {took:?}"
    );
    assert!(took <= Duration::from_secs(delay + grace + 1), "{took:?}");
}

/// A request whose headers are still arriving when the listener closes is
/// answered, with `Connection: close`.
#[tokio::test]
async fn a_request_in_flight_when_the_listener_closes_is_answered() {
    let (_, url) = seeded_database().await;
    let delay = 1;
    let mut served = Served::start(rates_command(), &serve_env(&url, delay, 5), None);
    served.wait_ready().await;
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", served.port))
        .await
        .unwrap();
    let request = format!("GET {RATES_QUERY} HTTP/1.1\r\nHost: localhost\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    served.signal(nix::sys::signal::Signal::SIGTERM);
    // Past the delay the listener closes, with this request in flight.
    crate::fakes::eventually(
        "the listener to close",
        Duration::from_secs(delay + 5),
        async || {
            tokio::net::TcpStream::connect(("127.0.0.1", served.port))
                .await
                .is_err()
        },
    )
    .await;
    stream.write_all(b"\r\n").await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut response))
        .await
        .expect("the in-flight request was answered and the connection closed")
        .unwrap();
    let head = response.to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{response}");
    assert!(head.contains("connection: close"), "{response}");
    let status = served.wait_exit(Duration::from_secs(10)).await.unwrap();
    assert!(status.success());
}

/// A migrated, seeded database on a cluster of its own, which the test can
/// stop (the shared one must stay up).
pub async fn stoppable_database() -> PrivateCluster {
    let cluster = PrivateCluster::start().await;
    let out = rates_command()
        .arg("migrate")
        .env("DATABASE_URL", &cluster.url)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&cluster.url)
        .await
        .unwrap();
    crate::evidence::seed(&mut conn).await;
    cluster
}

#[tokio::test]
async fn with_the_database_down_exit_is_still_within_delay_grace_and_a_second() {
    let mut cluster = stoppable_database().await;
    let (delay, grace) = (1, 2);
    let mut served = Served::start(
        rates_command(),
        &serve_env(&cluster.url, delay, grace),
        None,
    );
    served.wait_ready().await;
    cluster.stop().await;
    // Requests that wait on the unreachable database are in flight.
    let base = served.base.clone();
    let waiting = tokio::spawn(async move {
        let _ = reqwest::get(format!("{base}/regions/china_main")).await;
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (took, status) = served
        .terminate(Duration::from_secs(delay + grace + 10))
        .await;
    eprintln!("exit with the database down: {took:?} (delay {delay} s, grace {grace} s)");
    assert!(status.success(), "{status}\n{}", served.logs());
    assert!(
        took <= Duration::from_secs(delay + grace + 1),
        "{took:?}\n{}",
        served.logs()
    );
    waiting.await.unwrap();
}

#[tokio::test]
async fn the_embedded_database_stops_within_the_bound_too() {
    let dir = tempfile::Builder::new()
        .prefix("rates-embedded-")
        .tempdir_in(std::env::temp_dir())
        .unwrap();
    let data_dir = dir.path().join("data");
    let env = env(&[
        ("RATES_EMBEDDED_DATA_DIR", data_dir.to_str().unwrap()),
        ("RATES_SHUTDOWN_GRACE_SECS", "1"),
    ]);
    let mut served = Served::start(rates_command(), &env, None);
    served.wait_ready().await;
    let postmaster = std::fs::read_to_string(data_dir.join("pgdata/postmaster.pid")).unwrap();
    let postmaster: i32 = postmaster.lines().next().unwrap().trim().parse().unwrap();
    let started = Instant::now();
    let (took, status) = served.terminate(Duration::from_secs(10)).await;
    eprintln!("embedded exit: {took:?}");
    assert!(status.success());
    assert!(took <= Duration::from_secs(2), "{took:?}");
    let gone = nix::sys::signal::kill(nix::unistd::Pid::from_raw(postmaster), None).is_err();
    assert!(
        gone,
        "PostgreSQL outlived rates ({:?} after SIGTERM)",
        started.elapsed()
    );
}
