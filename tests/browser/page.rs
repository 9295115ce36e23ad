//! What every test reads off the page, and the app over the Xeneta dump.

use serde_json::{Value, json};

use crate::support::{Dataset, TestApp, spawn_app_with};
use crate::webdriver::{ARROW_DOWN, BACKSPACE, Browser, CONTROL, ENTER};

/// The results are on screen, finished, with a chart.
pub const CHART_SHOWN: &str = "!document.getElementById('results').hidden \
    && !document.getElementById('results').classList.contains('loading') \
    && document.querySelector('#chart svg') !== null";

pub async fn xeneta() -> Option<TestApp> {
    spawn_app_with(Dataset::Xeneta2021).await
}

/// The table as shown: (day, count, average or None).
async fn table(b: &Browser) -> Vec<(String, u64, Option<f64>)> {
    let rows = b
        .js(
            "return [...document.querySelectorAll('#table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))",
            json!([]),
        )
        .await;
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let cell = |i: usize| r[i].as_str().unwrap().replace(',', "");
            let price = cell(2);
            let price = (price != "no average").then(|| price.parse::<f64>().unwrap());
            (cell(0), cell(1).parse().unwrap(), price)
        })
        .collect()
}

/// Asserts the table shows exactly the API's rows for `query`.
pub async fn assert_table_matches(b: &Browser, app: &TestApp, query: &str) {
    let (status, body) = app.get_json(&format!("/rates?{query}")).await;
    assert_eq!(status, 200, "{body}");
    let shown = table(b).await;
    let rates = body["rates"].as_array().unwrap();
    assert_eq!(shown.len(), rates.len(), "one row per day");
    for ((day, count, price), r) in shown.iter().zip(rates) {
        assert_eq!(day, r["day"].as_str().unwrap());
        assert_eq!(*count, r["count"].as_u64().unwrap(), "count on {day}");
        match (price, r["price"].as_f64()) {
            (None, None) => {}
            (Some(shown), Some(api)) => assert!(
                (shown - api).abs() <= 0.005 + 1e-9,
                "price on {day}: {shown} vs {api}"
            ),
            (shown, api) => panic!("price on {day}: {shown:?} vs {api:?}"),
        }
    }
}

/// The page's query string, as a map.
pub async fn url_query(b: &Browser) -> Value {
    b.js(
        "return Object.fromEntries(new URLSearchParams(location.search))",
        json!([]),
    )
    .await
}

pub async fn text(b: &Browser, css: &str) -> String {
    b.js(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null",
        json!([css]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Asserts the first screen shows a chart and no error.
pub async fn assert_first_screen(b: &Browser, app: &TestApp) {
    b.wait(CHART_SHOWN, "the first chart").await;
    assert_eq!(text(b, "#alert").await, "", "an error on the first screen");
    let field_errors = b
        .js(
            "return [...document.querySelectorAll('.error')].map(e => e.textContent).join('')",
            json!([]),
        )
        .await;
    assert_eq!(field_errors, "", "a field error on the first screen");
    let (_, coverage) = app.get_json("/coverage").await;
    let suggested = &coverage["suggested"];
    let q = url_query(b).await;
    for p in ["orig_code", "dest_code", "date_from", "date_to"] {
        assert_eq!(q[p], suggested[p], "the URL holds the first query");
    }
    let line = b
        .js(
            "return document.querySelector('#chart path.line').getAttribute('d')",
            json!([]),
        )
        .await;
    assert!(
        line.as_str().unwrap().contains('L'),
        "a line with several days: {line}"
    );
    let query = b.js("return location.search.slice(1)", json!([])).await;
    assert_table_matches(b, app, query.as_str().unwrap()).await;
    let logs = b.severe_logs().await;
    assert!(logs.is_empty(), "console errors: {logs:?}");
}

/// Picks a location with the keyboard: types into the field, takes the
/// first suggestion.
pub async fn choose(b: &Browser, field: &str, typed: &str, expected_code: &str) {
    b.click(&format!("#{field}")).await;
    type_into_focused(b, field, typed, expected_code).await;
}

/// Replaces the focused field's text with `typed`, then picks the option
/// `expected_code` with the arrow keys and Enter.
pub async fn type_into_focused(b: &Browser, field: &str, typed: &str, expected_code: &str) {
    b.chord(CONTROL, "a").await;
    b.keys(&[BACKSPACE]).await;
    b.type_text(typed).await;
    b.wait(
        &format!("[...document.querySelectorAll('#{field}-list [role=option] .code')].some(e => e.textContent === '{expected_code}')"),
        "the suggestion",
    )
    .await;
    let position = b
        .js(
            &format!("return [...document.querySelectorAll('#{field}-list [role=option] .code')].findIndex(e => e.textContent === '{expected_code}')"),
            json!([]),
        )
        .await
        .as_u64()
        .unwrap();
    for _ in 0..=position {
        b.keys(&[ARROW_DOWN]).await;
    }
    b.keys(&[ENTER]).await;
    let value = b
        .js(
            &format!("return document.getElementById('{field}').value"),
            json!([]),
        )
        .await;
    assert_eq!(value, expected_code);
}
