//! axe-core on every page, light and dark, desktop and phone.

use serde_json::{Value, json};

use crate::page::{CHART_SHOWN, xeneta};
use crate::webdriver::{Browser, Options};

/// axe-core's source: `AXE_CORE_JS`, else where `.ci/browser.sh` installs it.
fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").unwrap_or_else(|_| {
        let cache = std::env::var("CI_CACHE_DIR").unwrap_or_else(|_| "/var/cache/rates-ci".into());
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
