use serde_json::json;

use crate::support::{Dataset, spawn_app, spawn_app_configured};

#[tokio::test]
async fn root_greets() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "message": "Hello world!" }));
}

#[tokio::test]
async fn health_reports_container_and_database_state() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "status": "Healthy!", "container": "test-container" })
    );

    app.cut_database().await;
    let (status, body) = app.get_json("/health").await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({ "status": "Unhealthy", "container": "test-container" })
    );
    app.restore_database().await;
    app.get_json_until("/health", |body| body["status"] == "Healthy!")
        .await;
}

#[tokio::test]
async fn livez_does_not_need_the_database() {
    let app = spawn_app().await;
    app.cut_database().await;
    let (status, body) = app.get_json("/livez").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "alive");
}

#[tokio::test]
async fn readyz_requires_applied_migrations() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "reachable");

    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body["reason"], "migrations not applied");
}

/// A replica with its rates in memory keeps serving them through a short
/// outage, and says so; past `max_staleness_secs` it is not ready.
#[tokio::test]
async fn readyz_stays_ready_through_an_outage_shorter_than_max_staleness() {
    let app = spawn_app_configured(Dataset::Empty, "", |s| s.max_staleness_secs = 2)
        .await
        .unwrap();
    app.cut_database().await;
    let body = app
        .get_json_until("/readyz", |body| body["database"] == "unreachable")
        .await;
    assert_eq!(body["status"], "ready", "{body}");
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");

    let body = app
        .get_json_until("/readyz", |body| body["status"] == "not ready")
        .await;
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("max_staleness_secs = 2"), "{reason}");
    assert!(reason.contains("database unreachable"), "{reason}");

    app.restore_database().await;
    let body = app
        .get_json_until("/readyz", |body| body["status"] == "ready")
        .await;
    assert_eq!(body["database"], "reachable");
}

#[tokio::test]
async fn number_of_tables_is_a_string_from_information_schema() {
    let app = spawn_app().await;
    let expected: i64 = sqlx::query_scalar("SELECT count(*) FROM information_schema.tables")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (status, body) = app.get_json("/number_of_tables").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "number_of_tables": expected.to_string() }));
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    for path in ["/", "/livez", "/nope", "/rates?date_from=x"] {
        let response = app.get(path).await;
        let id = response.headers().get("x-request-id");
        assert!(id.is_some_and(|v| !v.is_empty()), "{path}");
    }
    let response = app.get_with("/", &[("x-request-id", "abc-123")]).await;
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/no/such/thing").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("/no/such/thing"));

    let response = reqwest::Client::new()
        .post(format!("{}/rates", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn docs_ui_is_served_without_a_cdn() {
    let app = spawn_app().await;
    let response = app.get("/docs/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("://"),
        "docs page loads remote assets: {html}"
    );
    // The assets themselves are in the binary.
    assert_eq!(app.get("/docs/swagger-ui-bundle.js").await.status(), 200);
}

#[tokio::test]
async fn web_ui_is_served_without_a_cdn() {
    let app = spawn_app().await;
    let response = app.get("/ui").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("src=\"/ui/assets/app.js?v="),
        "the page's script"
    );
    assert!(!html.contains("src=\"http"), "the page loads remote assets");
    let script = app.get("/ui/assets/app.js").await.text().await.unwrap();
    assert!(script.contains("/rates?"), "the page queries the API");
    // The SVG namespace is a name, not a request.
    let script = script.replace("http://www.w3.org/2000/svg", "");
    assert!(
        !script.contains("http://") && !script.contains("https://"),
        "remote requests"
    );
}

/// A client's request id is echoed and logged only when it is sane: at most
/// 128 printable ASCII characters; anything else gets a fresh id.
#[tokio::test]
async fn odd_request_ids_are_replaced() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let sent = |id: String| {
        let request = client
            .get(format!("{}/livez", app.address))
            .header("x-request-id", id);
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    let fine = "a".repeat(128);
    assert_eq!(sent(fine.clone()).await, fine);
    for odd in ["a".repeat(129), "x".repeat(300 * 1024), "tab\there".into()] {
        let echoed = sent(odd.clone()).await;
        assert_ne!(echoed, odd);
        assert_eq!(echoed.len(), 36, "a fresh UUID: {echoed}");
    }
}

/// Errors made outside our handlers are JSON too, with a request id.
#[tokio::test]
async fn every_error_answer_is_json() {
    let app = spawn_app_configured(Dataset::Empty, "", |s| s.request_timeout_secs = 1)
        .await
        .unwrap();
    let (status, body) = app.get_json("/docs/no-such-asset.js").await;
    assert_eq!(status, 404);
    assert!(body["error"].is_string(), "{body}");

    // A request slower than the limit: /ports waits on a lock we hold.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE ports IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let response = app.get("/ports").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["error"], "the request took longer than 1 s");
    tx.rollback().await.unwrap();
}
