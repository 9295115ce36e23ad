//! Answers stay fresh: a committed change reaches every running replica.

use std::time::{Duration, Instant};

use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use serde_json::Value;
use tokio::process::Child;

use crate::{
    cli::serve,
    support::{free_port, spawn_app_seeded},
};

const SEED: &str = "INSERT INTO regions VALUES ('world', 'World', NULL), ('east', 'East', 'world');
    INSERT INTO ports VALUES ('AAAAA', 'A', 'east'), ('BBBBB', 'B', 'world');
    INSERT INTO prices VALUES ('AAAAA', 'BBBBB', '2024-01-01', 10);";

const QUERY: &str =
    "/rates?date_from=2024-01-01&date_to=2024-01-01&orig_code=world&dest_code=BBBBB";

fn replica(database_url: &str, port: u16) -> Child {
    serve(("DATABASE_URL", database_url.as_ref()), port)
}

async fn count(port: u16) -> Option<u64> {
    static CLIENT: std::sync::LazyLock<reqwest::Client> =
        std::sync::LazyLock::new(reqwest::Client::new);
    let response = CLIENT
        .get(format!("http://127.0.0.1:{port}{QUERY}"))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    body["rates"][0]["count"].as_u64()
}

/// Polls both replicas until each reports `expected`, returning how long each
/// took after `since`; `None` for one that did not within 10 s.
async fn time_until(ports: &[u16], expected: u64, since: Instant) -> Vec<Option<Duration>> {
    let mut seen = vec![None; ports.len()];
    while seen.iter().any(Option::is_none) && since.elapsed() < Duration::from_secs(10) {
        for (i, port) in ports.iter().enumerate() {
            if seen[i].is_none() && count(*port).await == Some(expected) {
                seen[i] = Some(since.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    seen
}

#[tokio::test]
async fn every_replica_follows_commits_by_any_writer() {
    let app = spawn_app_seeded(SEED).await;
    let url = app.database_url().await;
    let ports = [free_port(), free_port()];
    let mut replicas: Vec<Child> = ports.iter().map(|p| replica(&url, *p)).collect();
    for port in ports {
        app.get_json_until("/livez", |_| true).await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while count(port).await != Some(1) {
            assert!(Instant::now() < deadline, "replica on {port} never came up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // Writers of every kind: plain SQL in a transaction, a statement that
    // touches reference data, a bulk delete.
    let steps: [(&str, u64); 4] = [
        (
            "BEGIN; INSERT INTO prices VALUES ('AAAAA', 'BBBBB', '2024-01-01', 20), ('AAAAA', 'BBBBB', '2024-01-01', 30); COMMIT;",
            3,
        ),
        (
            "INSERT INTO ports VALUES ('CCCCC', 'C', 'east'); INSERT INTO prices VALUES ('CCCCC', 'BBBBB', '2024-01-01', 5);",
            4,
        ),
        (
            "UPDATE ports SET parent_slug = 'world' WHERE code = 'CCCCC';",
            4,
        ),
        ("DELETE FROM prices WHERE price >= 20;", 2),
    ];
    for (sql, expected) in steps {
        sqlx::raw_sql(sql).execute(&app.pool).await.unwrap();
        let committed = Instant::now();
        let delays = time_until(&ports, expected, committed).await;
        eprintln!("freshness after {sql:?}: {delays:?}");
        assert!(
            delays.iter().all(Option::is_some),
            "a replica never saw {sql:?}: {delays:?}"
        );
    }

    // A transaction that rolls back changes nothing anywhere: once a later
    // commit is seen, the count includes the rows the rollback would have
    // deleted (3, not 1).
    sqlx::raw_sql(
        "BEGIN; DELETE FROM prices; ROLLBACK;
         INSERT INTO prices VALUES ('AAAAA', 'BBBBB', '2024-01-01', 7);",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let delays = time_until(&ports, 3, Instant::now()).await;
    assert!(
        delays.iter().all(Option::is_some),
        "after the rollback: {delays:?}"
    );

    for replica in &mut replicas {
        kill(Pid::from_raw(replica.id().unwrap() as i32), Signal::SIGTERM).unwrap();
        assert!(replica.wait().await.unwrap().success());
    }
}

#[tokio::test]
async fn unchanged_answers_are_revalidated_with_etags() {
    let app = spawn_app_seeded(SEED).await;
    let client = reqwest::Client::new();
    let url = format!("{}{QUERY}", app.address);
    let first = client.get(&url).send().await.unwrap();
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].clone();

    let again = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);

    sqlx::query("INSERT INTO prices VALUES ('AAAAA', 'BBBBB', '2024-01-01', 20)")
        .execute(&app.pool)
        .await
        .unwrap();
    app.get_json_until(QUERY, |b| b["rates"][0]["count"] == 2)
        .await;
    let changed = client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag);
}

#[tokio::test]
async fn a_lost_listener_connection_is_recovered_without_losing_changes() {
    let app = spawn_app_seeded(SEED).await;
    app.get_json_until(QUERY, |b| b["rates"][0]["count"] == 1)
        .await;
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(killed, [true], "exactly one listener connection");

    // Written while the listener may still be reconnecting.
    sqlx::query("INSERT INTO prices VALUES ('AAAAA', 'BBBBB', '2024-01-01', 20)")
        .execute(&app.pool)
        .await
        .unwrap();
    app.get_json_until(QUERY, |b| b["rates"][0]["count"] == 2)
        .await;
}

/// A bulk change (more changed lane-days than a catch-up applies one by one)
/// is followed by a reload, and the answers equal the database's.
#[tokio::test]
async fn a_bulk_change_is_followed_by_a_reload() {
    let app = spawn_app_seeded(SEED).await;
    app.get_json_until(QUERY, |b| b["rates"][0]["count"] == 1)
        .await;
    // New ports first (a reference change, itself a reload), then only
    // prices: 12 x 12 lanes over 200 days, 28,800 changed lane-days.
    sqlx::raw_sql(
        "INSERT INTO ports SELECT 'P' || lpad(i::text, 4, '0'), 'Port ' || i, 'east'
           FROM generate_series(1, 12) i;",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let new_port = "/rates?date_from=2023-01-01&date_to=2023-01-01&orig_code=P0001&dest_code=P0002";
    app.get_json_until(new_port, |b| b["rates"][0]["count"] == 0)
        .await;
    sqlx::raw_sql(
        "INSERT INTO prices
         SELECT o.code, d.code, DATE '2023-01-01' + day, 100 + day
           FROM ports o, ports d, generate_series(0, 199) day
          WHERE o.code LIKE 'P%' AND d.code LIKE 'P%';",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let query = "/rates?date_from=2023-01-01&date_to=2023-07-19&orig_code=east&dest_code=east";
    let body = app
        .get_json_until(query, |b| b["rates"][0]["count"] == 144)
        .await;
    let expected =
        crate::support::expected_rates(&app.pool, "east", "east", "2023-01-01", "2023-07-19").await;
    crate::support::assert_rates_match(&body, &expected);
}
