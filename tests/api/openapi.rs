//! The OpenAPI document: it describes what the server does, and its
//! examples, taken from the loaded data, work.

use serde_json::Value;

use crate::support::{Dataset, TestApp, spawn_app, spawn_app_with, spawn_demo_app};

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for path in [
        "/",
        "/health",
        "/livez",
        "/readyz",
        "/number_of_tables",
        "/rates",
        "/ports",
        "/ports/{code}",
        "/regions",
        "/regions/{slug}",
        "/coverage",
        "/locations",
        "/locations/{code}",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} missing");
    }
    let params = doc["paths"]["/rates"]["get"]["parameters"]
        .as_array()
        .unwrap();
    // The four of the reference API, and the representation.
    assert_eq!(params.len(), 5);
}

/// Every example in the document is taken from the data, so requests built
/// from them answer 200 (and `/rates` with prices).
async fn assert_document_examples_work(app: &TestApp) {
    let (status, doc) = app.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        let op = &item["get"];
        let mut url = path.clone();
        let mut query = Vec::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let (name, example) = (p["name"].as_str().unwrap(), &p["example"]);
            let value = example
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| example.to_string());
            if p["in"] == "path" {
                url = url.replace(&format!("{{{name}}}"), &value);
            } else if p["required"] == true || name == "q" {
                query.push(format!("{name}={value}"));
            }
        }
        if !query.is_empty() {
            url = format!("{url}?{}", query.join("&"));
        }
        let response = app.get(&url).await;
        assert_eq!(response.status(), 200, "{url} from the examples of {path}");
        if path == "/rates" {
            let body: Value = response.json().await.unwrap();
            let priced = body["rates"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| !r["price"].is_null())
                .count();
            assert!(priced > 0, "{url}: {body}");
        }
    }
    let example =
        &paths["/rates"]["get"]["responses"]["200"]["content"]["application/json"]["example"];
    assert_eq!(example["rates"].as_array().unwrap().len(), 3, "{example}");
}

#[tokio::test]
async fn the_document_describes_what_the_server_does() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (_, doc) = app.get_json("/openapi.json").await;
    assert_eq!(doc["servers"][0]["url"], "/");
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("](/ui)"),
        "links to the explorer"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        let op = &item["get"];
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{path} has no summary"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{path} {status}"
            );
        }
    }
    let rates = &doc["paths"]["/rates"]["get"];
    for status in ["200", "304", "400", "503"] {
        assert!(rates["responses"][status].is_object(), "/rates {status}");
    }
    for path in ["/ports/{code}", "/regions/{slug}", "/locations/{code}"] {
        for status in ["400", "404", "503"] {
            assert!(
                doc["paths"][path]["get"]["responses"][status].is_object(),
                "{path} {status}"
            );
        }
    }
    let params = rates["parameters"].as_array().unwrap();
    let param = |name: &str| params.iter().find(|p| p["name"] == name).unwrap();
    for date in ["date_from", "date_to"] {
        let schema = &param(date)["schema"];
        assert_eq!(schema["format"], "date");
        assert_eq!(
            (schema["minLength"].as_u64(), schema["maxLength"].as_u64()),
            (Some(10), Some(10))
        );
        assert!(schema["pattern"].as_str().unwrap().starts_with('^'));
    }
    let codes = param("orig_code")["schema"]["enum"].as_array().unwrap();
    assert!(codes.iter().any(|c| c == "CNGGZ") && codes.iter().any(|c| c == "china_main"));
    assert_eq!(param("orig_code")["schema"]["maxLength"], 64);
    assert_eq!(
        param("format")["schema"]["enum"],
        serde_json::json!(["json", "csv"])
    );
    let csv = &rates["responses"]["200"]["content"]["text/csv"];
    assert!(
        csv["example"]
            .as_str()
            .unwrap()
            .starts_with("day,count,price\n")
    );
    // The null rule holds in the examples: no price without 3 prices.
    let daily = &doc["components"]["schemas"]["DailyRate"];
    assert!(daily["example"]["count"].as_u64().unwrap() >= 3, "{daily}");
    assert_document_examples_work(&app).await;
}

#[tokio::test]
async fn the_document_examples_work_on_the_demo_data() {
    let app = spawn_demo_app().await;
    assert_document_examples_work(&app).await;
}
