use serde_json::{Value, json};

use crate::support::{
    Dataset, TestApp, assert_rates_match, expected_rates, spawn_app, spawn_app_configured,
    spawn_app_seeded, spawn_app_with,
};

const JANUARY_CNGGZ_EETLL: &str =
    "/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL";

#[tokio::test]
async fn port_to_port_matches_the_reference_answer() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app.get_json(JANUARY_CNGGZ_EETLL).await;
    assert_eq!(status, 200, "{body}");
    let rates = body["rates"].as_array().unwrap();
    assert_eq!(rates.len(), 31);
    assert!(rates.iter().all(|r| r["count"] == 3));
    assert_eq!(
        rates[0],
        json!({ "count": 3, "day": "2021-01-31", "price": 1154.3333333333333 })
    );
    assert_eq!(
        rates[1],
        json!({ "count": 3, "day": "2021-01-30", "price": 1154.3333333333333 })
    );
    assert_eq!(rates[3]["day"], "2021-01-28");
    assert_eq!(rates[3]["price"].as_f64(), Some(1155.0));
    assert_eq!(rates[30]["day"], "2021-01-01");

    let expected = expected_rates(&app.pool, "CNGGZ", "EETLL", "2021-01-01", "2021-01-31").await;
    assert_rates_match(&body, &expected);
}

#[tokio::test]
async fn origin_and_destination_are_aliases() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (_, canonical) = app.get_json(JANUARY_CNGGZ_EETLL).await;
    let (status, aliased) = app
        .get_json("/rates?date_from=2021-01-01&date_to=2021-01-31&origin=CNGGZ&destination=EETLL")
        .await;
    assert_eq!(status, 200);
    assert_eq!(aliased, canonical);
}

#[tokio::test]
async fn regions_expand_to_every_port_below_them() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    for (orig, dest) in [
        ("china_main", "northern_europe"),
        ("CNSGH", "north_europe_main"),
        ("china_east_main", "NOOSL"),
        ("scandinavia", "china_main"),
    ] {
        let (status, body) = app
            .get_json(&format!(
                "/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code={orig}&dest_code={dest}"
            ))
            .await;
        assert_eq!(status, 200, "{orig}->{dest}: {body}");
        let expected = expected_rates(&app.pool, orig, dest, "2021-01-01", "2021-01-31").await;
        assert_rates_match(&body, &expected);
    }
}

#[tokio::test]
async fn days_without_prices_count_zero_with_null_price() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app
        .get_json("/rates?date_from=2030-01-01&date_to=2030-01-03&orig_code=CNGGZ&dest_code=EETLL")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "rates": [
            { "count": 0, "day": "2030-01-03", "price": null },
            { "count": 0, "day": "2030-01-02", "price": null },
            { "count": 0, "day": "2030-01-01", "price": null },
        ]})
    );
}

/// A tree four levels deep, built by hand: root > mid > leaf > deep, one port
/// in each, so every level's expansion is distinct; `more` SQL runs after.
async fn deep_tree_app(more: &str) -> TestApp {
    let seed = format!("{DEEP_TREE}{more}");
    spawn_app_seeded(&seed).await
}

const DEEP_TREE: &str = "INSERT INTO regions VALUES
           ('root', 'Root', NULL), ('mid', 'Mid', 'root'), ('leaf', 'Leaf', 'mid'),
           ('deep', 'Deep', 'leaf'), ('other', 'Other', NULL);
         INSERT INTO ports VALUES
           ('PROOT', 'Root port', 'root'), ('PMIDD', 'Mid port', 'mid'),
           ('PLEAF', 'Leaf port', 'leaf'), ('PDEEP', 'Deep port', 'deep'),
           ('POTHR', 'Other port', 'other');
         INSERT INTO prices VALUES
           ('PROOT', 'POTHR', '2024-01-01', 100), ('PMIDD', 'POTHR', '2024-01-01', 200),
           ('PLEAF', 'POTHR', '2024-01-01', 300), ('PDEEP', 'POTHR', '2024-01-01', 400),
           ('PDEEP', 'POTHR', '2024-01-02', 10), ('PDEEP', 'POTHR', '2024-01-02', 20);";

#[tokio::test]
async fn region_expansion_reaches_every_depth() {
    let app = deep_tree_app("").await;
    let day1 = |body: &Value| body["rates"][1].clone();
    let query = |orig: &str| {
        format!("/rates?date_from=2024-01-01&date_to=2024-01-02&orig_code={orig}&dest_code=other")
    };

    let (_, root) = app.get_json(&query("root")).await;
    assert_eq!(
        day1(&root),
        json!({ "count": 4, "day": "2024-01-01", "price": 250.0 })
    );
    assert_eq!(
        root["rates"][0],
        json!({ "count": 2, "day": "2024-01-02", "price": null })
    );

    let (_, mid) = app.get_json(&query("mid")).await;
    assert_eq!(
        day1(&mid),
        json!({ "count": 3, "day": "2024-01-01", "price": 300.0 })
    );

    let (_, leaf) = app.get_json(&query("leaf")).await;
    assert_eq!(day1(&leaf)["count"], 2);

    let (_, deep) = app.get_json(&query("PDEEP")).await;
    assert_eq!(day1(&deep)["count"], 1);
    assert!(day1(&deep)["price"].is_null());
}

#[tokio::test]
async fn a_region_without_ports_answers_zero_counts() {
    let app = deep_tree_app("INSERT INTO regions VALUES ('empty', 'Empty', 'root');").await;
    let (status, body) = app
        .get_json("/rates?date_from=2024-01-01&date_to=2024-01-01&orig_code=empty&dest_code=other")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["rates"],
        json!([{ "count": 0, "day": "2024-01-01", "price": null }])
    );
}

#[tokio::test]
async fn a_cycle_in_the_region_tree_does_not_hang() {
    let app = deep_tree_app("UPDATE regions SET parent_slug = 'deep' WHERE slug = 'root';").await;
    let (status, body) = app
        .get_json("/rates?date_from=2024-01-01&date_to=2024-01-01&orig_code=leaf&dest_code=other")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["rates"][0]["count"], 4);
}

/// Each case: query string, the parameter the error must name.
const BAD_QUERIES: &[(&str, &str)] = &[
    (
        "date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL",
        "date_from",
    ),
    (
        "date_from=2021-01-01&orig_code=CNGGZ&dest_code=EETLL",
        "date_to",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&dest_code=EETLL",
        "orig_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ",
        "dest_code",
    ),
    (
        "date_from=2021-1-1&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL",
        "date_from",
    ),
    (
        "date_from=yesterday&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL",
        "date_from",
    ),
    (
        "date_from=2021-01-01&date_to=2021-02-30&orig_code=CNGGZ&dest_code=EETLL",
        "date_to",
    ),
    (
        "date_from=2021-02-01&date_to=2021-01-01&orig_code=CNGGZ&dest_code=EETLL",
        "date_from",
    ),
    (
        "date_from=2020-01-01&date_to=2021-01-01&orig_code=CNGGZ&dest_code=EETLL",
        "date_to",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=&dest_code=EETLL",
        "orig_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=",
        "dest_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=NOSUCH&dest_code=EETLL",
        "orig_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=atlantis",
        "dest_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CN%27GGZ&dest_code=EETLL",
        "orig_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&origin=CNGGZ&dest_code=EETLL",
        "orig_code",
    ),
    (
        "date_from=2021-01-01&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL&limit=5",
        "limit",
    ),
];

#[tokio::test]
async fn bad_input_gets_400_naming_the_parameter() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    for (query, param) in BAD_QUERIES {
        let (status, body) = app.get_json(&format!("/rates?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(param), "{query}: {error}");
    }
    let (_, body) = app
        .get_json("/rates?date_from=2021-01-01&date_to=2021-01-31&orig_code=NOSUCH&dest_code=EETLL")
        .await;
    assert!(body["error"].as_str().unwrap().contains("NOSUCH"), "{body}");
}

#[tokio::test]
async fn oversized_parameters_are_rejected() {
    let app = spawn_app().await;
    let long = "A".repeat(5000);
    for query in [
        format!("date_from=2021-01-01&date_to=2021-01-31&orig_code={long}&dest_code=EETLL"),
        format!(
            "date_from=2021-01-01&date_to=2021-01-31&orig_code={}&dest_code=EETLL",
            &long[..65]
        ),
        format!("date_from={long}&date_to=2021-01-31&orig_code=CNGGZ&dest_code=EETLL"),
    ] {
        let (status, body) = app.get_json(&format!("/rates?{query}")).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error"].as_str().unwrap().len() < 200,
            "error echoes the input: {body}"
        );
    }
}

#[tokio::test]
async fn the_maximum_range_is_configurable() {
    let seed = "INSERT INTO regions VALUES ('r', 'R', NULL); INSERT INTO ports VALUES ('AAAAA', 'A', 'r');";
    let app = spawn_app_configured(Dataset::Empty, seed, |s| s.max_range_days = 31)
        .await
        .unwrap();
    let q =
        |to: &str| format!("/rates?date_from=2021-01-01&date_to={to}&orig_code=AAAAA&dest_code=r");
    assert_eq!(app.get_json(&q("2021-01-31")).await.0, 200);
    let (status, body) = app.get_json(&q("2021-02-01")).await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("maximum is 31"),
        "{body}"
    );
}

#[tokio::test]
async fn no_input_produces_a_server_error() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let values = [
        "",
        "%00",
        "%FF%FE",
        "2021-01-01",
        "0001-01-01",
        "9999-12-31",
        "CNGGZ",
        "china_main",
        "' OR 1=1 --",
        "\u{1F600}",
        "-1",
        "2021-13-45",
        "%",
        "a&b",
        "null",
        "[]",
    ];
    let mut checked = 0;
    for from in values {
        for orig in values {
            let query = format!(
                "/rates?date_from={from}&date_to=2021-01-05&orig_code={orig}&dest_code=EETLL"
            );
            let response = app.get(&query).await;
            let status = response.status().as_u16();
            assert!(status == 200 || status == 400, "{query} -> {status}");
            let body: Value = response.json().await.unwrap();
            assert!(body.is_object(), "{query}");
            checked += 1;
        }
    }
    for odd in [
        "/rates",
        "/rates?",
        "/rates?&&&",
        "/rates?=x",
        "/rates?date_from",
        "/rates?%zz=1",
    ] {
        let status = app.get(odd).await.status().as_u16();
        assert_eq!(status, 400, "{odd}");
    }
    assert_eq!(checked, values.len() * values.len());
}
