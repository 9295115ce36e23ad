//! The explorer in a real browser: Debian's headless Chromium, driven over
//! WebDriver by chromedriver. Not part of plain `cargo test` (a fresh
//! machine has no Chromium): run `cargo test --test browser`, or
//! `bash .ci/browser.sh`, which installs what it needs. Every test leaves
//! screenshots in `target/browser-screenshots/`.

#[path = "../support/mod.rs"]
mod support;

mod proxy;
mod webdriver;

use std::{panic::AssertUnwindSafe, time::Duration};

use futures_util::FutureExt;
use proxy::Behaviour;
use rates::demo::{DemoOptions, load_demo};
use serde_json::{Value, json};
use support::{Dataset, TestApp, spawn_app, spawn_app_with};
use webdriver::{
    ARROW_DOWN, ARROW_LEFT, ARROW_RIGHT, BACKSPACE, Browser, CONTROL, ENTER, Options, SHIFT, TAB,
};

/// The results are on screen, finished, with a chart.
const CHART_SHOWN: &str = "!document.getElementById('results').hidden \
    && !document.getElementById('results').classList.contains('loading') \
    && document.querySelector('#chart svg') !== null";

/// Runs the block with `$b`, a fresh browser, closed even if the block panics.
macro_rules! with_browser {
    ($options:expr, |$b:ident| $body:block) => {{
        let browser = Browser::start($options).await;
        let outcome = {
            let $b = &browser;
            AssertUnwindSafe(async { $body }).catch_unwind().await
        };
        browser.quit().await;
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }};
}

async fn xeneta() -> Option<TestApp> {
    spawn_app_with(Dataset::Xeneta2021).await
}

/// An app over the demo data `rates serve` loads into an empty database.
async fn demo() -> TestApp {
    let app = spawn_app().await;
    load_demo(&app.pool, &DemoOptions::default())
        .await
        .expect("loading the demo data");
    app.get_json_until("/coverage", |c| !c["suggested"].is_null())
        .await;
    app
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
async fn assert_table_matches(b: &Browser, app: &TestApp, query: &str) {
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

/// The page's query string, as a map.
async fn url_query(b: &Browser) -> Value {
    b.js(
        "return Object.fromEntries(new URLSearchParams(location.search))",
        json!([]),
    )
    .await
}

async fn text(b: &Browser, css: &str) -> String {
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
async fn assert_first_screen(b: &Browser, app: &TestApp) {
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

#[tokio::test]
async fn first_screen_on_the_demo_data_shows_a_chart() {
    let app = demo().await;
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui", app.address)).await;
        assert_first_screen(b, app).await;
        b.screenshot("demo-first-screen").await;
    });
}

#[tokio::test]
async fn first_screen_on_the_xeneta_dump_shows_a_chart() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        // A browser asking for `/` is sent to the explorer.
        b.goto(&format!("{}/", app.address)).await;
        assert!(
            b.url().await.ends_with("/ui") || b.url().await.contains("/ui?"),
            "{}",
            b.url().await
        );
        assert_first_screen(b, app).await;
        b.screenshot("xeneta-first-screen").await;
        record_page_weight(b).await;
        // Hovering a day shows its date, average and count.
        b.hover("#chart svg", 0.5, 0.3).await;
        let tip = b.wait("!document.getElementById('tooltip').hidden && document.getElementById('tooltip').textContent", "the tooltip").await;
        let tip = tip.as_str().unwrap();
        assert!(
            tip.contains("2021") && tip.contains("USD") && tip.contains("price"),
            "{tip}"
        );
        b.screenshot("xeneta-tooltip").await;
    });
}

/// Picks a location with the keyboard: types into the field, takes the
/// first suggestion.
async fn choose(b: &Browser, field: &str, typed: &str, expected_code: &str) {
    b.click(&format!("#{field}")).await;
    type_into_focused(b, field, typed, expected_code).await;
}

/// Presses Tab until the element `id` has the focus: exactly `tabs` times.
async fn tab_to(b: &Browser, id: &str, tabs: usize) {
    let mut passed = Vec::new();
    for _ in 0..tabs {
        b.keys(&[TAB]).await;
        let at = b
            .js(
                "const e = document.activeElement; return e.id || e.className || e.textContent",
                json!([]),
            )
            .await;
        passed.push(at.as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        passed.last().map(String::as_str),
        Some(id),
        "Tab went through {passed:?}"
    );
}

/// Replaces the focused field's text with `typed`, then picks the option
/// `expected_code` with the arrow keys and Enter.
async fn type_into_focused(b: &Browser, field: &str, typed: &str, expected_code: &str) {
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
            b.js(
                "return document.getElementById('results').hidden",
                json!([])
            )
            .await
            .as_bool()
            .unwrap(),
            "old results cleared"
        );
        assert!(
            b.js(
                "return !!document.querySelector('#orig_code-error button[data-code=CNGGZ]')",
                json!([])
            )
            .await
            .as_bool()
            .unwrap(),
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
                b.js(
                    "return document.getElementById('results').hidden",
                    json!([])
                )
                .await
                .as_bool()
                .unwrap(),
                "old results cleared"
            );
            assert!(
                b.js(
                    "return !!document.querySelector('#alert button')",
                    json!([])
                )
                .await
                .as_bool()
                .unwrap(),
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

#[tokio::test]
async fn the_keyboard_alone_reaches_every_control() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        let ready = format!(
            "{CHART_SHOWN} && document.querySelectorAll('#lanes a').length > 0 \
             && document.querySelector('#coverage button')"
        );
        b.goto(&format!("{}/ui", app.address)).await;
        b.wait(&ready, "the first screen").await;
        // The first Tab on a fresh page is the skip link; Shift+Tab goes back.
        b.keys(&[TAB]).await;
        assert_eq!(
            b.js("return document.activeElement.className", json!([]))
                .await,
            "skip"
        );
        b.keys(&[TAB]).await;
        b.chord(SHIFT, TAB).await;
        assert_eq!(
            b.js("return document.activeElement.className", json!([]))
                .await,
            "skip"
        );

        // Every control a pointer could use, visible on the page, is
        // reached by Tab from the top of a fresh page.
        b.refresh().await;
        b.wait(&ready, "the first screen").await;
        let controls = b
            .js(
                "window.__mark = 0; return [...document.querySelectorAll('a[href], button, input, [tabindex]')] \
                   .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0) \
                   .map(e => { e.dataset.mark = ++window.__mark; return e.dataset.mark; })",
                json!([]),
            )
            .await;
        let controls: Vec<String> = controls
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert!(controls.len() > 15, "{controls:?}");
        let mut reached = std::collections::BTreeSet::new();
        for _ in 0..(2 * controls.len()) {
            b.keys(&[TAB]).await;
            let mark = b
                .js(
                    "return document.activeElement.dataset.mark || ''",
                    json!([]),
                )
                .await;
            reached.insert(mark.as_str().unwrap().to_owned());
        }
        let missed: Vec<String> = controls
            .iter()
            .filter(|c| !reached.contains(*c))
            .cloned()
            .collect();
        let described = b
            .js(
                "return arguments[0].map(m => document.querySelector(`[data-mark=\"${m}\"]`).outerHTML.slice(0, 120))",
                json!([missed]),
            )
            .await;
        assert!(missed.is_empty(), "not reachable with Tab: {described}");

        // The chart reads out days from the arrow keys.
        b.js("document.getElementById('chart').focus()", json!([]))
            .await;
        b.keys(&[ARROW_LEFT, ARROW_LEFT, ARROW_RIGHT]).await;
        let readout = b
            .wait(
                "document.getElementById('chart-readout').textContent",
                "the chart's readout",
            )
            .await;
        assert!(
            readout.as_str().unwrap().contains("Jan 30, 2021"),
            "{readout}"
        );
        assert!(
            !b.js(
                "return document.getElementById('tooltip').hidden",
                json!([])
            )
            .await
            .as_bool()
            .unwrap()
        );
        b.screenshot("xeneta-chart-keyboard").await;

        // A query from the keyboard only: from the top of the page, Tab to
        // the origin (past the skip link, the brand and two API links), pick
        // one, Tab past its caption link and the swap button to the
        // destination, pick one, Enter.
        b.refresh().await;
        b.wait(&ready, "the first screen").await;
        tab_to(b, "orig_code", 5).await;
        type_into_focused(b, "orig_code", "shang", "CNSGH").await;
        tab_to(b, "dest_code", 3).await;
        type_into_focused(b, "dest_code", "rotterd", "NLRTM").await;
        b.keys(&[ENTER]).await;
        b.wait(
            &format!(
                "{CHART_SHOWN} && location.search.includes('orig_code=CNSGH&dest_code=NLRTM')"
            ),
            "the keyboard's query",
        )
        .await;
    });
}

#[tokio::test]
async fn port_and_region_pages_show_the_tree_and_busiest_lanes() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/ui/regions/china_main", app.address))
            .await;
        b.wait(
            "!document.getElementById('place').hidden",
            "the region page",
        )
        .await;
        assert_eq!(text(b, "#title").await, "China Main");
        let children = text(b, "#child-regions").await;
        assert!(children.contains("China East Main"), "{children}");
        assert!(
            b.js(
                "return document.querySelectorAll('#lanes li').length",
                json!([])
            )
            .await
            .as_u64()
            .unwrap()
                > 0
        );
        b.screenshot("region-page").await;

        // From a region to a port in it, then to the explorer.
        b.click("#child-regions a").await;
        b.wait("!document.getElementById('place').hidden && document.getElementById('title').textContent !== 'China Main'", "a child region").await;
        b.goto(&format!("{}/ui/ports/CNGGZ", app.address)).await;
        b.wait("!document.getElementById('place').hidden", "the port page")
            .await;
        assert_eq!(text(b, "#title").await, "Guangzhou");
        let crumbs = text(b, "#crumbs").await;
        assert!(
            crumbs.contains("China Main") && crumbs.contains("China South Main"),
            "{crumbs}"
        );
        b.screenshot("port-page").await;
        b.click("#explore a").await;
        b.wait(
            &format!("{CHART_SHOWN} && location.search.includes('orig_code=CNGGZ')"),
            "the explorer from the port page",
        )
        .await;

        // An unknown port: said so, with close matches.
        b.goto(&format!("{}/ui/ports/CNGGX", app.address)).await;
        b.wait(
            "document.getElementById('title').textContent.startsWith('No port')",
            "the not-found page",
        )
        .await;
        assert!(text(b, "#alert").await.contains("CNGGZ"));
        b.screenshot("port-not-found").await;
    });
}

#[tokio::test]
async fn the_api_reference_links_back_to_the_explorer_and_breaks_no_policy() {
    let Some(app) = xeneta().await else { return };
    let app = &app;
    with_browser!(Options::default(), |b| {
        b.goto(&format!("{}/docs/", app.address)).await;
        b.wait(
            "document.querySelector('.info a[href=\"/ui\"]')",
            "the link to the explorer",
        )
        .await;
        b.wait(
            "document.querySelector('.opblock-summary-path')",
            "the operations",
        )
        .await;
        let logs = b.severe_logs().await;
        assert!(logs.is_empty(), "console errors (CSP?): {logs:?}");
        b.screenshot("api-reference").await;

        // "Execute" on /rates answers 200: the examples come from the
        // loaded data.
        let op = "#operations-rates-rates";
        b.click(&format!("{op} .opblock-summary-control")).await;
        b.wait(
            &format!("document.querySelector('{op} .try-out__btn')"),
            "Try it out",
        )
        .await;
        // The document opens with "Try it out" on (tryItOutEnabled).
        b.wait(
            &format!("document.querySelector('{op} .execute')"),
            "Execute",
        )
        .await;
        b.click(&format!("{op} .execute")).await;
        let status = b
            .wait(
                &format!("document.querySelector('{op} .live-responses-table tr.response .response-col_status')?.textContent"),
                "the live response",
            )
            .await;
        assert_eq!(
            status.as_str().unwrap().trim(),
            "200",
            "Execute with the examples"
        );
        b.screenshot("api-reference-execute").await;
        b.goto(&format!("{}/ui", app.address)).await;
        b.wait(CHART_SHOWN, "the explorer").await;
    });
}

/// What the first load of the explorer transferred, as the browser counts
/// it (bodies as sent, gzip, plus headers): the page and its assets, then
/// the API's answers. Written to `page-weight.txt` beside the screenshots.
async fn record_page_weight(b: &Browser) {
    let weight = b
        .js(
            "const nav = performance.getEntriesByType('navigation')[0]; \
             const all = performance.getEntriesByType('resource'); \
             const sum = (list, key) => list.reduce((s, r) => s + r[key], 0); \
             const assets = all.filter(r => r.initiatorType !== 'fetch'); \
             const api = all.filter(r => r.initiatorType === 'fetch'); \
             return { page: nav.transferSize + sum(assets, 'transferSize'), \
                      decoded: nav.decodedBodySize + sum(assets, 'decodedBodySize'), \
                      files: [nav, ...assets].map(r => new URL(r.name).pathname + ' ' + r.transferSize).join(', '), \
                      api: sum(api, 'transferSize'), requests: api.length };",
            json!([]),
        )
        .await;
    let page = weight["page"].as_u64().unwrap();
    let line = format!(
        "page weight of /ui: {page} bytes over the wire (gzip, headers included; {} bytes \
         uncompressed): {}; then {} bytes in {} API answers\n",
        weight["decoded"],
        weight["files"].as_str().unwrap(),
        weight["api"],
        weight["requests"]
    );
    std::fs::write(webdriver::screenshots_dir().join("page-weight.txt"), &line).unwrap();
    assert!(page > 10_000 && page < 150 * 1024, "{line}");
}

/// axe-core's source: `AXE_CORE_JS`, else where `.ci/browser.sh` installs it.
fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").unwrap_or_else(|_| {
        let cache =
            std::env::var("RATES_CI_CACHE").unwrap_or_else(|_| "/var/cache/rates-ci".into());
        format!("{cache}/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core not found at {path} ({e}): run .ci/browser.sh, or set AXE_CORE_JS to axe.min.js")
    })
}

/// Runs axe on the page; returns its serious and critical violations.
async fn axe(b: &Browser, source: &str) -> Vec<Value> {
    b.js(&format!("{source}\n;return true;"), json!([])).await;
    let violations = b
        .js_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, { resultTypes: ['violations'] }) \
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary) })))) \
               .catch(e => done([{ id: 'axe-failed', impact: 'critical', help: String(e) }]));",
            json!([]),
        )
        .await;
    violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["impact"] == "serious" || v["impact"] == "critical")
        .cloned()
        .collect()
}

#[tokio::test]
async fn axe_finds_no_serious_violation_in_light_and_dark_on_desktop_and_phone() {
    let Some(app) = xeneta().await else { return };
    let source = axe_source();
    let (app, source) = (&app, &source);
    for (width, height) in [(1400, 1000), (390, 844)] {
        for dark in [false, true] {
            let options = Options {
                width,
                height,
                dark,
            };
            with_browser!(options, |b| {
                let scheme = if dark { "dark" } else { "light" };
                let mut found = Vec::new();
                for (page, path, ready) in [
                    ("explorer", "/ui", CHART_SHOWN),
                    (
                        "region",
                        "/ui/regions/northern_europe",
                        "!document.getElementById('place').hidden",
                    ),
                    (
                        "port",
                        "/ui/ports/NLRTM",
                        "!document.getElementById('place').hidden",
                    ),
                    (
                        "unknown-code",
                        "/ui?orig_code=CNGGX&dest_code=EETLL&date_from=2021-01-01&date_to=2021-01-31",
                        "document.getElementById('orig_code-error').textContent",
                    ),
                ] {
                    b.goto(&format!("{}{path}", app.address)).await;
                    b.wait(ready, page).await;
                    let is_dark = b
                        .js(
                            "return matchMedia('(prefers-color-scheme: dark)').matches",
                            json!([]),
                        )
                        .await;
                    assert_eq!(is_dark, dark, "the emulated scheme");
                    let inner = b.js("return innerWidth", json!([])).await;
                    assert_eq!(inner, width, "the viewport");
                    b.screenshot(&format!("{page}-{width}x{height}-{scheme}"))
                        .await;
                    for v in axe(b, source).await {
                        found.push(json!({ "page": page, "violation": v }));
                    }
                }
                assert!(
                    found.is_empty(),
                    "{width}x{height} {scheme}: {}",
                    serde_json::to_string_pretty(&found).unwrap()
                );
            });
        }
    }
}
