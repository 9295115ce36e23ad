//! The port and region pages, and the API reference.

use serde_json::json;

use crate::page::{CHART_SHOWN, text, xeneta};
use crate::webdriver::Options;

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
