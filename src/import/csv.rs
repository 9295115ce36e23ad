//! CSV input: the header row names the columns, and so the table.
//! Values are trimmed; an empty region `parent_slug` means NULL (CSV has no
//! other way to say it).

use std::io::Read;
use std::path::Path;

use ::csv::{ReaderBuilder, StringRecord, Trim};

use super::ImportError;
use super::copy::{CopySender, LineIndex, ProduceError, Segment};
use super::table::{Column, Kind, Layout, RowError, check_value};

pub(crate) fn load(
    file: &Path,
    reader: impl Read,
    out: &mut CopySender,
) -> Result<(), ProduceError> {
    let mut csv = ReaderBuilder::new()
        .has_headers(false)
        // Column counts are checked below, with our error message.
        .flexible(true)
        .trim(Trim::All)
        .from_reader(reader);
    let mut record = StringRecord::new();
    if !next_record(&mut csv, &mut record, file)? {
        return Err(format_error(file, 1, "empty file: expected a CSV header row".into()).into());
    }
    let header: Vec<&str> = record.iter().collect();
    let layout = Layout::from_header(&header)
        .map_err(|reason| format_error(file, line_of(&record), reason))?;
    out.begin(Segment {
        layout: layout.clone(),
        file: Some(file.to_owned()),
    })?;
    let mut lines = LineIndex::default();
    while next_record(&mut csv, &mut record, file)? {
        let line = line_of(&record);
        check_record(&record, &layout).map_err(|e| e.at(file, line))?;
        out.push_fields(values(&record, &layout))?;
        lines.push(line);
    }
    out.end(lines)
}

fn next_record<R: Read>(
    csv: &mut ::csv::Reader<R>,
    record: &mut StringRecord,
    file: &Path,
) -> Result<bool, ImportError> {
    csv.read_record(record).map_err(|e| csv_error(file, e))
}

fn csv_error(file: &Path, error: ::csv::Error) -> ImportError {
    let line = error.position().map(|p| p.line());
    match error.into_kind() {
        ::csv::ErrorKind::Io(error) => ImportError::Read {
            file: file.to_owned(),
            error,
        },
        ::csv::ErrorKind::Utf8 { err, .. } => format_error(
            file,
            line.unwrap_or(0),
            format!("field {} is not valid UTF-8", err.field() + 1),
        ),
        other => format_error(file, line.unwrap_or(0), format!("{other:?}")),
    }
}

fn format_error(file: &Path, line: u64, reason: String) -> ImportError {
    ImportError::Format {
        file: file.to_owned(),
        line,
        reason,
    }
}

/// 1-based line where the record starts (records can span lines).
fn line_of(record: &StringRecord) -> u64 {
    record.position().map_or(0, |p| p.line())
}

fn value<'r>(column: &Column, field: &'r str) -> Option<&'r str> {
    if field.is_empty() && column.kind == Kind::OptionalText {
        None
    } else {
        Some(field)
    }
}

fn values<'r>(
    record: &'r StringRecord,
    layout: &'r Layout,
) -> impl Iterator<Item = Option<&'r str>> {
    layout
        .columns
        .iter()
        .zip(record.iter())
        .map(|(column, field)| value(column, field))
}

fn check_record(record: &StringRecord, layout: &Layout) -> Result<(), RowError> {
    if record.len() != layout.columns.len() {
        return Err(RowError::ColumnCount {
            expected: layout.columns.len(),
            found: record.len(),
        });
    }
    for (column, field) in layout.columns.iter().zip(record.iter()) {
        check_value(column, value(column, field)).map_err(|reason| RowError::Value {
            column: column.name,
            reason,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::copy::drain_for_test;
    use super::*;

    fn run(input: &str) -> Result<Vec<String>, String> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        let mut out = CopySender::to_loader(tx);
        let result = load(Path::new("data.csv"), input.as_bytes(), &mut out);
        drop(out);
        match result {
            Ok(()) => Ok(drain_for_test(&mut rx)),
            Err(ProduceError::Failed(e)) => Err(e.to_string()),
            Err(ProduceError::Stopped) => Err("stopped".into()),
        }
    }

    #[test]
    fn picks_table_from_header_and_keeps_its_order() {
        let events =
            run("\u{feff}slug, parent_slug ,name\nasia,,Asia\nchina_main,asia,\"China, Main\"\n")
                .expect("valid csv");
        assert_eq!(
            events,
            [
                "begin COPY regions (slug, parent_slug, name) FROM STDIN",
                "rows asia\t\\N\tAsia\nchina_main\tasia\tChina, Main\n",
                "end 2 rows from line 2",
            ]
        );
    }

    #[test]
    fn escapes_copy_specials_in_values() {
        let events =
            run("code,name,parent_slug\nNOOSL,\"Tab\there\nand \\ more\",x\n").expect("valid");
        assert_eq!(events[1], "rows NOOSL\tTab\\there\\nand \\\\ more\tx\n");
    }

    #[test]
    fn reports_file_line_and_column() {
        let bad_date = "orig_code,dest_code,day,price\nA,B,2021-01-01,5\nA,B,2021-02-30,5\n";
        assert_eq!(
            run(bad_date),
            Err("data.csv, line 3, column day: \"2021-02-30\" is not a valid date".into())
        );
        let short = "code,name,parent_slug\nNOOSL,Oslo\n";
        assert_eq!(
            run(short),
            Err("data.csv, line 2: expected 3 columns, found 2".into())
        );
        let empty_parent = "code,name,parent_slug\nNOOSL,Oslo,\n";
        assert_eq!(
            run(empty_parent),
            Err("data.csv, line 2, column parent_slug: must not be empty".into())
        );
        let bad_price = "price,orig_code,dest_code,day\n-3,A,B,2021-01-01\n";
        assert!(run(bad_price).is_err_and(|e| e.starts_with("data.csv, line 2, column price:")));
    }

    #[test]
    fn rejects_unknown_headers_and_empty_files() {
        let unknown = run("code,name\nX,Y\n").expect_err("unknown header");
        assert!(
            unknown.starts_with("data.csv, line 1: header \"code,name\" names no known table"),
            "{unknown}"
        );
        assert!(run("").is_err());
    }

    #[test]
    fn header_only_is_an_empty_segment() {
        let events = run("code,name,parent_slug\n").expect("valid");
        assert_eq!(events.len(), 2, "{events:?}");
    }
}
