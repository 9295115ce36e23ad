//! The explorer with the keyboard alone.

use serde_json::json;

use crate::page::{CHART_SHOWN, type_into_focused, xeneta};
use crate::webdriver::{ARROW_LEFT, ARROW_RIGHT, Browser, ENTER, Options, SHIFT, TAB};

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
        assert!(!b.holds("document.getElementById('tooltip').hidden").await);
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
