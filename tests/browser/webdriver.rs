//! A small W3C WebDriver client over reqwest, for Debian's chromedriver and
//! Chromium: the few commands the tests use, plus Chrome DevTools commands
//! (through chromedriver's `goog/cdp/execute`) for the colour scheme, the
//! viewport and full-page screenshots.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use base64::Engine;
use serde_json::{Value, json};

/// Keys in the WebDriver encoding.
pub const TAB: &str = "\u{E004}";
pub const SHIFT: &str = "\u{E008}";
pub const ENTER: &str = "\u{E007}";
pub const ARROW_DOWN: &str = "\u{E015}";
pub const ARROW_LEFT: &str = "\u{E012}";
pub const ARROW_RIGHT: &str = "\u{E014}";
pub const BACKSPACE: &str = "\u{E003}";
pub const CONTROL: &str = "\u{E009}";

/// chromedriver, started once per test process on a free port and stopped
/// (with the browsers it started, one process group) when the process exits.
pub fn driver_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = crate::support::free_port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&binary)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot start {binary}: {e}. The browser tests need Chromium and its \
                         driver: apt-get install chromium chromium-driver (or run .ci/browser.sh)"
                    )
                })
        };
        stop_at_exit(child);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        url
    })
}

fn stop_at_exit(child: Child) {
    static PID: OnceLock<i32> = OnceLock::new();
    extern "C" fn stop() {
        if let Some(pid) = PID.get() {
            // SAFETY: signals the process group we created for chromedriver.
            unsafe { libc::kill(-*pid, libc::SIGTERM) };
        }
    }
    if PID.set(child.id() as i32).is_ok() {
        // SAFETY: registers a plain `extern "C" fn` with no captured state.
        unsafe { libc::atexit(stop) };
    }
}

/// How a browser starts.
pub struct Options {
    pub width: u32,
    pub height: u32,
    pub dark: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            width: 1400,
            height: 1000,
            dark: false,
        }
    }
}

/// One browser (a WebDriver session).
pub struct Browser {
    http: reqwest::Client,
    session: String,
    pub downloads: PathBuf,
    _profile: tempfile::TempDir,
}

#[derive(Debug)]
pub struct WebDriverError(pub String);

impl Browser {
    pub async fn start(options: Options) -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("rates-chromium-")
            .tempdir()
            .unwrap();
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    "--disable-dev-shm-usage", "--lang=en-US",
                    format!("--user-data-dir={}", profile.path().join("profile").display()),
                    format!("--window-size={},{}", options.width, options.height),
                ],
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                },
            },
        }}});
        let http = reqwest::Client::new();
        let answer: Value = http
            .post(format!("{}/session", driver_url()))
            .json(&capabilities)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        let browser = Browser {
            http,
            session,
            downloads,
            _profile: profile,
        };
        browser.viewport(options.width, options.height).await;
        browser.scheme(options.dark).await;
        browser
            .cdp(
                "Browser.setDownloadBehavior",
                json!({"behavior": "allow", "downloadPath": browser.downloads}),
            )
            .await
            .ok();
        browser
    }

    /// Ends the session, closing Chromium.
    pub async fn quit(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", driver_url(), self.session))
            .send()
            .await;
    }

    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}/session/{}{}", driver_url(), self.session, path);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?;
        let ok = response.status().is_success();
        let answer: Value = response
            .json()
            .await
            .map_err(|e| WebDriverError(e.to_string()))?;
        if ok {
            Ok(answer["value"].clone())
        } else {
            Err(WebDriverError(answer["value"].to_string()))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.command(reqwest::Method::POST, path, Some(body))
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {}", e.0))
    }

    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value, WebDriverError> {
        self.command(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
        .await
    }

    /// The viewport, as a phone or a desktop of that size.
    pub async fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}),
        )
        .await
        .expect("setting the viewport");
    }

    /// `prefers-color-scheme: dark` (or light).
    pub async fn scheme(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": value}]}),
        )
        .await
        .expect("emulating the colour scheme");
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    pub async fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn back(&self) {
        self.post("/back", json!({})).await;
    }

    pub async fn forward(&self) {
        self.post("/forward", json!({})).await;
    }

    pub async fn refresh(&self) {
        self.post("/refresh", json!({})).await;
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn js(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// Whether `expression` is truthy in the page now.
    pub async fn holds(&self, expression: &str) -> bool {
        self.js(&format!("return !!({expression})"), json!([]))
            .await
            .as_bool()
            .expect("a boolean")
    }

    /// Like [`Browser::js`], for a script that calls `arguments[arguments.length - 1]` when done.
    pub async fn js_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
            .await
    }

    /// Waits until `condition` (an expression) is truthy in the page, and
    /// returns its value; panics with `what` after `timeout`.
    pub async fn wait(&self, condition: &str, what: &str) -> Value {
        self.wait_for(condition, what, Duration::from_secs(15))
            .await
    }

    pub async fn wait_for(&self, condition: &str, what: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let script = format!("try {{ return ({condition}); }} catch (e) {{ return null; }}");
        loop {
            let value = self.js(&script, json!([])).await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                let page = self
                    .js(
                        "return document.body ? document.body.innerText.slice(0, 2000) : ''",
                        json!([]),
                    )
                    .await;
                panic!(
                    "timed out waiting for {what} ({condition}); the page says:\n{}",
                    page.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The WebDriver reference of the first element matching `css`.
    pub async fn find(&self, css: &str) -> Value {
        let found = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .expect("an element reference")
    }

    fn element_id(element: &Value) -> String {
        element
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| element.to_string())
    }

    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(
            &format!("/element/{}/click", Self::element_id(&element)),
            json!({}),
        )
        .await;
    }

    /// Moves the mouse over `css`, at a fraction of its width and height.
    pub async fn hover(&self, css: &str, fx: f64, fy: f64) {
        let rect = self
            .js(
                "const e = document.querySelector(arguments[0]); e.scrollIntoView({block: 'center'}); \
                 const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];",
                json!([css]),
            )
            .await;
        let r: Vec<f64> = rect
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let (x, y) = (r[0] + fx * r[2], r[1] + fy * r[3]);
        let actions = json!([{"type": "pointerMove", "duration": 0, "origin": "viewport", "x": x as i64, "y": y as i64}]);
        self.post(
            "/actions",
            json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]}),
        )
        .await;
    }

    /// Presses `keys` (characters, or the constants above) one after the
    /// other, in whatever has the focus.
    pub async fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for key in keys {
            for c in key.chars() {
                actions.push(json!({"type": "keyDown", "value": c.to_string()}));
                actions.push(json!({"type": "keyUp", "value": c.to_string()}));
            }
        }
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// Types `text` into the focused element.
    pub async fn type_text(&self, text: &str) {
        self.keys(&[text]).await;
    }

    /// Presses `key` while `modifier` is held.
    pub async fn chord(&self, modifier: &str, key: &str) {
        let actions = json!([
            {"type": "keyDown", "value": modifier},
            {"type": "keyDown", "value": key},
            {"type": "keyUp", "value": key},
            {"type": "keyUp", "value": modifier},
        ]);
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// Console messages at level SEVERE (script errors, CSP violations,
    /// failed loads), since the last call.
    pub async fn severe_logs(&self) -> Vec<String> {
        let logs = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await
            .unwrap_or(Value::Null);
        logs.as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["level"] == "SEVERE")
            .map(|l| l["message"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    /// A screenshot of the whole page, to `target/browser-screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let metrics = self.cdp("Page.getLayoutMetrics", json!({})).await.unwrap();
        let size = &metrics["cssContentSize"];
        let (width, height) = (
            size["width"].as_f64().unwrap(),
            size["height"].as_f64().unwrap(),
        );
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true,
                       "clip": {"x": 0, "y": 0, "width": width, "height": height.min(8000.0), "scale": 1}}),
            )
            .await
            .unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        let path = screenshots_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

/// Where the tests leave their screenshots (not committed).
pub fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}
