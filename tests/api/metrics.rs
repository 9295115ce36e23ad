//! Issue 11, metrics: `/metrics` counts what the server does, on the main
//! listener or only on `metrics_listen`, and a real Prometheus scrapes it.

use std::{process::Stdio, time::Duration};

use serde_json::Value;

use crate::{
    cli::rates_command,
    evidence::{RATES_QUERY, env, seeded_database},
    fakes::eventually,
    process::Served,
    support::{Dataset, free_port, required_file, spawn_app, spawn_app_configured},
};

/// The value of the series `name{labels}` in a scrape (labels as written).
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn requests_the_read_model_and_the_cache_are_counted() {
    let app = spawn_app().await;
    let scrape = || async { app.get("/metrics").await.text().await.unwrap() };
    let before = scrape().await;
    let series =
        r#"rates_http_requests_total{method="GET",route="/ports/{code}",status_class="4xx"}"#;
    let old = sample(&before, series).unwrap_or(0.0);
    for _ in 0..3 {
        assert_eq!(app.get("/ports/NOPE1").await.status(), 404);
    }
    let after = scrape().await;
    assert_eq!(sample(&after, series), Some(old + 3.0), "{after}");
    let response = app.get("/metrics").await;
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    for series in [
        "rates_read_model_loaded",
        "rates_ready",
        "rates_db_up",
        "rates_read_model_sync_age_seconds",
        "rates_db_pool_max_connections",
        r#"rates_credentials_info{source="static"}"#,
    ] {
        assert!(
            sample(&after, series).is_some(),
            "{series} missing:\n{after}"
        );
    }
    assert!(after.contains(r#"rates_http_request_duration_seconds_bucket{method="GET",route="/ports/{code}",le="0.0001"}"#));
    // Nothing that is not public: the URL of this test holds a password.
    let url = app.database_url().await;
    let password = url.split('@').next().unwrap().rsplit(':').next().unwrap();
    assert!(!after.contains(password));
}

#[tokio::test]
async fn metrics_can_move_to_a_listener_of_their_own() {
    let (_, url) = seeded_database().await;
    let metrics_port = free_port();
    let mut served = Served::start(
        rates_command(),
        &env(&[
            ("DATABASE_URL", &url),
            ("RATES_METRICS_LISTEN", &format!("127.0.0.1:{metrics_port}")),
        ]),
        None,
    );
    served.wait_ready().await;
    assert_eq!(
        served.get("/metrics").await.unwrap().status(),
        404,
        "not on the public listener"
    );
    let scrape = reqwest::get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .await
        .unwrap();
    assert_eq!(scrape.status(), 200);
    assert!(scrape.text().await.unwrap().contains("rates_build_info"));
    served.stop().await;

    // Off: no route (and, in `rates serve`, no recorder either).
    let off = spawn_app_configured(Dataset::Empty, "", |s| s.metrics = false)
        .await
        .unwrap();
    assert_eq!(off.get("/metrics").await.status(), 404);
}

/// A real Prometheus scrapes a running server once a second: it finds the
/// request counters and a fresh read model.
#[tokio::test]
async fn prometheus_scrapes_the_server() {
    // The Debian `prometheus` binary; CI installs it.
    let Some(binary) = required_file("/usr/bin/prometheus", "apt-get install prometheus") else {
        return;
    };
    let (_, url) = seeded_database().await;
    let mut served = Served::start(rates_command(), &env(&[("DATABASE_URL", &url)]), None);
    served.wait_ready().await;

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: rates\n    static_configs:\n      - targets: ['127.0.0.1:{}']\n",
            served.port
        ),
    )
    .unwrap();
    let web = free_port();
    let mut prometheus = tokio::process::Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..20 {
        assert_eq!(served.get(RATES_QUERY).await.unwrap().status(), 200);
    }
    let query = |q: &'static str| {
        let mut url = url::Url::parse(&format!("http://127.0.0.1:{web}/api/v1/query")).unwrap();
        url.query_pairs_mut().append_pair("query", q);
        async move {
            let body: Value = reqwest::Client::new()
                .get(url)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            body["data"]["result"][0]["value"][1]
                .as_str()?
                .parse::<f64>()
                .ok()
        }
    };
    eventually(
        "Prometheus to have scraped the requests",
        Duration::from_secs(60),
        async || {
            query(r#"sum(rates_http_requests_total{route="/rates",status_class="2xx"})"#)
                .await
                .is_some_and(|n| n >= 20.0)
        },
    )
    .await;
    let age = query("max(rates_read_model_sync_age_seconds)")
        .await
        .unwrap();
    assert!((0.0..30.0).contains(&age), "sync age {age}");
    assert_eq!(query(r#"up{job="rates"}"#).await, Some(1.0));
    assert_eq!(query("rates_ready").await, Some(1.0));
    let lane_days = query("rates_read_model_entries").await.unwrap();
    assert!(lane_days > 0.0);
    let _ = prometheus.start_kill();
    let _ = prometheus.wait().await;
    served.stop().await;
}
