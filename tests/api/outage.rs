//! Issue 7, readiness that matches what a replica can serve: with its rates
//! in memory, a replica keeps answering `/rates` and stays ready through a
//! database outage; endpoints that need the database say 503 in JSON; all
//! recover without a restart.

use std::time::{Duration, Instant};

use crate::{
    cli::rates_command,
    evidence::{RATES_QUERY, env},
    fakes::eventually,
    process::Served,
    shutdown::stoppable_database,
};

#[tokio::test]
async fn a_ten_second_outage_is_served_through_and_recovered_from() {
    let mut cluster = stoppable_database().await;
    let mut served = Served::start(
        rates_command(),
        // Requests that need the database give up after a second.
        &env(&[
            ("DATABASE_URL", &cluster.url),
            ("RATES_DB_ACQUIRE_TIMEOUT_SECS", "1"),
        ]),
        None,
    );
    served.wait_ready().await;
    let before: serde_json::Value = served.get(RATES_QUERY).await.unwrap().json().await.unwrap();

    cluster.stop().await;
    let outage = Instant::now();
    let (mut checks, mut unreachable_seen) = (0, false);
    while outage.elapsed() < Duration::from_secs(10) {
        let rates = served.get(RATES_QUERY).await.unwrap();
        assert_eq!(rates.status(), 200, "/rates during the outage");
        assert_eq!(rates.json::<serde_json::Value>().await.unwrap(), before);

        let (status, ready) = served.readyz().await;
        assert_eq!(status, 200, "/readyz during the outage: {ready}");
        unreachable_seen |= ready["database"] == "unreachable";

        let regions = served.get("/regions/china_main").await.unwrap();
        if regions.status() != 200 {
            assert_eq!(regions.status(), 503);
            let body: serde_json::Value = regions.json().await.expect("a JSON error body");
            assert!(
                body["error"].as_str().unwrap().contains("database"),
                "{body}"
            );
        }
        checks += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        unreachable_seen,
        "/readyz never said the database was unreachable"
    );
    let regions = served.get("/regions/china_main").await.unwrap();
    assert_eq!(
        regions.status(),
        503,
        "the database is down, yet /regions answered"
    );
    eprintln!("outage of 10 s: {checks} rounds of /rates, /readyz and /regions");
    assert!(checks >= 5, "{checks}");

    cluster.restart().await;
    eventually(
        "/regions to answer again",
        Duration::from_secs(30),
        async || {
            served
                .get("/regions/china_main")
                .await
                .is_ok_and(|r| r.status() == 200)
        },
    )
    .await;
    // Changes made after the outage reach the replica too.
    let pool = sqlx::PgPool::connect(&cluster.url).await.unwrap();
    sqlx::query("INSERT INTO prices VALUES ('CNSHA', 'CNNGB', '2024-01-07', 5)")
        .execute(&pool)
        .await
        .unwrap();
    let count = |body: &serde_json::Value| body["rates"][0]["count"].as_u64();
    let old = count(&before);
    eventually(
        "the new price to be served",
        Duration::from_secs(30),
        async || {
            let body: serde_json::Value =
                served.get(RATES_QUERY).await.unwrap().json().await.unwrap();
            count(&body) != old
        },
    )
    .await;
    let (status, ready) = served.readyz().await;
    assert_eq!(
        (status, ready["database"].as_str()),
        (200, Some("reachable"))
    );
    served.stop().await;
}

/// A database that is not up yet: the server is alive at once, says in one
/// line why it is not ready (where it tried, and what happened), keeps
/// trying, and becomes ready when the database comes.
#[tokio::test]
async fn an_unreachable_database_at_start_is_retried_and_explained() {
    let mut cluster = stoppable_database().await;
    cluster.stop().await;
    let mut served = Served::start(
        rates_command(),
        &env(&[("DATABASE_URL", &cluster.url)]),
        None,
    );
    served.wait_for(503, Duration::from_secs(30)).await;
    assert_eq!(served.get("/livez").await.unwrap().status(), 200);
    eventually("/readyz to say why", Duration::from_secs(30), async || {
        let (_, body) = served.readyz().await;
        body["reason"]
            .as_str()
            .is_some_and(|r| r.contains("connection refused"))
    })
    .await;
    let (_, body) = served.readyz().await;
    let reason = body["reason"].as_str().unwrap();
    let expected = format!(
        "database unreachable: 127.0.0.1:{} (database rates, user rates): connection refused",
        cluster.port
    );
    assert_eq!(reason, expected);
    assert!(!reason.contains('\n'));

    cluster.restart().await;
    served.wait_for(200, Duration::from_secs(60)).await;
    served.stop().await;
}
