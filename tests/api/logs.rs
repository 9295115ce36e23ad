//! Issue 7, logs an operator wants: probes at DEBUG, client errors at INFO,
//! server faults at ERROR with their cause, the warm-up at INFO; one start-up
//! line with the URLs; colour only on a terminal and never with `NO_COLOR`;
//! one line per failed command, its causes not repeated.

use std::{io::Read, time::Duration};

use serde_json::Value;

use crate::{cli::rates_command, evidence::env, process::Served, support::spawn_app};

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The access-log line of the request to `route`, if any.
fn request_line<'a>(lines: &'a [Value], route: &str) -> Option<&'a Value> {
    lines
        .iter()
        .find(|l| l["fields"]["message"] == "request" && l["span"]["route"] == route)
}

#[tokio::test]
async fn each_request_is_logged_at_the_level_its_outcome_deserves() {
    let app = spawn_app().await;
    // The database is away when the server starts: requests meet the
    // warm-up (503, INFO) and the outage (503 from /regions, ERROR).
    app.cut_database().await;
    let mut served = Served::start(
        rates_command(),
        &env(&[
            ("DATABASE_URL", &app.database_url().await),
            ("RATES_LOG_FORMAT", "json"),
            ("RATES_DB_ACQUIRE_TIMEOUT_SECS", "1"),
        ]),
        None,
    );
    served.wait_for(503, Duration::from_secs(30)).await;
    let status = async |path: &str| served.get(path).await.unwrap().status().as_u16();
    assert_eq!(status("/livez").await, 200);
    let rates = "/rates?date_from=2024-01-01&date_to=2024-01-01&orig_code=A&dest_code=B";
    assert_eq!(status(rates).await, 503);
    assert_eq!(status("/regions").await, 503);
    app.restore_database().await;
    served.wait_ready().await;
    let status = async |path: &str| served.get(path).await.unwrap().status().as_u16();
    assert_eq!(status("/ports/NOPE1").await, 404);
    assert_eq!(status("/rates?date_form=x").await, 400);
    let lines = json_lines(&served.stop().await);
    let level =
        |route: &str| request_line(&lines, route).map(|l| l["level"].as_str().unwrap().to_owned());
    assert_eq!(
        level("/livez"),
        None,
        "probes are DEBUG, below the default filter"
    );
    assert_eq!(level("/readyz"), None);
    assert_eq!(
        level("/rates").as_deref(),
        Some("INFO"),
        "the warm-up 503 is expected"
    );
    assert_eq!(level("/ports/{code}").as_deref(), Some("INFO"));
    let regions = request_line(&lines, "/regions").expect("the failed /regions is logged");
    assert_eq!(regions["level"], "ERROR");
    assert_eq!(regions["fields"]["status"], 503);
    assert!(
        regions["fields"]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{regions}"
    );
    // One line per failure: the cause is on the request's line only.
    let errors = lines.iter().filter(|l| l["level"] == "ERROR").count();
    assert_eq!(errors, 1, "{lines:#?}");

    let listening: Vec<&Value> = lines
        .iter()
        .filter(|l| {
            l["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("listening"))
        })
        .collect();
    assert_eq!(listening.len(), 1);
    let ui = listening[0]["fields"]["ui"].as_str().unwrap();
    assert!(
        ui.starts_with("http://127.0.0.1:") && ui.ends_with("/ui"),
        "{ui}"
    );
    assert!(
        listening[0]["fields"]["docs"]
            .as_str()
            .unwrap()
            .ends_with("/docs/")
    );
    assert!(
        !lines
            .iter()
            .any(|l| l["target"] == "sqlx::postgres::notice"),
        "PostgreSQL notices are DEBUG"
    );
}

/// Runs `rates serve` with stderr on a pseudo-terminal, until it logs that
/// it listens; returns what it wrote.
async fn on_a_terminal(no_color: bool) -> String {
    let app = spawn_app().await;
    let pty = nix::pty::openpty(None, None).unwrap();
    let mut cmd = rates_command();
    cmd.arg("serve")
        .env("DATABASE_URL", app.database_url().await)
        .env("RATES_LISTEN", "127.0.0.1:0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::from(pty.slave));
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let mut child = cmd.spawn().unwrap();
    let mut master = std::fs::File::from(pty.master);
    let output = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&seen).contains("listening") {
            match master.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let output = tokio::time::timeout(Duration::from_secs(30), output)
        .await
        .expect("rates logged that it listens")
        .unwrap();
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    output
}

#[tokio::test]
async fn colour_only_on_a_terminal_and_never_with_no_color() {
    const ESC: &str = "\u{1b}[";
    assert!(
        on_a_terminal(false).await.contains(ESC),
        "a terminal gets colour"
    );
    assert!(
        !on_a_terminal(true).await.contains(ESC),
        "NO_COLOR is honoured"
    );

    // Not a terminal: no colour, and one start-up line.
    let app = spawn_app().await;
    let mut served = Served::start(
        rates_command(),
        &env(&[("DATABASE_URL", &app.database_url().await)]),
        None,
    );
    served.wait_ready().await;
    let logs = served.stop().await;
    assert!(!logs.contains(ESC), "{logs}");
    let listening: Vec<&str> = logs.lines().filter(|l| l.contains("listening")).collect();
    assert_eq!(listening.len(), 1, "{logs}");
    assert!(
        listening[0].contains("/ui") && listening[0].contains("/docs/"),
        "{logs}"
    );
}

/// What a failed command prints: one line, with where it tried to connect
/// and why it failed, no cause repeated, no password.
async fn failure(url: &str, format: &str) -> String {
    let out = rates_command()
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("RATES_LOG_FORMAT", format)
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn a_failed_command_says_why_once() {
    let refused = failure(
        "postgres://rates:hunter2-secret@127.0.0.1:1/nowhere",
        "text",
    )
    .await;
    assert_eq!(
        refused.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{refused}"
    );
    assert!(
        refused.contains("127.0.0.1:1 (database nowhere, user rates)"),
        "{refused}"
    );
    assert!(refused.contains("connection refused"), "{refused}");
    assert_eq!(
        refused.matches("connection refused").count(),
        1,
        "{refused}"
    );
    assert!(!refused.contains("hunter2-secret"));

    let app = spawn_app().await;
    let url = app.database_url().await;
    let (before, after) = url.split_once('@').unwrap();
    let (user, _) = before.rsplit_once(':').unwrap();
    let wrong = format!("{user}:wrong-password@{after}");
    let denied = failure(&wrong, "text").await;
    assert_eq!(
        denied.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{denied}"
    );
    assert!(denied.contains("authentication failed"), "{denied}");
    assert!(
        !denied.contains("migration") && !denied.contains("line "),
        "{denied}"
    );
    assert!(!denied.contains("wrong-password"));

    let json = failure(&wrong, "json").await;
    let errors: Vec<Value> = json_lines(&json)
        .into_iter()
        .filter(|l| l["level"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "{json}");
    assert!(
        errors[0]["fields"]["error"]
            .as_str()
            .unwrap()
            .contains("authentication failed")
    );
}
