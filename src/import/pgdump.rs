//! pg_dump plain-SQL input: only the `COPY ... FROM stdin;` blocks for our
//! tables are loaded; every other statement (SET, CREATE, ALTER, even a
//! trailing DELETE) is skipped, because the schema is ours, not the dump's.
//!
//! Like psql, this recognises a COPY statement only at the start of a line,
//! which is how pg_dump writes them.

use std::io::BufRead;
use std::path::Path;

use super::ImportError;
use super::copy::{CopySender, LineIndex, ProduceError, Segment};
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
        blocks: 0,
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
        parser.line(line_no, trim_line_end(&buf))?;
    }
    parser.finish(line_no)
}

struct Parser<'a> {
    file: &'a Path,
    out: &'a mut CopySender,
    block: Option<Block>,
    blocks: usize,
}

impl Parser<'_> {
    fn line(&mut self, line_no: u64, line: &[u8]) -> Result<(), ProduceError> {
        match self.block.take() {
            None => self.statement(line_no, line),
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

    /// Outside a block: starts one at a COPY statement, skips anything else.
    fn statement(&mut self, line_no: u64, line: &[u8]) -> Result<(), ProduceError> {
        let Some(layout) =
            copy_header(line).map_err(|reason| format_error(self.file, line_no, reason))?
        else {
            return Ok(());
        };
        self.out.begin(Segment {
            layout: layout.clone(),
            file: Some(self.file.to_owned()),
        })?;
        self.block = Some(Block {
            layout,
            header_line: line_no,
            lines: LineIndex::default(),
        });
        self.blocks += 1;
        Ok(())
    }

    fn finish(self, last_line: u64) -> Result<(), ProduceError> {
        if let Some(open) = self.block {
            let reason = format!(
                "file ends inside the COPY {} block started at line {} (no \\. terminator; truncated?)",
                open.layout.table.name(),
                open.header_line
            );
            return Err(format_error(self.file, last_line, reason).into());
        }
        if self.blocks == 0 {
            let reason = "no COPY block for ports, regions or prices found; \
                          expected a pg_dump plain-SQL file with COPY data (not --inserts) \
                          or a CSV file with a header";
            return Err(format_error(self.file, last_line.max(1), reason.into()).into());
        }
        Ok(())
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
        let mut out = CopySender::new(tx);
        let result = load(Path::new("dump.sql"), input.as_bytes(), &mut out);
        drop(out);
        match result {
            Ok(()) => Ok(super::super::copy::drain_for_test(&mut rx)),
            Err(ProduceError::Failed(e)) => Err(e.to_string()),
            Err(ProduceError::Stopped) => Err("stopped".into()),
        }
    }

    const DUMP: &str = "--\n-- header\nSET x = 1;\nCOPY public.regions (slug, name, parent_slug) FROM stdin;\n\
                        asia\tAsia\t\\N\r\nchina_main\tChina Main\tasia\n\\.\nALTER TABLE x;\n";

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
        let empty = run("--\n").expect_err("no data");
        assert!(
            empty.starts_with("dump.sql, line 1: no COPY block"),
            "{empty}"
        );
    }
}
