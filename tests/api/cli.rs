//! The `rates` binary: migrations on dump-loaded databases, the embedded
//! default's lifecycle, the health check, and the documented settings.

use std::{path::Path, process::Stdio, time::Duration};

use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use tokio::process::{Child, Command};

use crate::support::{cluster, free_port, shared_data};

/// The binary under test, with no settings inherited from the developer's
/// environment (every variable a setting reads is removed).
pub fn rates_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rates"));
    for setting in rates::config::SETTINGS {
        for name in setting.env_names() {
            cmd.env_remove(name);
        }
    }
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("RATES_")) {
        cmd.env_remove(name);
    }
    cmd.kill_on_drop(true);
    cmd
}

/// A database loaded by psql from the dump, as users of the Python
/// reference have them: tables and keys, no migrations.
async fn psql_loaded_database(name: &str) -> Option<String> {
    let dump = shared_data("xeneta-rates-2021.sql")?;
    Some(cluster().await.load_with_psql(name, &dump).await)
}

async fn migrate(url: &str) -> std::process::Output {
    rates_command()
        .arg("migrate")
        .env("DATABASE_URL", url)
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn migrate_is_safe_and_idempotent_on_a_psql_loaded_dump() {
    let Some(url) = psql_loaded_database("psql_loaded").await else {
        return;
    };
    for _ in 0..2 {
        let out = migrate(&url).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (prices, indexed, deferrable): (i64, bool, bool) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM prices),
                EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'prices_lane_day_idx'),
                (SELECT bool_and(condeferrable) FROM pg_constraint WHERE contype = 'f')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((prices, indexed, deferrable), (56_689, true, true));
}

#[tokio::test]
async fn replicas_migrating_together_do_not_race() {
    let Some(url) = psql_loaded_database("racing").await else {
        return;
    };
    let (a, b, c) = tokio::join!(migrate(&url), migrate(&url), migrate(&url));
    for out in [a, b, c] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (applied, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT version) FROM _sqlx_migrations WHERE success",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(applied, distinct);
    assert_eq!(
        applied as usize,
        rates::db::migrate::MIGRATOR.iter().count()
    );
}

/// `rates serve` on `port`, its database chosen by `database` (a variable
/// and its value).
pub fn serve(database: (&str, &std::ffi::OsStr), port: u16) -> Child {
    rates_command()
        .arg("serve")
        .env(database.0, database.1)
        .env("RATES_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn serve_embedded(data_dir: &Path, port: u16) -> Child {
    serve(("RATES_EMBEDDED_DATA_DIR", data_dir.as_os_str()), port)
}

async fn healthcheck(port: u16) -> bool {
    rates_command()
        .arg("healthcheck")
        .env("RATES_LISTEN", format!("0.0.0.0:{port}"))
        .stderr(Stdio::null())
        .status()
        .await
        .unwrap()
        .success()
}

/// Waits (bounded) until the server is ready, using `rates healthcheck`.
async fn wait_ready(port: u16) {
    for _ in 0..600 {
        if healthcheck(port).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server on port {port} never became ready");
}

fn postmaster_pid(data_dir: &Path) -> Option<Pid> {
    let text = std::fs::read_to_string(data_dir.join("pgdata/postmaster.pid")).ok()?;
    Some(Pid::from_raw(text.lines().next()?.trim().parse().ok()?))
}

async fn wait_gone(pid: Pid) -> bool {
    for _ in 0..200 {
        if kill(pid, None).is_err() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A data directory the embedded server's unprivileged user can reach.
fn embedded_data_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("rates-embedded-")
        .tempdir_in(std::env::temp_dir())
        .unwrap()
}

#[tokio::test]
async fn embedded_default_serves_demo_data_and_stops_cleanly() {
    let dir = embedded_data_dir();
    let port = free_port();
    let mut server = serve_embedded(dir.path(), port);
    wait_ready(port).await;

    let base = format!("http://127.0.0.1:{port}");
    let ports: serde_json::Value = reqwest::get(format!("{base}/ports"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ports = ports.as_array().unwrap();
    assert!(
        (100..=200).contains(&ports.len()),
        "{} demo ports",
        ports.len()
    );
    let postgres = postmaster_pid(dir.path()).expect("postmaster.pid");

    kill(Pid::from_raw(server.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(
        wait_gone(postgres).await,
        "the embedded PostgreSQL outlived rates"
    );
    assert!(!healthcheck(port).await);

    // A second start reuses the data rather than loading the demo again.
    let mut again = serve_embedded(dir.path(), port);
    wait_ready(port).await;
    let again_ports: serde_json::Value = reqwest::get(format!("{base}/ports"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again_ports.as_array().unwrap().len(), ports.len());
    kill(Pid::from_raw(again.id().unwrap() as i32), Signal::SIGINT).unwrap();
    assert!(again.wait().await.unwrap().success());
}

#[tokio::test]
async fn embedded_server_dies_with_a_killed_rates_and_is_recovered() {
    let dir = embedded_data_dir();
    let port = free_port();
    let mut server = serve_embedded(dir.path(), port);
    wait_ready(port).await;
    let postgres = postmaster_pid(dir.path()).unwrap();

    server.kill().await.unwrap(); // SIGKILL: no cleanup code runs in rates
    assert!(
        wait_gone(postgres).await,
        "the embedded PostgreSQL outlived a killed rates"
    );

    let mut again = serve_embedded(dir.path(), port);
    wait_ready(port).await;
    kill(Pid::from_raw(again.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    assert!(again.wait().await.unwrap().success());
}

#[tokio::test]
async fn healthcheck_fails_when_nothing_listens() {
    assert!(!healthcheck(free_port()).await);
}

/// Each subcommand's `--help` lists exactly the settings that apply to it,
/// with their variables, and `rates serve --help` fits a screen.
#[tokio::test]
async fn help_shows_every_setting_that_applies_and_no_other() {
    use rates::config::{Commands, SETTINGS};
    for (commands, path) in Commands::NAMES {
        let mut args: Vec<&str> = path.split(' ').collect();
        args.push("--help");
        let out = rates_command().args(&args).output().await.unwrap();
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        let scope = if commands == Commands::CONFIG {
            Commands::ALL
        } else {
            commands
        };
        for setting in SETTINGS.iter().filter(|s| !s.is_hidden()) {
            let applies = setting.commands.intersects(scope);
            for env in setting.env_names() {
                assert_eq!(
                    help.contains(&env),
                    applies,
                    "`rates {path} --help` and {env} ({})",
                    setting.key
                );
            }
            if let Some(flag) = setting.flag() {
                assert_eq!(
                    help.contains(&format!("--{flag} ")),
                    applies,
                    "{path}: --{flag}"
                );
            }
        }
        assert!(help.contains("Examples:"), "{path} has no example");
    }
    let out = rates_command()
        .args(["serve", "--help"])
        .output()
        .await
        .unwrap();
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(lines <= 100, "`rates serve --help` is {lines} lines");
}

/// The README's settings table is the code's own (`rates config --reference
/// markdown`); regenerate it with that command when a setting changes.
#[tokio::test]
async fn the_readme_settings_table_is_generated_from_the_code() {
    let out = rates_command()
        .args(["config", "--reference", "markdown"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = "<!-- settings table: generated by `rates config --reference markdown` -->\n";
    let end = "<!-- end of settings table -->";
    let from = readme
        .find(start)
        .expect("the README marks its settings table")
        + start.len();
    let to = readme[from..]
        .find(end)
        .expect("the README ends its settings table")
        + from;
    assert!(
        readme[from..to] == *table,
        "README.md's settings table is out of date: replace it with the output of \
         `cargo run -q -- config --reference markdown`"
    );
}

#[tokio::test]
async fn bad_database_settings_fail_without_leaking_the_password() {
    let out = rates_command()
        .arg("migrate")
        .env(
            "DATABASE_URL",
            "postgres://rates:hunter2-secret@127.0.0.1:1/nowhere",
        )
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hunter2-secret"), "{all}");
    assert!(all.contains("error"), "{all}");
}

#[tokio::test]
async fn json_logs_have_one_span_per_request_named_by_route() {
    let app = crate::support::spawn_app().await;
    let port = free_port();
    let server = rates_command()
        .arg("serve")
        .env("DATABASE_URL", app.database_url().await)
        .env("RATES_LISTEN", format!("127.0.0.1:{port}"))
        .env("RATES_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_ready(port).await;
    let response = reqwest::get(format!("http://127.0.0.1:{port}/ports/NOPE1"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    kill(Pid::from_raw(server.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let out = server.wait_with_output().await.unwrap();
    assert!(out.status.success());

    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["route"] == "/ports/{code}")
        .expect("a log line in the request's span");
    assert_eq!(request["span"]["name"], "request");
    assert_eq!(request["span"]["method"], "GET");
    assert!(
        request["span"]["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
}
