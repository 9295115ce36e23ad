//! The API behind the explorer: what the data covers, finding locations,
//! suggestions, CSV and content negotiation.

use serde_json::Value;

use crate::support::{Dataset, TestApp, spawn_app, spawn_app_with, spawn_demo_app};

fn query(q: &Value) -> String {
    format!(
        "date_from={}&date_to={}&orig_code={}&dest_code={}",
        q["date_from"].as_str().unwrap(),
        q["date_to"].as_str().unwrap(),
        q["orig_code"].as_str().unwrap(),
        q["dest_code"].as_str().unwrap()
    )
}

/// The suggested query answers with prices, on the demo data and the dump.
async fn assert_coverage_suggests_prices(app: &TestApp, first: &str, last: &str) {
    let (status, c) = app.get_json("/coverage").await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(
        (c["first_day"].as_str(), c["last_day"].as_str()),
        (Some(first), Some(last))
    );
    assert_eq!(c["currency"], "USD");
    assert_eq!(c["window"]["date_to"], last);
    assert_eq!(c["window"]["days_with_prices"], 30);
    let lanes = c["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 10);
    assert!(
        lanes
            .windows(2)
            .all(|w| w[0]["prices"].as_u64() >= w[1]["prices"].as_u64())
    );
    for lane in lanes {
        assert!(
            lane["origin"]["name"].is_string() && lane["destination"]["kind"] == "port",
            "{lane}"
        );
    }
    let q = &c["suggested"];
    assert_eq!(q["date_from"], c["window"]["date_from"]);
    let (status, body) = app.get_json(&format!("/rates?{}", query(q))).await;
    assert_eq!(status, 200, "{body}");
    let rates = body["rates"].as_array().unwrap();
    assert_eq!(rates.len(), 30);
    let priced = rates.iter().filter(|r| !r["price"].is_null()).count();
    assert!(
        priced >= 20,
        "the first look has prices on most days: {priced}"
    );
}

#[tokio::test]
async fn coverage_suggests_a_query_with_prices_on_the_demo_data() {
    let app = spawn_demo_app().await;
    assert_coverage_suggests_prices(&app, "2024-01-01", "2024-01-31").await;
}

#[tokio::test]
async fn coverage_suggests_a_query_with_prices_on_the_xeneta_dump() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    assert_coverage_suggests_prices(&app, "2021-01-01", "2021-01-31").await;
    // Every lane of the dump ties (3 prices a day): the list still varies.
    let (_, c) = app.get_json("/coverage").await;
    let origins: std::collections::BTreeSet<&str> = c["lanes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["origin"]["code"].as_str().unwrap())
        .collect();
    assert!(origins.len() >= 5, "{origins:?}");
}

#[tokio::test]
async fn coverage_of_no_data_and_of_new_data() {
    let app = spawn_app().await;
    let (status, c) = app.get_json("/coverage").await;
    assert_eq!(status, 200);
    assert!(c["first_day"].is_null() && c["window"].is_null() && c["suggested"].is_null());
    assert_eq!(c["lanes"], serde_json::json!([]));
    sqlx::raw_sql(
        "INSERT INTO regions VALUES ('r', 'R', NULL);
         INSERT INTO ports VALUES ('PAAAA', 'A', 'r'), ('PBBBB', 'B', 'r');
         INSERT INTO prices VALUES ('PAAAA', 'PBBBB', '2030-05-01', 1), ('PAAAA', 'PBBBB', '2030-05-01', 2),
                                   ('PAAAA', 'PBBBB', '2030-05-01', 3);",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let c = app
        .get_json_until("/coverage", |c| !c["suggested"].is_null())
        .await;
    assert_eq!(c["last_day"], "2030-05-01");
    assert_eq!(c["window"]["days_with_prices"], 1);
    assert_eq!(c["suggested"]["orig_code"], "PAAAA");
    assert_eq!(c["lanes"][0]["days_with_average"], 1);
}

#[tokio::test]
async fn locations_are_found_by_name_code_or_slug_in_any_case() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    for (q, first) in [
        ("shanghai", "CNSGH"),
        ("cnsgh", "CNSGH"),
        ("SHANG", "CNSGH"),
        ("china main", "china_main"),
        ("CHINA_MAIN", "china_main"),
        ("malmo", "SEMMA"),
    ] {
        let (status, found) = app
            .get_json(&format!("/locations?q={}", q.replace(' ', "%20")))
            .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found[0]["code"], first, "{q}: {found}");
    }
    let (_, found) = app.get_json("/locations?q=shanghai").await;
    assert_eq!(found[0]["kind"], "port");
    assert_eq!(found[0]["name"], "Shanghai");
    assert_eq!(found[0]["parent"]["code"], "china_east_main");
    let (_, found) = app.get_json("/locations?q=a&limit=3").await;
    assert_eq!(found.as_array().unwrap().len(), 3);
    let (_, found) = app.get_json("/locations").await;
    assert_eq!(found, serde_json::json!([]));
    for bad in [
        "limit=0",
        "limit=51",
        "q=a&q=b",
        "query=a",
        &format!("q={}", "x".repeat(65)),
    ] {
        let (status, body) = app.get_json(&format!("/locations?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body["param"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn a_location_shows_its_place_in_the_tree_and_busiest_lanes() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, port) = app.get_json("/locations/CNGGZ").await;
    assert_eq!(status, 200, "{port}");
    assert_eq!(
        (port["kind"].as_str(), port["name"].as_str()),
        (Some("port"), Some("Guangzhou"))
    );
    let path: Vec<&str> = port["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["china_main", "china_south_main"]);
    assert_eq!(port["port_count"], 1);
    let lanes = port["lanes"].as_array().unwrap();
    assert!(!lanes.is_empty());
    for lane in lanes {
        assert!(
            lane["origin"]["code"] == "CNGGZ" || lane["destination"]["code"] == "CNGGZ",
            "{lane}"
        );
        assert_eq!(lane["outbound"], lane["origin"]["code"] == "CNGGZ");
    }

    let (_, region) = app.get_json("/locations/china_main").await;
    assert_eq!(region["kind"], "region");
    assert!(region["path"].as_array().unwrap().is_empty());
    let children: Vec<&str> = region["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(children.contains(&"china_south_main"), "{children:?}");
    assert!(region["port_count"].as_u64().unwrap() > 5);

    let (status, body) = app.get_json("/locations/CNGGX").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["suggestions"][0]["code"], "CNGGZ", "{body}");
    let (status, _) = app.get_json("/locations/bad%20code").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn unknown_locations_come_with_suggestions() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app
        .get_json("/rates?date_from=2021-01-01&date_to=2021-01-02&orig_code=cnggz&dest_code=EETLL")
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["param"], "orig_code");
    assert_eq!(body["suggestions"][0]["code"], "CNGGZ");
    assert_eq!(body["suggestions"][0]["name"], "Guangzhou");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("did you mean CNGGZ (Guangzhou)"),
        "{body}"
    );
    let (_, body) = app
        .get_json("/rates?date_from=2021-01-01&date_to=2021-01-02&orig_code=CNGGZ&dest_code=Tallin")
        .await;
    assert_eq!(body["param"], "dest_code");
    assert_eq!(
        body["suggestions"][0]["code"], "EETLL",
        "a close name: {body}"
    );
    // No suggestion is made up when nothing is close.
    let (_, body) = app
        .get_json(
            "/rates?date_from=2021-01-01&date_to=2021-01-02&orig_code=CNGGZ&dest_code=qqqqqqqq",
        )
        .await;
    assert!(body.get("suggestions").is_none(), "{body}");
    let (status, body) = app.get_json("/ports/CNGGX").await;
    assert_eq!(status, 404);
    assert_eq!(body["suggestions"][0]["code"], "CNGGZ");
}

const CSV_QUERY: &str = "/rates?date_from=2020-12-30&date_to=2021-01-02&orig_code=china_main&dest_code=north_europe_main";

#[tokio::test]
async fn rates_answer_csv_when_asked_with_the_same_rows() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let json = app.get(CSV_QUERY).await;
    assert_eq!(json.headers()["vary"], "Accept");
    let json_tag = json.headers()["etag"].clone();
    let json: Value = json.json().await.unwrap();

    let by_format = app.get(&format!("{CSV_QUERY}&format=csv")).await;
    let by_accept = app.get_with(CSV_QUERY, &[("accept", "text/csv")]).await;
    let mut tags = Vec::new();
    for response in [by_format, by_accept] {
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"rates_china_main_north_europe_main_2020-12-30_2021-01-02.csv\""
        );
        tags.push(headers["etag"].clone());
        let csv = response.text().await.unwrap();
        let mut expected = String::from("day,count,price\n");
        for r in json["rates"].as_array().unwrap() {
            let price = if r["price"].is_null() {
                String::new()
            } else {
                r["price"].to_string()
            };
            expected.push_str(&format!(
                "{},{},{price}\n",
                r["day"].as_str().unwrap(),
                r["count"]
            ));
        }
        assert_eq!(csv, expected);
        assert!(
            csv.contains(",0,\n"),
            "days without prices have an empty price"
        );
    }
    assert_eq!(tags[0], tags[1]);
    assert_ne!(tags[0], json_tag, "each representation has its own tag");
    let unchanged = app
        .get_with(
            &format!("{CSV_QUERY}&format=csv"),
            &[("if-none-match", tags[0].to_str().unwrap())],
        )
        .await;
    assert_eq!(unchanged.status(), 304);

    for (accept, kind) in [
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("application/json;q=0.5, text/csv", "text/csv"),
    ] {
        let response = app.get_with(CSV_QUERY, &[("accept", accept)]).await;
        let got = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(got.starts_with(kind), "{accept}: {got}");
    }
    // The parameter wins over the header.
    let response = app
        .get_with(
            &format!("{CSV_QUERY}&format=json"),
            &[("accept", "text/csv")],
        )
        .await;
    assert_eq!(response.headers()["content-type"], "application/json");
    let (status, body) = app.get_json(&format!("{CSV_QUERY}&format=xml")).await;
    assert_eq!((status, body["param"].as_str()), (400, Some("format")));
}
