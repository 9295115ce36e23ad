//! Querying: two regions, late answers, unknown codes, failures, CSV and curl.

use std::time::Duration;

use serde_json::json;

use crate::page::{CHART_SHOWN, assert_table_matches, choose, text, url_query, xeneta};
use crate::proxy::{self, Behaviour};
use crate::webdriver::{CONTROL, ENTER, Options};

/// The `/rates` JSON's rows as written: (day, count, price) text, so they
/// compare to the digit (a parsed float may differ in its last bit).
fn json_rows(json: &str) -> Vec<(String, String, String)> {
    let field = |object: &str, name: &str| -> String {
        let start = object.find(&format!("\"{name}\":")).expect("the field") + name.len() + 3;
        object[start..]
            .split([',', '}'])
            .next()
            .unwrap()
            .trim_matches('"')
            .to_owned()
    };
    json.split('{')
        .filter(|o| o.contains("\"day\""))
        .map(|o| (field(o, "day"), field(o, "count"), field(o, "price")))
        .collect()
}

#[tokio::test]
async fn two_regions_update_the_table_chart_and_url_and_reload_and_history_restore_them() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui", app.address)).await;
        b.wait(CHART_SHOWN, "the first chart").await;
        let first = url_query(b).await;

        choose(b, "orig_code", "china main", "china_main").await;
        choose(b, "dest_code", "northern eur", "northern_europe").await;
        b.keys(&[ENTER]).await; // submits the form
        b.wait(
            &format!("{CHART_SHOWN} && location.search.includes('orig_code=china_main')"),
            "the regions' chart",
        )
        .await;
        let title = text(b, "#results-title").await;
        assert_eq!(title, "China Main→Northern Europe");
        let q = url_query(b).await;
        assert_eq!(
            (q["orig_code"].as_str(), q["dest_code"].as_str()),
            (Some("china_main"), Some("northern_europe"))
        );
        assert_eq!(
            (&q["date_from"], &q["date_to"]),
            (&first["date_from"], &first["date_to"])
        );
        let query = b.js("return location.search.slice(1)", json!([])).await;
        let query = query.as_str().unwrap().to_owned();
        assert_table_matches(b, app, &query).await;
        let (_, body) = app.get_json(&format!("/rates?{query}")).await;
        let priced = body["rates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["price"].is_null())
            .count();
        let points = b.js("return document.querySelector('#chart path.line').getAttribute('d').split(/[ML]/).length - 1", json!([])).await;
        assert_eq!(
            points.as_u64().unwrap() as usize,
            priced,
            "one point per day with an average"
        );
        b.screenshot("xeneta-two-regions").await;

        // A reload of that URL shows the same view.
        b.refresh().await;
        b.wait(CHART_SHOWN, "the chart after a reload").await;
        assert_eq!(
            text(b, "#results-title").await,
            "China Main→Northern Europe"
        );
        assert_eq!(
            b.js(
                "return document.getElementById('orig_code').value",
                json!([])
            )
            .await,
            "china_main"
        );
        assert_table_matches(b, app, &query).await;

        // Back shows the first lane again, forward the regions.
        b.back().await;
        b.wait(
            &format!(
                "{CHART_SHOWN} && document.getElementById('orig_code').value === '{}'",
                first["orig_code"].as_str().unwrap()
            ),
            "the first lane after Back",
        )
        .await;
        assert_eq!(url_query(b).await, first);
        b.forward().await;
        b.wait(
            &format!(
                "{CHART_SHOWN} && document.getElementById('orig_code').value === 'china_main'"
            ),
            "the regions after Forward",
        )
        .await;
        assert_table_matches(b, app, &query).await;
    });
}

#[tokio::test]
async fn a_slow_earlier_answer_never_replaces_a_later_one() {
    let Some(app) = xeneta().await else { return };
    // The first query's answer takes 3 s; the second's is immediate.
    let proxy = proxy::spawn(&app.address, |target| {
        if target.starts_with("/rates?") && target.contains("orig_code=CNGGZ") {
            Behaviour::Delay(Duration::from_secs(3))
        } else {
            Behaviour::Pass
        }
    })
    .await;
    let (app, proxy) = (&app, &proxy);
    with_browser!(Options::default(), |b| {
        let slow = "orig_code=CNGGZ&dest_code=EETLL&date_from=2021-01-01&date_to=2021-01-31";
        b.goto(&format!("{}/ui?{slow}", proxy.address)).await;
        b.wait(
            "document.getElementById('status').textContent.startsWith('Loading')",
            "the loading state",
        )
        .await;
        b.screenshot("loading").await;
        b.js(
            "document.getElementById('orig_code').value = 'china_main'; \
                 document.getElementById('dest_code').value = 'northern_europe';",
            json!([]),
        )
        .await;
        b.click("#query button[type=submit]").await;
        b.wait(&format!("{CHART_SHOWN} && document.getElementById('results-title').textContent.startsWith('China Main')"), "the second answer").await;
        // Past the moment the first answer arrives: the page still shows the second.
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(
            text(b, "#results-title").await,
            "China Main→Northern Europe"
        );
        let q = url_query(b).await;
        assert_eq!(q["orig_code"], "china_main");
        assert_table_matches(b, app, "orig_code=china_main&dest_code=northern_europe&date_from=2021-01-01&date_to=2021-01-31").await;
        assert_eq!(text(b, "#status").await, "", "nothing still loading");
    });
}

#[tokio::test]
async fn an_unknown_code_is_marked_at_its_field_with_suggestions_and_names_resolve() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui", app.address)).await;
        b.wait(CHART_SHOWN, "the first chart").await;
        b.click("#orig_code").await;
        b.chord(CONTROL, "a").await;
        b.type_text("CNGGX").await;
        b.wait(
            "document.querySelector('#orig_code-list .empty')",
            "no match listed",
        )
        .await;
        b.keys(&[ENTER]).await;
        let message = b
            .wait(
                "document.getElementById('orig_code-error').textContent",
                "the field's error",
            )
            .await;
        assert!(
            message
                .as_str()
                .unwrap()
                .contains("Unknown port code or region slug CNGGX."),
            "{message}"
        );
        assert_eq!(
            b.js(
                "return document.getElementById('orig_code').getAttribute('aria-invalid')",
                json!([])
            )
            .await,
            "true"
        );
        assert_eq!(
            b.js("return document.activeElement.id", json!([])).await,
            "orig_code",
            "the field has the focus"
        );
        assert!(
            b.holds("document.getElementById('results').hidden").await,
            "old results cleared"
        );
        assert!(
            b.holds("document.querySelector('#orig_code-error button[data-code=CNGGZ]')")
                .await,
            "CNGGZ is suggested"
        );
        b.screenshot("xeneta-unknown-code").await;

        b.click("#orig_code-error button[data-code=CNGGZ]").await;
        b.wait(
            &format!("{CHART_SHOWN} && location.search.includes('orig_code=CNGGZ')"),
            "the suggested lane",
        )
        .await;
        assert_eq!(
            b.js(
                "return document.getElementById('orig_code').hasAttribute('aria-invalid')",
                json!([])
            )
            .await,
            false
        );

        // A name typed in full, in any case, stands for its code.
        b.js(
            "document.getElementById('orig_code').value = 'shanghai'",
            json!([]),
        )
        .await;
        b.click("#query button[type=submit]").await;
        b.wait(
            &format!("{CHART_SHOWN} && location.search.includes('orig_code=CNSGH')"),
            "Shanghai resolved to CNSGH",
        )
        .await;
    });
}

#[tokio::test]
async fn server_and_network_failures_show_in_the_page_and_clear_old_results() {
    let Some(app) = xeneta().await else { return };
    let proxy = proxy::spawn(&app.address, |target| {
        if target.starts_with("/rates?") && target.contains("orig_code=CNSGH") {
            Behaviour::BadGateway
        } else if target.starts_with("/rates?") && target.contains("orig_code=CNSHK") {
            Behaviour::HangUp
        } else {
            Behaviour::Pass
        }
    })
    .await;
    let proxy = &proxy;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui", proxy.address)).await;
        b.wait(CHART_SHOWN, "the first chart").await;
        for (code, expected, shot) in [
            ("CNSGH", "502", "error-502"),
            ("CNSHK", "Could not reach the server", "error-network"),
        ] {
            b.js(
                "document.getElementById('orig_code').value = arguments[0]",
                json!([code]),
            )
            .await;
            b.click("#query button[type=submit]").await;
            let alert = b
                .wait("document.getElementById('alert').textContent", "the error")
                .await;
            assert!(alert.as_str().unwrap().contains(expected), "{alert}");
            assert!(
                b.holds("document.getElementById('results').hidden").await,
                "old results cleared"
            );
            assert!(
                b.holds("document.querySelector('#alert button')").await,
                "a retry button"
            );
            b.screenshot(shot).await;
        }
    });
}

#[tokio::test]
async fn the_csv_download_holds_the_json_rows_and_copy_as_curl_the_query() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui?orig_code=china_main&dest_code=north_europe_main&date_from=2020-12-29&date_to=2021-01-31", app.address)).await;
        b.wait(CHART_SHOWN, "the chart").await;
        // "Copy as curl": the command for this very query, copied (or,
        // without clipboard access, selected for Ctrl+C).
        b.click("#copy-curl").await;
        let said = b
            .wait(
                "document.getElementById('status').textContent",
                "the copy's confirmation",
            )
            .await;
        assert!(said.as_str().unwrap().contains("curl command"), "{said}");
        let curl = text(b, "#curl").await;
        assert_eq!(
            curl,
            format!(
                "curl '{}/rates?orig_code=china_main&dest_code=north_europe_main&date_from=2020-12-29&date_to=2021-01-31'",
                app.address
            )
        );

        b.click("#csv").await;
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        let file = loop {
            let done = std::fs::read_dir(&b.downloads)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "csv"));
            if let Some(file) = done {
                break file;
            }
            assert!(std::time::Instant::now() < deadline, "no CSV downloaded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(
            file.file_name().unwrap(),
            "rates_china_main_north_europe_main_2020-12-29_2021-01-31.csv"
        );
        let csv = std::fs::read_to_string(&file).unwrap();
        let json = app
            .get("/rates?orig_code=china_main&dest_code=north_europe_main&date_from=2020-12-29&date_to=2021-01-31")
            .await
            .text()
            .await
            .unwrap();
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("day,count,price"));
        let rows: Vec<&str> = lines.collect();
        let rates = json_rows(&json);
        assert_eq!(rows.len(), rates.len());
        assert!(
            rates.iter().any(|r| r.2 == "null") && rates.iter().any(|r| r.2 != "null"),
            "both kinds of day"
        );
        for (row, (day, count, price)) in rows.iter().zip(&rates) {
            let price = if price == "null" { "" } else { price.as_str() };
            assert_eq!(
                *row,
                format!("{day},{count},{price}"),
                "the JSON's row, to the digit"
            );
        }
    });
}
