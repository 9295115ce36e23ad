//! The explorer in a real browser: Debian's headless Chromium, driven over
//! WebDriver by chromedriver. Not part of plain `cargo test` (a fresh
//! machine has no Chromium): run `cargo test --test browser`, or
//! `bash .ci/browser.sh`, which installs what it needs. Every test leaves
//! screenshots in `target/browser-screenshots/`.

#[path = "../support/mod.rs"]
mod support;

mod proxy;
mod webdriver;

/// Runs the block with `$b`, a fresh browser, closed even if the block panics.
macro_rules! with_browser {
    ($options:expr, |$b:ident| $body:block) => {{
        let browser = $crate::webdriver::Browser::start($options).await;
        let outcome = {
            let $b = &browser;
            ::futures_util::FutureExt::catch_unwind(::std::panic::AssertUnwindSafe(async { $body }))
                .await
        };
        browser.quit().await;
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }};
}

mod accessibility;
mod explorer;
mod first_screen;
mod keyboard;
mod page;
mod pages;
