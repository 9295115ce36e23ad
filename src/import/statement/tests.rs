//! Tests of parsing statements and merging INSERTs.

use super::super::sql::{Lexed, lex_all};
use super::super::table::parse_date;
use super::*;

fn parse_text(input: &str) -> Result<Parsed, String> {
    let mut items = lex_all(input)?;
    assert_eq!(items.len(), 1, "one statement expected in {input}");
    let Some(Lexed::Statement { tokens, end_line }) = items.pop() else {
        panic!("not a statement: {input}");
    };
    parse(&tokens, end_line).map_err(|e| e.at(std::path::Path::new("dump.sql")).to_string())
}

fn text(s: &str) -> Value {
    Value::Text(Some(s.into()))
}

pub(super) fn date(s: &str) -> Value {
    Value::Date(parse_date(s).expect("valid test date"))
}

pub(super) fn column(table: Table, name: &str) -> &'static Column {
    table.column(name).expect("test column exists")
}

#[test]
fn parses_the_2016_statements() {
    assert_eq!(
        parse_text("DELETE FROM prices WHERE day = date'2016-01-03';"),
        Ok(Parsed::Data {
            table: Table::Prices,
            action: Action::Delete(vec![(column(Table::Prices, "day"), date("2016-01-03"))]),
            line: 1,
        })
    );
    assert_eq!(
        parse_text("INSERT INTO prices VALUES ('CNSGH', 'GBFXT', date'2016-01-04', 100500);"),
        Ok(Parsed::Data {
            table: Table::Prices,
            action: Action::Insert(vec![vec![
                text("CNSGH"),
                text("GBFXT"),
                date("2016-01-04"),
                Value::Int(100_500)
            ]]),
            line: 1,
        })
    );
}

#[test]
fn parses_inserts_with_columns_rows_and_literal_forms() {
    let parsed = parse_text(
        "insert into public.\"regions\" (parent_slug, SLUG, name)\n\
         VALUES (NULL, 'asia', 'Asia'),\n  ('asia', 'china_main', 'China''s\nmain');",
    );
    assert_eq!(
        parsed,
        Ok(Parsed::Data {
            table: Table::Regions,
            action: Action::Insert(vec![
                vec![text("asia"), text("Asia"), Value::Text(None)],
                vec![text("china_main"), text("China's\nmain"), text("asia")],
            ]),
            line: 1,
        })
    );
    // An omitted nullable column is NULL; quoted numbers and dates are fine.
    assert_eq!(
        parse_text("INSERT INTO regions (slug, name) VALUES ('x', 'X');"),
        Ok(Parsed::Data {
            table: Table::Regions,
            action: Action::Insert(vec![vec![text("x"), text("X"), Value::Text(None)]]),
            line: 1,
        })
    );
    assert!(matches!(
        parse_text("INSERT INTO prices VALUES ('A', 'B', '2016-01-04', '+7');"),
        Ok(Parsed::Data { action: Action::Insert(rows), .. }) if rows[0][2] == date("2016-01-04") && rows[0][3] == Value::Int(7)
    ));
    assert!(matches!(
        parse_text("INSERT INTO prices VALUES ('A', 'B', DATE '2016-01-04', 0);"),
        Ok(Parsed::Data { .. })
    ));
}

#[test]
fn parses_deletes() {
    assert_eq!(
        parse_text("DELETE FROM public.ports;"),
        Ok(Parsed::Data {
            table: Table::Ports,
            action: Action::Delete(vec![]),
            line: 1,
        })
    );
    assert_eq!(
        parse_text(
            "DELETE\nFROM prices\nWHERE orig_code = 'CNSGH' AND price = 12 and DAY = '2016-01-01';"
        ),
        Ok(Parsed::Data {
            table: Table::Prices,
            action: Action::Delete(vec![
                (column(Table::Prices, "orig_code"), text("CNSGH")),
                (column(Table::Prices, "price"), Value::Int(12)),
                (column(Table::Prices, "day"), date("2016-01-01")),
            ]),
            line: 1,
        })
    );
}

#[test]
fn validates_values_like_copy_rows_naming_line_and_column() {
    let bad_date = parse_text("INSERT INTO prices VALUES\n('A', 'B', date'2016-02-30', 1);");
    assert_eq!(
        bad_date,
        Err("dump.sql, line 2, column day: \"2016-02-30\" is not a valid date".into())
    );
    let cases = [
        (
            "INSERT INTO prices VALUES ('A', 'B', '2016-01-01');",
            "dump.sql, line 1: expected 4 columns, found 3",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', '2016-01-01', -5);",
            "dump.sql, line 1, column price: \"-5\" is not a non-negative integer",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', '2016-01-01', 1.5);",
            "dump.sql, line 1, column price: \"1.5\" is not a non-negative integer",
        ),
        (
            "INSERT INTO prices VALUES (NULL, 'B', '2016-01-01', 1);",
            "dump.sql, line 1, column orig_code: must not be null",
        ),
        (
            "INSERT INTO ports VALUES ('', 'B', 'x');",
            "dump.sql, line 1, column code: must not be empty",
        ),
        (
            "INSERT INTO ports VALUES (1, 'B', 'x');",
            "dump.sql, line 1, column code: expected a quoted string, found 1",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', 20160101, 1);",
            "dump.sql, line 1, column day: expected a date ('YYYY-MM-DD' or date 'YYYY-MM-DD'), found 20160101",
        ),
        (
            "INSERT INTO ports (code, name) VALUES ('A', 'B');",
            "dump.sql, line 1, column parent_slug: must not be null (not given, so NULL)",
        ),
        (
            "DELETE FROM prices WHERE day = '2016-13-01';",
            "dump.sql, line 1, column day: \"2016-13-01\" is not a valid date",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_text(input), Err(expected.into()), "{input}");
    }
}

#[test]
fn rejects_everything_else() {
    for (input, expected) in [
        (
            "UPDATE prices SET price = 1;",
            "line 1: unsupported statement `UPDATE prices SET ...`",
        ),
        (
            "DROP TABLE prices;",
            "unsupported statement `DROP TABLE prices`",
        ),
        (
            "TRUNCATE prices;",
            "unsupported statement `TRUNCATE prices`",
        ),
        (
            "INSERT INTO users VALUES (1);",
            "INSERT INTO unsupported table users",
        ),
        (
            "INSERT INTO tasks.prices VALUES (1);",
            "only tables of the public schema",
        ),
        (
            "DELETE FROM prices WHERE day < '2016-01-01';",
            "expected `=`, found `<",
        ),
        (
            "DELETE FROM prices WHERE day = '2016-01-01' OR price = 1;",
            "expected `;`, found `OR price = ...`",
        ),
        (
            "DELETE FROM ONLY prices;",
            "DELETE FROM unsupported table only",
        ),
        ("DELETE FROM prices USING ports;", "expected `;`"),
        (
            "INSERT INTO prices SELECT * FROM prices;",
            "expected VALUES, found `SELECT * FROM ...`",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', '2016-01-01', 1) ON CONFLICT DO NOTHING;",
            "expected `;`",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', current_date, 1);",
            "`current_date` is not supported",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', '2016-01-01'::date, 1);",
            "expected `)`",
        ),
        (
            "INSERT INTO prices VALUES ('A', 'B', timestamp '2016-01-01', 1);",
            "typed constant `timestamp '...'`",
        ),
        (
            "INSERT INTO ports VALUES (E'A', 'B', 'c');",
            "E'...' string",
        ),
        (
            "INSERT INTO ports VALUES ($$A$$, 'B', 'c');",
            "`$$...` is not supported",
        ),
        ("INSERT INTO ports VALUES ('A', 'B' 'c');", "expected `)`"),
        (
            "INSERT INTO ports (code, code) VALUES ('A', 'A');",
            "listed twice",
        ),
        (
            "INSERT INTO ports (code, nope) VALUES ('A', 'A');",
            "table ports has no column \"nope\"",
        ),
        (
            "INSERT INTO ports VALUES ('A', DEFAULT, 'c');",
            "`DEFAULT` is not supported",
        ),
        (
            "ALTER TABLE prices DROP COLUMN price;",
            "unsupported statement `ALTER TABLE prices ...`",
        ),
        (
            "ALTER TABLE ONLY prices ADD CONSTRAINT c CHECK (price > 0), DROP COLUMN day;",
            "unsupported",
        ),
        (
            "SELECT pg_catalog.setval('s', 1, true);",
            "unsupported statement",
        ),
        (
            "SELECT pg_catalog.set_config('standard_conforming_strings', 'off', false);",
            "unsupported set_config",
        ),
        (
            "SELECT pg_catalog.set_config('search_path', '', false), lo_unlink(1);",
            "unsupported set_config",
        ),
        (
            "SELECT pg_catalog.set_config('search_path', current_setting('x'), false);",
            "unsupported set_config",
        ),
        (
            "CREATE TABLE x AS SELECT 1;",
            "unsupported statement `CREATE TABLE x ...`",
        ),
        (
            "CREATE SCHEMA s CREATE TABLE t (a int);",
            "unsupported statement `CREATE SCHEMA s ...`",
        ),
        (
            "CREATE TRIGGER t AFTER INSERT ON prices EXECUTE FUNCTION f();",
            "unsupported statement `CREATE TRIGGER t ...`",
        ),
        (
            "SET standard_conforming_strings = maybe;",
            "unsupported value",
        ),
        ("COPY prices FROM stdin;", "must be on one line of its own"),
        (
            "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
            "unsupported statement `CREATE FUNCTION f ...`",
        ),
        (
            "WITH x AS (DELETE FROM prices) SELECT 1;",
            "unsupported statement `WITH x AS ...`",
        ),
    ] {
        let error = parse_text(input).expect_err(input);
        assert!(error.contains(expected), "{input}: {error}");
    }
}

#[test]
fn skips_what_pg_dump_writes_for_the_schema() {
    for input in [
        "SET statement_timeout = 0;",
        "SET client_encoding = 'UTF8';",
        "SELECT pg_catalog.set_config('search_path', '', false);",
        "CREATE TABLE public.prices (\n    orig_code text NOT NULL,\n    day date NOT NULL\n);",
        "CREATE SCHEMA tasks;",
        "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0)) WITH (fillfactor = 50);",
        "CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;",
        "CREATE UNIQUE INDEX x ON prices USING btree (orig_code, dest_code);",
        "ALTER TABLE ONLY public.ports\n    ADD CONSTRAINT ports_pkey PRIMARY KEY (code);",
        "ALTER TABLE ONLY prices ADD CONSTRAINT f FOREIGN KEY (dest_code) REFERENCES ports(code);",
        "ALTER TABLE public.ports OWNER TO postgres;",
        "ALTER SCHEMA tasks OWNER TO postgres;",
        "COMMENT ON TABLE prices IS 'x; y';",
        "GRANT ALL ON TABLE prices TO reader;",
        ";",
    ] {
        assert_eq!(parse_text(input), Ok(Parsed::Skip), "{input}");
    }
    assert_eq!(
        parse_text("SET standard_conforming_strings = on;"),
        Ok(Parsed::StandardStrings(true))
    );
    assert_eq!(
        parse_text("set session standard_conforming_strings to 'off';"),
        Ok(Parsed::StandardStrings(false))
    );
}

#[test]
fn merges_consecutive_inserts_into_one_table() {
    let statement = |input: &str, line: u64| match parse_text(input) {
        Ok(Parsed::Data { table, action, .. }) => Statement {
            table,
            action,
            file: "dump.sql".into(),
            line,
            last_line: line,
        },
        other => panic!("{input}: {other:?}"),
    };
    let port = |code: &str, line| {
        statement(
            &format!("INSERT INTO ports VALUES ('{code}', 'N', 'r');"),
            line,
        )
    };
    let mut batch = port("A", 1);
    assert_eq!(batch.merge(port("B", 2)), Ok(()));
    assert_eq!(batch.merge(port("C", 5)), Ok(()));
    assert_eq!((batch.line, batch.last_line), (1, 5));
    assert!(matches!(&batch.action, Action::Insert(rows) if rows.len() == 3));
    assert_eq!(batch.context(), "dump.sql, lines 1-5: INSERT INTO ports");
    let region = statement("INSERT INTO regions VALUES ('r', 'R', NULL);", 6);
    assert_eq!(batch.merge(region.clone()), Err(region));
    let delete = statement("DELETE FROM ports;", 7);
    assert_eq!(batch.merge(delete.clone()), Err(delete));
    let mut delete = statement("DELETE FROM ports;", 7);
    assert_eq!(delete.merge(port("D", 8)), Err(port("D", 8)));
    for line in 9..(9 + MAX_BATCH_ROWS as u64 - 3) {
        assert_eq!(batch.merge(port("E", line)), Ok(()));
    }
    assert_eq!(batch.merge(port("F", 9999)), Err(port("F", 9999)));
}
