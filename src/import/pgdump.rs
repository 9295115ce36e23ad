//! pg_dump plain-SQL input, loaded to the same data psql would make of it:
//! the `COPY ... FROM stdin;` blocks for our tables, and the INSERT and
//! DELETE statements on them (see `statement` for exactly which), in file
//! order. The schema statements pg_dump writes are skipped, because the
//! schema is ours, not the dump's; any other statement is an error.
//!
//! Like psql, this recognises a COPY statement only at the start of a line,
//! which is how pg_dump writes them.

use std::io::BufRead;
use std::path::Path;

use super::ImportError;
use super::copy::{CopySender, LineIndex, ProduceError, Segment};
use super::sql::{Lexed, Lexer, Token};
use super::statement::{self, Parsed, Statement};
use super::table::{Layout, RowError, Table, check_value, decode_copy_field};

/// An open COPY block.
struct Block {
    layout: Layout,
    header_line: u64,
    lines: LineIndex,
}

pub(crate) fn load(
    file: &Path,
    mut reader: impl BufRead,
    out: &mut CopySender,
) -> Result<(), ProduceError> {
    let mut parser = Parser {
        file,
        out,
        block: None,
        loads: 0,
        lexer: Lexer::default(),
        pending: None,
    };
    let mut buf = Vec::with_capacity(256);
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(|error| ImportError::Read {
                file: file.to_owned(),
                error,
            })?;
        if read == 0 {
            break;
        }
        line_no += 1;
        if parser.block.is_some() && !buf.ends_with(b"\n") {
            // A cut-off last line: report the truncation, not a bad row.
            break;
        }
        parser.line(line_no, &buf)?;
    }
    parser.finish(line_no)
}

struct Parser<'a> {
    file: &'a Path,
    out: &'a mut CopySender,
    block: Option<Block>,
    /// COPY blocks and data statements seen.
    loads: usize,
    /// The SQL between COPY blocks.
    lexer: Lexer,
    /// INSERTs not sent yet, so that the next ones can join them.
    pending: Option<Statement>,
}

impl Parser<'_> {
    /// One input line, with its terminator.
    fn line(&mut self, line_no: u64, raw: &[u8]) -> Result<(), ProduceError> {
        let line = trim_line_end(raw);
        match self.block.take() {
            None if self.lexer.idle() && line.starts_with(b"COPY ") => {
                self.copy_statement(line_no, line)
            }
            None => self.sql(line_no, raw),
            Some(done) if line == br"\." => self.out.end(done.lines),
            Some(mut open) => {
                check_row(line, &open.layout).map_err(|e| e.at(self.file, line_no))?;
                self.out.push_copy_text(line)?;
                open.lines.push(line_no);
                self.block = Some(open);
                Ok(())
            }
        }
    }

    /// Statements (and psql meta-commands) outside COPY blocks.
    fn sql(&mut self, line_no: u64, raw: &[u8]) -> Result<(), ProduceError> {
        let mut pos = 0;
        while let Some(item) = self
            .lexer
            .next(line_no, raw, &mut pos)
            .map_err(|reason| format_error(self.file, line_no, reason))?
        {
            match item {
                Lexed::Statement { tokens, end_line } => self.statement(&tokens, end_line)?,
                Lexed::Meta { line, command } => self.meta_command(line, &command)?,
            }
        }
        Ok(())
    }

    fn statement(&mut self, tokens: &[Token], end_line: u64) -> Result<(), ProduceError> {
        match statement::parse(tokens, end_line).map_err(|e| e.at(self.file))? {
            Parsed::Skip => Ok(()),
            Parsed::StandardStrings(on) => {
                self.lexer.standard_strings = on;
                Ok(())
            }
            Parsed::Data {
                table,
                action,
                line,
            } => {
                self.loads += 1;
                let statement = Statement {
                    table,
                    action,
                    file: self.file.to_owned(),
                    line,
                    last_line: line,
                };
                let unmerged = match &mut self.pending {
                    Some(pending) => pending.merge(statement).err(),
                    None => Some(statement),
                };
                if let Some(statement) = unmerged {
                    self.send_pending()?;
                    self.pending = Some(statement);
                }
                Ok(())
            }
        }
    }

    /// Sends what `pending` holds: before anything else is sent, so that the
    /// loader sees everything in file order.
    fn send_pending(&mut self) -> Result<(), ProduceError> {
        match self.pending.take() {
            Some(statement) => self.out.execute(statement),
            None => Ok(()),
        }
    }

    /// pg_dump (since 17.6 and its backports) brackets its output with
    /// `\restrict KEY` ... `\unrestrict KEY`; any other meta-command would
    /// make psql do something we do not.
    fn meta_command(&mut self, line: u64, command: &str) -> Result<(), ProduceError> {
        let name = command.split_whitespace().next().unwrap_or(command);
        if matches!(name, "\\restrict" | "\\unrestrict") {
            return Ok(());
        }
        let reason = format!("unsupported psql meta-command {name}");
        Err(format_error(self.file, line, reason).into())
    }

    /// At a line starting with `COPY `: starts a block.
    fn copy_statement(&mut self, line_no: u64, line: &[u8]) -> Result<(), ProduceError> {
        let Some(layout) =
            copy_header(line).map_err(|reason| format_error(self.file, line_no, reason))?
        else {
            return Ok(());
        };
        self.send_pending()?;
        self.out.begin(Segment {
            layout: layout.clone(),
            file: Some(self.file.to_owned()),
        })?;
        self.block = Some(Block {
            layout,
            header_line: line_no,
            lines: LineIndex::default(),
        });
        self.loads += 1;
        Ok(())
    }

    fn finish(mut self, last_line: u64) -> Result<(), ProduceError> {
        if let Some(open) = &self.block {
            let reason = format!(
                "file ends inside the COPY {} block started at line {} (no \\. terminator; truncated?)",
                open.layout.table.name(),
                open.header_line
            );
            return Err(format_error(self.file, last_line, reason).into());
        }
        if let Some(line) = self.lexer.unfinished() {
            let reason = format!(
                "file ends inside the statement started at line {line} (no terminating `;`; truncated?)"
            );
            return Err(format_error(self.file, last_line, reason).into());
        }
        if self.loads == 0 {
            let reason = "no data for ports, regions or prices found; \
                          expected a pg_dump plain-SQL file with COPY blocks or INSERT statements, \
                          or a CSV file with a header";
            return Err(format_error(self.file, last_line.max(1), reason.into()).into());
        }
        self.send_pending()
    }
}

fn format_error(file: &Path, line: u64, reason: String) -> ImportError {
    ImportError::Format {
        file: file.to_owned(),
        line,
        reason,
    }
}

/// Strips `\n` or `\r\n`.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `Ok(None)` for lines that are not a COPY statement; an error for a COPY
/// we cannot load (another table, a file source, a non-text format).
fn copy_header(line: &[u8]) -> Result<Option<Layout>, String> {
    if !line.starts_with(b"COPY ") {
        return Ok(None);
    }
    let text =
        std::str::from_utf8(line).map_err(|_| "COPY statement is not valid UTF-8".to_owned())?;
    let body = text["COPY ".len()..].trim_end();
    let target = body.strip_suffix(" FROM stdin;").ok_or_else(|| {
        format!("unsupported COPY statement (only `COPY table (columns) FROM stdin;` is): {text}")
    })?;
    let (name, columns) = match target.split_once('(') {
        Some((name, columns)) => (name.trim(), Some(columns)),
        None => (target.trim(), None),
    };
    let table_name = unqualified(name);
    let table = Table::from_name(&table_name).ok_or_else(|| {
        format!(
            "COPY into unsupported table {name}; only ports, regions and prices can be imported"
        )
    })?;
    match columns {
        None => Ok(Some(Layout::full(table))),
        Some(list) => {
            let list = list
                .trim_end()
                .strip_suffix(')')
                .ok_or_else(|| format!("malformed column list in: {text}"))?;
            let names: Vec<String> = list.split(',').map(|c| unquote(c.trim())).collect();
            Layout::from_names(table, &names).map(Some)
        }
    }
}

/// `public.ports`, `"public"."ports"` and `ports` all name `ports`: the
/// dump's schema is irrelevant, we load into ours.
fn unqualified(name: &str) -> String {
    let last = match name.rsplit_once("\".") {
        Some((_, last)) => last,
        None => name.rsplit('.').next().unwrap_or(name),
    };
    unquote(last)
}

fn unquote(ident: &str) -> String {
    match ident.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => ident.to_owned(),
    }
}

/// Validates one `COPY` text row against the block's columns.
fn check_row(line: &[u8], layout: &Layout) -> Result<(), RowError> {
    let text = std::str::from_utf8(line).map_err(|_| RowError::Encoding)?;
    let found = text.split('\t').count();
    if found != layout.columns.len() {
        return Err(RowError::ColumnCount {
            expected: layout.columns.len(),
            found,
        });
    }
    for (column, field) in layout.columns.iter().zip(text.split('\t')) {
        let value_error = |reason| RowError::Value {
            column: column.name,
            reason,
        };
        let value = decode_copy_field(field).map_err(value_error)?;
        check_value(column, value.as_deref()).map_err(value_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_of(line: &str) -> Result<Option<Table>, String> {
        copy_header(line.as_bytes()).map(|layout| layout.map(|l| l.table))
    }

    #[test]
    fn recognises_copy_headers_of_both_dump_styles() {
        assert_eq!(
            table_of("COPY public.ports (code, name, parent_slug) FROM stdin;"),
            Ok(Some(Table::Ports))
        );
        assert_eq!(
            table_of("COPY prices (orig_code, dest_code, day, price) FROM stdin;"),
            Ok(Some(Table::Prices))
        );
        assert_eq!(
            table_of(r#"COPY "public"."regions" (slug, "name", parent_slug) FROM stdin;"#),
            Ok(Some(Table::Regions))
        );
        assert_eq!(
            table_of("COPY regions FROM stdin;"),
            Ok(Some(Table::Regions))
        );
        assert_eq!(table_of("CREATE TABLE public.ports ("), Ok(None));
        assert_eq!(table_of("-- COPY ports"), Ok(None));
    }

    #[test]
    fn keeps_the_dump_column_order() {
        let layout = copy_header(b"COPY ports (name, code, parent_slug) FROM stdin;")
            .expect("valid")
            .expect("a COPY");
        assert_eq!(
            layout.copy_sql(),
            "COPY ports (name, code, parent_slug) FROM STDIN"
        );
    }

    #[test]
    fn rejects_other_tables_and_copy_forms() {
        let other = table_of("COPY public.users (id, name) FROM stdin;").expect_err("other table");
        assert!(other.contains("unsupported table public.users"), "{other}");
        assert!(table_of("COPY ports (code, name) FROM stdin;").is_err());
        assert!(table_of("COPY ports FROM '/etc/passwd';").is_err());
    }

    #[test]
    fn validates_rows() {
        let prices = Layout::full(Table::Prices);
        assert_eq!(
            check_row(b"CNYTN\tNOORK\t2016-01-31\t1798", &prices),
            Ok(())
        );
        assert_eq!(
            check_row(b"CNYTN\tNOORK\t2016-01-31", &prices),
            Err(RowError::ColumnCount {
                expected: 4,
                found: 3
            })
        );
        assert!(matches!(
            check_row(b"CNYTN\tNOORK\t2021-02-30\t1798", &prices),
            Err(RowError::Value { column: "day", .. })
        ));
        assert!(matches!(
            check_row(b"CNYTN\tNOORK\t2021-02-03\t12x", &prices),
            Err(RowError::Value {
                column: "price",
                ..
            })
        ));
        assert!(matches!(
            check_row(b"\\N\tNOORK\t2021-02-03\t12", &prices),
            Err(RowError::Value {
                column: "orig_code",
                ..
            })
        ));
        assert_eq!(check_row(b"\xff\tx", &prices), Err(RowError::Encoding));
        let regions = Layout::full(Table::Regions);
        assert_eq!(check_row(b"china_main\tChina Main\t\\N", &regions), Ok(()));
    }

    fn run(input: &str) -> Result<Vec<String>, String> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let mut out = CopySender::to_loader(tx);
        let result = load(Path::new("dump.sql"), input.as_bytes(), &mut out);
        drop(out);
        match result {
            Ok(()) => Ok(super::super::copy::drain_for_test(&mut rx)),
            Err(ProduceError::Failed(e)) => Err(e.to_string()),
            Err(ProduceError::Stopped) => Err("stopped".into()),
        }
    }

    const DUMP: &str = "--\n-- header\nSET x = 1;\nCOPY public.regions (slug, name, parent_slug) FROM stdin;\n\
                        asia\tAsia\t\\N\r\nchina_main\tChina Main\tasia\n\\.\n\
                        ALTER TABLE ONLY regions ADD CONSTRAINT regions_pkey PRIMARY KEY (slug);\n";

    #[test]
    fn loads_copy_blocks_and_skips_the_rest() {
        let events = run(DUMP).expect("valid dump");
        assert_eq!(
            events,
            [
                "begin COPY regions (slug, name, parent_slug) FROM STDIN",
                "rows asia\tAsia\t\\N\nchina_main\tChina Main\tasia\n",
                "end 2 rows from line 5",
            ]
        );
    }

    #[test]
    fn sends_data_statements_in_file_order() {
        let input = format!(
            "\\restrict abc\nSELECT pg_catalog.set_config('search_path', '', false);\n\
             DELETE FROM regions WHERE slug = 'x; y'; -- a comment; not a statement\n\
             {DUMP}/* the 2016 dump's\n   additions */\n\
             DELETE FROM regions\n  WHERE parent_slug = 'asia';\
             INSERT INTO public.regions VALUES ('japan', 'Japan', 'asia'),\n\
             ('korea', 'Korea', NULL);\n\\unrestrict abc\n"
        );
        let events = run(&input).expect("valid dump");
        assert_eq!(
            events,
            [
                "execute line 3 on regions: Delete([(Column { name: \"slug\", kind: Text }, Text(Some(\"x; y\")))])",
                "begin COPY regions (slug, name, parent_slug) FROM STDIN",
                "rows asia\tAsia\t\\N\nchina_main\tChina Main\tasia\n",
                "end 2 rows from line 8",
                "execute line 14 on regions: Delete([(Column { name: \"parent_slug\", kind: OptionalText }, Text(Some(\"asia\")))])",
                "execute line 15 on regions: Insert([[Text(Some(\"japan\")), Text(Some(\"Japan\")), Text(Some(\"asia\"))], \
                 [Text(Some(\"korea\")), Text(Some(\"Korea\")), Text(None)]])",
            ]
        );
        // Statements alone are data too; consecutive INSERTs into a table
        // are sent as one, before anything else.
        let inserts = run("INSERT INTO regions VALUES ('asia', 'Asia', NULL);\n\
             INSERT INTO regions VALUES ('x', 'X', 'asia');\n\
             COPY regions FROM stdin;\n\\.\n\
             INSERT INTO regions VALUES ('y', 'Y', 'asia');\n")
        .expect("valid");
        assert_eq!(
            inserts,
            [
                "execute lines 1-2 on regions: Insert([[Text(Some(\"asia\")), Text(Some(\"Asia\")), Text(None)], \
                 [Text(Some(\"x\")), Text(Some(\"X\")), Text(Some(\"asia\"))]])",
                "begin COPY regions (slug, name, parent_slug) FROM STDIN",
                "end 0 rows from line 0",
                "execute line 5 on regions: Insert([[Text(Some(\"y\")), Text(Some(\"Y\")), Text(Some(\"asia\"))]])",
            ]
        );
    }

    #[test]
    fn rejects_other_statements_naming_the_line() {
        for (extra, expected) in [
            (
                "UPDATE prices SET price = 1;",
                "dump.sql, line 10: unsupported statement `UPDATE prices SET ...`",
            ),
            (
                "DROP TABLE prices;",
                "dump.sql, line 10: unsupported statement `DROP TABLE prices`",
            ),
            (
                "INSERT INTO prices VALUES\n  ('A', 'B', date'2016-02-30', 1);",
                "dump.sql, line 11, column day: \"2016-02-30\" is not a valid date",
            ),
            (
                "INSERT INTO users VALUES (1);",
                "dump.sql, line 10: INSERT INTO unsupported table users",
            ),
            (
                "\\i other.sql",
                "dump.sql, line 10: unsupported psql meta-command \\i",
            ),
            (
                "DELETE FROM prices\n WHERE day = '2016-01-01'",
                "dump.sql, line 11: file ends inside the statement started at line 10",
            ),
            (
                "INSERT INTO regions VALUES ('x', 'it''s\n",
                "dump.sql, line 11: file ends inside the statement started at line 10",
            ),
            (
                "SELECT 1 \\gexec",
                "dump.sql, line 10: backslash outside a string",
            ),
        ] {
            let input = format!("{DUMP}\n{extra}\n");
            let error = run(&input).expect_err(extra);
            assert!(error.starts_with(expected), "{extra}: {error}");
        }
    }

    #[test]
    fn follows_standard_conforming_strings() {
        let input = "SET standard_conforming_strings = off;\n\
                     INSERT INTO regions VALUES ('a\\'; DELETE FROM prices; --', 'A', NULL);\n";
        let error = run(input).expect_err("backslash escapes");
        assert!(
            error.starts_with("dump.sql, line 2: backslash escapes in strings"),
            "{error}"
        );
        let input = "SET standard_conforming_strings = on;\n\
                     INSERT INTO regions VALUES ('a\\', 'A', NULL);\n";
        let events = run(input).expect("a plain backslash");
        assert!(events[0].contains(r#"Text(Some("a\\"))"#), "{events:?}");
    }

    #[test]
    fn reports_line_of_bad_rows_and_unterminated_blocks() {
        let bad = DUMP.replace("china_main\tChina Main\tasia", "china_main\tChina Main");
        assert_eq!(
            run(&bad),
            Err("dump.sql, line 6: expected 3 columns, found 2".into())
        );
        let unterminated = &DUMP[..DUMP.find("\\.").expect("terminator")];
        let expected = "dump.sql, line 6: file ends inside the COPY regions block started at line 4 \
                        (no \\. terminator; truncated?)";
        assert_eq!(run(unterminated), Err(expected.into()));
        let cut_mid_row = &DUMP[..DUMP.find("Main").expect("row")];
        assert_eq!(run(cut_mid_row), Err(expected.into()));
        let other = DUMP.replace(
            "public.regions (slug, name, parent_slug)",
            "public.users (id, name, x)",
        );
        let error = run(&other).expect_err("other table");
        assert!(
            error.starts_with("dump.sql, line 4: COPY into unsupported table public.users"),
            "{error}"
        );
        let empty = run("--\nSET x = 1;\n").expect_err("no data");
        assert!(
            empty.starts_with("dump.sql, line 2: no data for ports, regions or prices"),
            "{empty}"
        );
    }
}
