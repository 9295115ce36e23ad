//! `rates import`, run as the real binary against a test database.

use std::path::Path;

use sqlx::PgPool;

use crate::cli::rates_command;
use crate::support::{Dataset, TestApp, cluster, fresh_database, shared_data, spawn_app};

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ports), (SELECT count(*) FROM regions), (SELECT count(*) FROM prices)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn import(app: &TestApp, files: &[&Path]) -> std::process::Output {
    import_with(app, &[], files).await
}

/// `rates import FLAGS FILES` on the test's database.
async fn import_with(app: &TestApp, flags: &[&str], files: &[&Path]) -> std::process::Output {
    rates_command()
        .arg("import")
        .args(flags)
        .args(files)
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

/// The 2016 dump ends with DELETE and INSERT statements after its COPY
/// blocks: `rates import` must load exactly what psql loads, row for row.
#[tokio::test]
async fn imports_the_2016_dump_as_psql_does() {
    let Some(dump) = shared_data("xeneta-rates-2016.sql") else {
        return;
    };
    let psql = psql_loaded("import_2016_psql", &dump).await;
    rates::db::migrate::run(&psql).await.unwrap();
    let app = spawn_app().await;
    let out = import(&app, &[&dump]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 56,689 copied + 1 inserted; the two DELETEs remove Jan 3 and Jan 4.
    assert!(
        stdout.contains("143 ports, 20 regions, 56,690 prices, deleted 3,634 prices"),
        "{stdout}"
    );

    assert_same_data(&app.pool, &psql).await;
    assert_eq!(counts(&app).await, (143, 20, 53_056));
    let jan_3_4: Vec<(String, i64)> = sqlx::query_as(
        "SELECT day::text, count(*) FROM prices WHERE day IN ('2016-01-03', '2016-01-04') GROUP BY day",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(jan_3_4, [("2016-01-04".to_owned(), 1)]);

    // The aggregates the API reads follow the DELETEs too: the same as those
    // the migration computes from psql's rows.
    let aggregates = "orig_code, dest_code, day, n, total";
    let ours = rows(&app.pool, "lane_days WHERE n > 0", aggregates).await;
    let theirs = rows(&psql, "lane_days WHERE n > 0", aggregates).await;
    assert_eq!(ours.len(), theirs.len(), "lane_days: row counts differ");
    assert!(ours == theirs, "lane_days differ");
    psql.close().await;
}

/// `pg_dump --inserts` of psql's load of the 2016 dump (before our
/// migrations) is all INSERT statements: it loads the same rows.
#[tokio::test]
async fn imports_a_pg_dump_inserts_dump() {
    let Some(dump) = shared_data("xeneta-rates-2016.sql") else {
        return;
    };
    let psql = psql_loaded("import_inserts_psql", &dump).await;
    let dir = tempfile::tempdir().unwrap();
    let inserts = dir.path().join("inserts.sql");
    let pg_dump = rates::db::embedded::find_bin_dir(None)
        .unwrap()
        .join("pg_dump");
    let out = std::process::Command::new(pg_dump)
        .args([
            "--inserts",
            "-d",
            &cluster().await.url("import_inserts_psql"),
            "-f",
        ])
        .arg(&inserts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = spawn_app().await;
    let out = import(&app, &[&inserts]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_same_data(&app.pool, &psql).await;
    psql.close().await;
}

#[tokio::test]
async fn applies_insert_and_delete_statements_in_file_order() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.sql");
    std::fs::write(
        &data,
        "-- hand-written; COPY and statements mixed\n\
         INSERT INTO regions VALUES ('world', 'World', NULL), ('north', 'North''s\n far', 'world');\n\
         INSERT INTO public.ports (parent_slug, code, name) VALUES ('north', 'AAAAA', 'Alpha');\n\
         INSERT INTO ports VALUES ('BBBBB', 'Beta; not the end', 'world');\n\
         COPY prices (orig_code, dest_code, day, price) FROM stdin;\n\
         AAAAA\tBBBBB\t2024-01-01\t10\n\
         AAAAA\tBBBBB\t2024-01-02\t20\n\
         AAAAA\tBBBBB\t2024-01-02\t30\n\
         \\.\n\
         DELETE FROM prices\n  WHERE day = DATE '2024-01-02' AND price = 20;\n\
         INSERT INTO prices VALUES ('BBBBB', 'AAAAA', '2024-01-03', 5);\n",
    )
    .unwrap();
    let out = import(&app, &[&data]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("imported 2 ports, 2 regions, 4 prices, deleted 1 prices"),
        "{stdout}"
    );
    assert_eq!(
        rows(&app.pool, "regions", "slug, name, parent_slug").await,
        ["(north,\"North's\n far\",world)", "(world,World,)"]
    );
    assert_eq!(
        rows(&app.pool, "ports", "code, name, parent_slug").await,
        ["(AAAAA,Alpha,north)", "(BBBBB,\"Beta; not the end\",world)"]
    );
    let prices = "orig_code, dest_code, day, price";
    assert_eq!(
        rows(&app.pool, "prices", prices).await,
        [
            "(AAAAA,BBBBB,2024-01-01,10)",
            "(AAAAA,BBBBB,2024-01-02,30)",
            "(BBBBB,AAAAA,2024-01-03,5)"
        ]
    );

    // Appended, a DELETE removes the rows it matches from what is there.
    let delete = dir.path().join("delete.sql");
    std::fs::write(&delete, "DELETE FROM prices WHERE day = '2024-01-01';\n").unwrap();
    let out = import_with(&app, &["--append"], &[&delete]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&app).await, (2, 2, 2));
    // Replacing, a table the input deletes from is part of the input: it is
    // emptied first, like one with rows.
    let out = import(&app, &[&delete]).await;
    assert!(out.status.success());
    assert_eq!(counts(&app).await, (2, 2, 0));
}

/// A new database `name` loaded by psql from `dump`. Migrating it afterwards
/// keeps psql's tables and adds ours (migration 0001 creates missing tables only).
async fn psql_loaded(name: &str, dump: &Path) -> PgPool {
    let url = cluster().await.load_with_psql(name, dump).await;
    PgPool::connect(&url).await.unwrap()
}

/// Ports, regions and prices hold the same rows in both databases.
async fn assert_same_data(ours: &PgPool, theirs: &PgPool) {
    for (table, columns) in [
        ("ports", "code, name, parent_slug"),
        ("regions", "slug, name, parent_slug"),
        ("prices", "orig_code, dest_code, day, price"),
    ] {
        let ours = rows(ours, table, columns).await;
        let theirs = rows(theirs, table, columns).await;
        assert_eq!(ours.len(), theirs.len(), "{table}: row counts differ");
        if let Some((a, b)) = ours.iter().zip(&theirs).find(|(a, b)| a != b) {
            panic!("{table}: rows differ, first {a} (ours) vs {b} (psql)");
        }
    }
}

/// Every row of `from` (a table, possibly with a WHERE), as text, sorted.
async fn rows(pool: &PgPool, from: &str, columns: &str) -> Vec<String> {
    let sql = format!("SELECT ROW({columns})::text FROM {from} ORDER BY 1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .unwrap()
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
    // Statements after the dump that we must not skip nor run: an UPDATE,
    // a DROP, and an INSERT of a nonexistent day, each on the last line.
    let with_statement = |name: &str, statement: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{text}\n{statement}\n")).unwrap();
        path
    };
    let last_line = text.lines().count() + 2;
    let update = with_statement("update.sql", "UPDATE prices SET price = 0;");
    let drop = with_statement("drop.sql", "DROP TABLE prices;");
    let bad_insert = with_statement(
        "bad-insert.sql",
        "INSERT INTO prices VALUES ('CNGGZ', 'EETLL', date'2021-02-30', 1);",
    );
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
        (
            &update,
            format!("line {last_line}: unsupported statement `UPDATE prices SET ...`"),
        ),
        (
            &drop,
            format!("line {last_line}: unsupported statement `DROP TABLE prices`"),
        ),
        (
            &bad_insert,
            format!("line {last_line}, column day: \"2021-02-30\" is not a valid date"),
        ),
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
    let out = import_with(&app, &["--append"], &[&prices]).await;
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
