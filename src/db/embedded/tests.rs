use std::fs;
use std::net::TcpListener;
use std::process::Command;

use nix::unistd::Pid;

use super::binaries::parse_major_version;
use super::data_root::PGDATA_DIR;
use super::*;
use tempfile::TempDir;

// The test harness keeps the server in a static.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<EmbeddedPostgres>();
};

fn options(data_root: &Path) -> EmbeddedOptions {
    EmbeddedOptions {
        data_root: data_root.to_path_buf(),
        bin_dir: None,
        port: 0,
        fast_unsafe: true,
        extra_conf: Vec::new(),
    }
}

async fn connect(pg: &EmbeddedPostgres) -> PgConnection {
    PgConnection::connect_with(&pg.connect_options(APP_DB))
        .await
        .expect("connect to database `rates`")
}

fn server_pid(pg: &EmbeddedPostgres) -> Pid {
    pg.server.as_ref().expect("owned server").pid
}

#[tokio::test]
async fn starts_answers_and_stops() {
    let dir = TempDir::new().unwrap();
    // Missing ancestors are created traversable for the unprivileged runner.
    let root = dir.path().join("missing/root");
    let pg = EmbeddedPostgres::start(options(&root)).await.unwrap();
    let mut conn = connect(&pg).await;
    let one: i32 = sqlx::query_scalar("select 1")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 1);
    conn.close().await.unwrap();

    let pid = server_pid(&pg);
    assert!(root.join(OWNER_PID_FILE).exists());
    let debug = format!("{pg:?}");
    assert!(!debug.contains(pg.password.expose_secret()), "{debug}");
    pg.stop().await.unwrap();
    assert!(!is_alive(pid));
    assert!(!root.join(OWNER_PID_FILE).exists());
}

#[tokio::test]
async fn restart_keeps_data() {
    let dir = TempDir::new().unwrap();
    let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
    let mut conn = connect(&pg).await;
    sqlx::query("create table kept (id int)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    pg.stop().await.unwrap();

    let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
    let mut conn = connect(&pg).await;
    let rows: i64 = sqlx::query_scalar("select count(*) from kept")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    conn.close().await.unwrap();
    pg.stop().await.unwrap();
}

#[tokio::test]
async fn stale_server_is_cleaned_up() {
    let dir = TempDir::new().unwrap();
    let first = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
    let stale_pid = server_pid(&first);
    std::mem::forget(first);
    // Pretend the owner crashed: name a pid that no longer exists.
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    fs::write(dir.path().join(OWNER_PID_FILE), format!("{}\n", dead.id())).unwrap();

    let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
    assert!(!is_alive(stale_pid));
    assert_ne!(server_pid(&pg), stale_pid);
    let mut conn = connect(&pg).await;
    sqlx::query("select 1").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    pg.stop().await.unwrap();
}

#[tokio::test]
async fn cloned_template_starts() {
    let dir = TempDir::new().unwrap();
    let template = dir.path().join("template");
    let clone = dir.path().join("clones/1");
    initialize(&template, None, true).unwrap();
    initialize(&template, None, true).unwrap(); // idempotent
    clone_data_root(&template, &clone).unwrap();

    let pg = EmbeddedPostgres::start(options(&clone)).await.unwrap();
    let mut conn = connect(&pg).await;
    sqlx::query("select 1").execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    pg.stop().await.unwrap();
    assert!(!template.join(PGDATA_DIR).join("postmaster.pid").exists());
}

#[tokio::test]
async fn drop_stops_server() {
    let dir = TempDir::new().unwrap();
    let pg = EmbeddedPostgres::start(options(dir.path())).await.unwrap();
    let pid = server_pid(&pg);
    drop(pg);
    assert!(!is_alive(pid));
    assert!(!dir.path().join(OWNER_PID_FILE).exists());
}

#[tokio::test]
async fn taken_port_is_reported_as_conflict() {
    let dir = TempDir::new().unwrap();
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut opts = options(dir.path());
    opts.port = taken.local_addr().unwrap().port();
    let err = EmbeddedPostgres::start(opts).await.unwrap_err();
    assert!(is_port_conflict(&err), "{err}");
    assert!(!dir.path().join(OWNER_PID_FILE).exists());
}

#[test]
fn explicit_bin_dir_without_binaries_is_rejected() {
    let dir = TempDir::new().unwrap();
    let err = find_bin_dir(Some(dir.path())).unwrap_err();
    assert!(matches!(err, EmbeddedError::InvalidBinDir { .. }), "{err}");
}

#[test]
fn parses_server_versions() {
    let v = "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)";
    assert_eq!(parse_major_version(v), Some(15));
    assert_eq!(
        parse_major_version("postgres (PostgreSQL) 17beta1"),
        Some(17)
    );
    assert_eq!(parse_major_version("garbage"), None);
}
