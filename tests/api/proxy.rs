//! Issue 7: two replicas behind a real reverse proxy (Debian's nginx),
//! restarted one after the other under load, fail no request.

use std::{
    path::Path,
    process::Stdio,
    sync::{Arc, atomic::AtomicBool},
    time::Duration,
};

use crate::{
    cli::rates_command,
    evidence::{env, load, seeded_database},
    fakes::eventually,
    process::Served,
    support::{free_port, required_file},
};

/// The proxy in front of both replicas, configured as the README advises for
/// a proxy without active health checks: a replica that refuses
/// connections, drops one mid-request, or answers 503 (warming up) is skipped
/// for that request (GETs are idempotent).
fn nginx_conf(dir: &Path, listen: u16, replicas: [u16; 2]) -> String {
    let d = dir.display();
    format!(
        "daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log notice;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    upstream rates {{
        server 127.0.0.1:{a} max_fails=0;
        server 127.0.0.1:{b} max_fails=0;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://rates;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout http_503;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
",
        a = replicas[0],
        b = replicas[1],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_restarted_one_after_the_other_behind_nginx_fail_no_request() {
    // CI installs nginx (`.ci/rust.sh`).
    let Some(nginx) = required_file("/usr/sbin/nginx", "apt-get install nginx-light") else {
        return;
    };
    let (_, url) = seeded_database().await;
    let replica_env = env(&[
        ("DATABASE_URL", &url),
        ("RATES_SHUTDOWN_DELAY_SECS", "1"),
        ("RATES_SHUTDOWN_GRACE_SECS", "5"),
    ]);
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mut replica = Served::start(rates_command(), &replica_env, None);
        replica.wait_ready().await;
        replicas.push(replica);
    }

    let dir = tempfile::tempdir().unwrap();
    let listen = free_port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        nginx_conf(dir.path(), listen, [replicas[0].port, replicas[1].port]),
    )
    .unwrap();
    let mut proxy = tokio::process::Command::new(nginx)
        .args([
            "-p",
            dir.path().to_str().unwrap(),
            "-c",
            conf.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{listen}");
    eventually(
        "nginx to proxy /readyz",
        Duration::from_secs(10),
        async || {
            reqwest::get(format!("{base}/readyz"))
                .await
                .is_ok_and(|r| r.status() == 200)
        },
    )
    .await;

    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&base, 16, stop.clone());
    for (i, old) in replicas.iter_mut().enumerate() {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let port = old.port;
        let (took, status) = old.terminate(Duration::from_secs(15)).await;
        assert!(status.success(), "replica {i}: {status}");
        eprintln!("replica {i} (port {port}) stopped in {took:?}");
        let mut restarted = Served::start_on(rates_command(), &replica_env, port);
        restarted.wait_ready().await;
        *old = restarted;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (made, failed) = clients.await.unwrap();
    eprintln!("two replicas restarted behind nginx: {made} requests, {failed} failed");
    assert_eq!(
        failed,
        0,
        "{}",
        std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
    );
    assert!(made > 200, "{made}");
    // SIGTERM: the master stops its workers too (SIGKILL would orphan them).
    let pid = nix::unistd::Pid::from_raw(proxy.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(10), proxy.wait()).await;
    for replica in replicas {
        replica.stop().await;
    }
}
