//! `rates import`, run as the real binary against a test database.

use std::path::Path;

use crate::cli::rates_command;
use crate::support::{Dataset, TestApp, fresh_database, shared_data, spawn_app};

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ports), (SELECT count(*) FROM regions), (SELECT count(*) FROM prices)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn import(app: &TestApp, args: &[&Path]) -> std::process::Output {
    rates_command()
        .arg("import")
        .args(args)
        .env("DATABASE_URL", app.database_url().await)
        .output()
        .await
        .unwrap()
}

#[tokio::test]
async fn imports_the_2021_dump_exactly() {
    let Some(dump) = shared_data("xeneta-rates-2021.sql") else {
        return;
    };
    let app = spawn_app().await;
    let out = import(&app, &[&dump]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&app).await, (143, 20, 56_689));
    assert!(
        stdout.contains("56,689") || stdout.contains("56689"),
        "{stdout}"
    );

    // Replacing is idempotent.
    let out = import(&app, &[&dump]).await;
    assert!(out.status.success());
    assert_eq!(counts(&app).await, (143, 20, 56_689));
}

#[tokio::test]
async fn imports_the_2016_dump() {
    let Some(dump) = shared_data("xeneta-rates-2016.sql") else {
        return;
    };
    let expected = copy_rows(&dump);
    let app = spawn_app().await;
    let out = import(&app, &[&dump]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&app).await, expected);
}

/// Rows per COPY block, counted straight from the file: (ports, regions, prices).
fn copy_rows(dump: &Path) -> (i64, i64, i64) {
    let text = std::fs::read_to_string(dump).unwrap();
    let mut rows = std::collections::HashMap::new();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        match current {
            None if line.starts_with("COPY ") => {
                let table = line[5..].split_whitespace().next().unwrap();
                current = Some(table.trim_start_matches("public."));
            }
            Some(_) if line == "\\." => current = None,
            Some(table) => *rows.entry(table).or_insert(0) += 1,
            None => {}
        }
    }
    (rows["ports"], rows["regions"], rows["prices"])
}

#[tokio::test]
async fn a_broken_file_changes_nothing_and_names_the_line() {
    let Some(dump) = shared_data("xeneta-rates-2021.sql") else {
        return;
    };
    let app = spawn_app().await;
    assert!(import(&app, &[&dump]).await.status.success());

    let text = std::fs::read_to_string(&dump).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A nonexistent day deep in the prices block.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let bad_line = 30_000;
    assert_eq!(
        lines[bad_line - 1].split('\t').count(),
        4,
        "line {bad_line} is a price row"
    );
    lines[bad_line - 1] = lines[bad_line - 1].replacen("2021-01-", "2021-02-3", 1);
    let bad_date = dir.path().join("bad-date.sql");
    std::fs::write(&bad_date, lines.join("\n")).unwrap();
    // Cut off in the middle of the prices block.
    let truncated = dir.path().join("truncated.sql");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    // A price for a port that does not exist.
    let orphan = dir.path().join("orphan.csv");
    std::fs::write(
        &orphan,
        "orig_code,dest_code,day,price\nCNGGZ,EETLL,2021-01-01,100\nZZZZZ,EETLL,2021-01-01,100\n",
    )
    .unwrap();

    sqlx::query("INSERT INTO prices VALUES ('CNGGZ', 'EETLL', '2021-06-01', 1)")
        .execute(&app.pool)
        .await
        .unwrap();
    let before = counts(&app).await;
    for (file, expect) in [
        (&bad_date, format!("line {bad_line}")),
        (&truncated, "line".to_owned()),
        (&orphan, "ZZZZZ".to_owned()),
    ] {
        let out = import(&app, &[file.as_path()]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{} was accepted", file.display());
        assert!(stderr.contains(&expect), "{}: {stderr}", file.display());
        assert_eq!(
            counts(&app).await,
            before,
            "{} changed the data",
            file.display()
        );
    }
    // All-or-nothing across files too: a good file with a bad one loads neither.
    let out = import(&app, &[&dump, &bad_date]).await;
    assert!(!out.status.success());
    assert_eq!(counts(&app).await, before);
}

#[tokio::test]
async fn imports_csv_files() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let regions = dir.path().join("regions.csv");
    let ports = dir.path().join("ports.csv");
    let prices = dir.path().join("prices.csv");
    std::fs::write(
        &regions,
        "slug,name,parent_slug\nworld,World,\nnorth,\"North, far\",world\n",
    )
    .unwrap();
    std::fs::write(
        &ports,
        "code,name,parent_slug\nAAAAA,Alpha,north\nBBBBB,Beta,world\n",
    )
    .unwrap();
    std::fs::write(&prices, "day,price,orig_code,dest_code\n2024-01-01,10,AAAAA,BBBBB\n2024-01-01,20,AAAAA,BBBBB\n2024-01-01,30,AAAAA,BBBBB\n").unwrap();
    let out = import(&app, &[&ports, &prices, &regions]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&app).await, (2, 2, 3));
    let body = app
        .get_json_until(
            "/rates?date_from=2024-01-01&date_to=2024-01-01&orig_code=world&dest_code=BBBBB",
            |body| body["rates"][0]["count"] == 3,
        )
        .await;
    assert_eq!(body["rates"][0]["price"], 20.0);
    let (_, north) = app.get_json("/regions/north").await;
    assert_eq!(north["name"], "North, far");
    let (_, world) = app.get_json("/regions/world").await;
    assert!(world["parent_slug"].is_null());
}

#[tokio::test]
async fn append_mode_adds_prices() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("ref.csv");
    std::fs::write(&reference, "slug,name,parent_slug\nworld,World,\n").unwrap();
    let ports = dir.path().join("ports.csv");
    std::fs::write(&ports, "code,name,parent_slug\nAAAAA,Alpha,world\n").unwrap();
    let prices = dir.path().join("prices.csv");
    std::fs::write(
        &prices,
        "orig_code,dest_code,day,price\nAAAAA,AAAAA,2024-01-01,10\n",
    )
    .unwrap();
    assert!(
        import(&app, &[&reference, &ports, &prices])
            .await
            .status
            .success()
    );
    let out = rates_command()
        .args(["import", "--append"])
        .arg(&prices)
        .env("DATABASE_URL", app.database_url().await)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&app).await, (1, 1, 2));
}

#[tokio::test]
async fn a_fresh_database_is_a_fresh_copy() {
    // Guards the harness itself: test databases do not see each other's rows.
    let a = spawn_app().await;
    sqlx::query("INSERT INTO regions VALUES ('x', 'X', NULL)")
        .execute(&a.pool)
        .await
        .unwrap();
    let b = fresh_database(Dataset::Empty).await.unwrap();
    assert_ne!(a.database, b);
    let c = spawn_app().await;
    assert_eq!(counts(&c).await, (0, 0, 0));
}
