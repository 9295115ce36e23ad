//! The explorer's pages as served: where browsers asking for `/` go, the
//! pages' security headers, and how their assets are compressed and cached.

use serde_json::Value;

use crate::support::spawn_app;

const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

#[tokio::test]
async fn browsers_asking_for_the_root_are_sent_to_the_explorer() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = format!("{}/", app.address);
    let browser = client
        .get(&root)
        .header("accept", BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), 303);
    assert_eq!(browser.headers()["location"], "/ui");
    assert_eq!(browser.headers()["vary"], "Accept");
    for accept in [None, Some("*/*"), Some("application/json")] {
        let mut request = client.get(&root);
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{accept:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["message"], "Hello world!");
    }
}

#[tokio::test]
async fn pages_carry_security_headers_and_no_inline_script() {
    let app = spawn_app().await;
    for path in ["/ui", "/ui/ports/CNGGZ", "/ui/regions/china_main"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self';") && !csp.contains("unsafe"),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
        let html = response.text().await.unwrap();
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(" type=\"module\" src=\"/ui/assets/"),
                "{script}"
            );
        }
        assert!(
            !html.contains("style=\"") && !html.contains("<style"),
            "inline style in {path}"
        );
        assert!(
            !html.contains("://"),
            "{path} loads something from elsewhere"
        );
    }
    let docs = app.get("/docs/").await;
    let csp = docs.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    // The JSON API is not a page.
    let api = app.get("/livez").await;
    assert!(!api.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn assets_are_compressed_cached_by_version_and_revalidated() {
    let app = spawn_app().await;
    let html = app.get("/ui").await.text().await.unwrap();
    let start = html.find("/ui/assets/app.js?v=").unwrap();
    let link = &html[start..start + html[start..].find('"').unwrap()];
    let gz = app.get_with(link, &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert!(
        gz.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        gz.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let plain = app.get("/ui/assets/app.js").await;
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let plain = plain.text().await.unwrap();
    assert!(plain.contains("fetch(url"), "the script queries the API");
    let again = app
        .get_with("/ui/assets/app.js", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status(), 304);
    let (status, _) = app.get_json("/ui/assets/nope.js").await;
    assert_eq!(status, 404);
}
