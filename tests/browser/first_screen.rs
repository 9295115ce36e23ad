//! The first screen, on the demo data and on the Xeneta dump, and what it weighs.

use serde_json::json;

use crate::page::{assert_first_screen, xeneta};
use crate::support::spawn_demo_app;
use crate::webdriver::{self, Browser, Options};

#[tokio::test]
async fn first_screen_on_the_demo_data_shows_a_chart() {
    let app = spawn_demo_app().await;
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
