//! Bulk import of ports, regions and prices from pg_dump plain-SQL files or
//! CSV files, all-or-nothing, streamed with `COPY`. A dump's INSERT and
//! DELETE statements on those tables are applied too, in file order, so the
//! result is what psql would load (see `statement`).
//!
//! Rows are validated as they stream so that bad input is reported with file,
//! line and column; what only the database can check (foreign keys, across
//! files and existing rows) is checked at commit, with constraints deferred.

pub(crate) mod copy;
mod csv;
mod error;
mod pgdump;
mod sql;
mod statement;
pub(crate) mod table;

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

use self::copy::{CopySender, Counts, ProduceError};
use self::table::Table;
pub use error::ImportError;

/// Read buffer per file; also what format sniffing looks at.
const READ_BUFFER: usize = 256 * 1024;

/// What happens to the existing rows of the tables the input contains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// Each table present in the input (with rows, an INSERT or a DELETE) is
    /// emptied (with `DELETE`, so readers keep seeing the old rows until
    /// commit) before the first of them, and reloaded.
    #[default]
    Replace,
    /// Rows are added; a port or region key that already exists is an error.
    /// A DELETE statement in the input applies to the existing rows too.
    Append,
}

impl fmt::Display for ImportMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportMode::Replace => "replace",
            ImportMode::Append => "append",
        })
    }
}

impl FromStr for ImportMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "replace" => Ok(ImportMode::Replace),
            "append" => Ok(ImportMode::Append),
            other => Err(format!(
                "unknown import mode \"{other}\" (expected replace or append)"
            )),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Show a progress bar on stderr (indicatif hides it when stderr is not a terminal).
    pub progress: bool,
}

/// Rows changed per table, for humans (`Display`) and programs (fields).
///
/// `ports`, `regions` and `prices` count the rows inserted (COPY blocks, CSV
/// rows, INSERT statements); the `*_deleted` fields the rows removed by the
/// input's DELETE statements, which can come after the rows they remove. In
/// replace mode a table of the input ends with `inserted - deleted` rows (it
/// was emptied first, and that emptying is not counted as deleted); in append
/// mode a DELETE may also remove rows that were there before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub ports: u64,
    pub regions: u64,
    pub prices: u64,
    pub ports_deleted: u64,
    pub regions_deleted: u64,
    pub prices_deleted: u64,
    pub elapsed: Duration,
    pub mode: ImportMode,
}

impl ImportSummary {
    pub(crate) fn new(counts: Counts, elapsed: Duration, mode: ImportMode) -> Self {
        ImportSummary {
            ports: counts.inserted(Table::Ports),
            regions: counts.inserted(Table::Regions),
            prices: counts.inserted(Table::Prices),
            ports_deleted: counts.deleted(Table::Ports),
            regions_deleted: counts.deleted(Table::Regions),
            prices_deleted: counts.deleted(Table::Prices),
            elapsed,
            mode,
        }
    }
}

impl fmt::Display for ImportSummary {
    /// `imported 143 ports, 20 regions, 56,690 prices, deleted 3,634 prices
    /// in 0.41 s (replaced)`; the `deleted` part only when there were DELETEs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} ports, {} regions, {} prices",
            group_thousands(self.ports),
            group_thousands(self.regions),
            group_thousands(self.prices),
        )?;
        let deleted: Vec<String> = [
            (self.ports_deleted, "ports"),
            (self.regions_deleted, "regions"),
            (self.prices_deleted, "prices"),
        ]
        .into_iter()
        .filter(|&(rows, _)| rows > 0)
        .map(|(rows, table)| format!("{} {table}", group_thousands(rows)))
        .collect();
        if !deleted.is_empty() {
            write!(f, ", deleted {}", deleted.join(", "))?;
        }
        write!(
            f,
            " in {:.2} s ({})",
            self.elapsed.as_secs_f64(),
            match self.mode {
                ImportMode::Replace => "replaced",
                ImportMode::Append => "appended",
            }
        )
    }
}

/// `56689` -> `56,689`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Imports `files` (each a pg_dump plain-SQL file or a CSV file with a
/// header) in one transaction: either everything is loaded or nothing is.
pub async fn import_files(
    pool: &PgPool,
    files: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    // Sizes first: the progress total, and a missing file fails before any work.
    let total = total_size(files).await?;
    let progress = progress_bar(opts.progress, total);
    let files = files.to_vec();
    let bar = progress.clone();
    let loaded = copy::load(pool, opts.mode, move |out| read_files(&files, &bar, out)).await;
    progress.finish_and_clear();
    let summary = ImportSummary::new(loaded?, started.elapsed(), opts.mode);
    tracing::info!(
        ports = summary.ports,
        regions = summary.regions,
        prices = summary.prices,
        ports_deleted = summary.ports_deleted,
        regions_deleted = summary.regions_deleted,
        prices_deleted = summary.prices_deleted,
        elapsed_ms = summary.elapsed.as_millis(),
        mode = %summary.mode,
        "import committed"
    );
    Ok(summary)
}

async fn total_size(files: &[PathBuf]) -> Result<u64, ImportError> {
    let mut total = 0;
    for file in files {
        let metadata = tokio::fs::metadata(file)
            .await
            .map_err(|error| ImportError::Read {
                file: file.clone(),
                error,
            })?;
        total += metadata.len();
    }
    Ok(total)
}

fn progress_bar(enabled: bool, total: u64) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(total)
        .with_style(style)
        .with_message("importing")
}

fn read_files(
    files: &[PathBuf],
    progress: &ProgressBar,
    out: &mut CopySender,
) -> Result<(), ProduceError> {
    for file in files {
        read_file(file, progress, out)?;
    }
    // The foreign-key checks at commit can take longer than reading.
    progress.set_message("committing");
    Ok(())
}

fn read_file(
    file: &Path,
    progress: &ProgressBar,
    out: &mut CopySender,
) -> Result<(), ProduceError> {
    let read_error = |error| ImportError::Read {
        file: file.to_owned(),
        error,
    };
    let handle = File::open(file).map_err(read_error)?;
    let mut reader = BufReader::with_capacity(READ_BUFFER, progress.wrap_read(handle));
    let head = reader.fill_buf().map_err(read_error)?;
    tracing::debug!(file = %file.display(), format = ?Format::sniff(head), "reading");
    match Format::sniff(head) {
        Format::Csv => csv::load(file, reader, out),
        Format::PgDump => pgdump::load(file, reader, out),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Format {
    PgDump,
    Csv,
}

impl Format {
    /// By content, not name: the first non-blank line of a CSV file is a
    /// comma-separated header, while a pg_dump file starts with a comment or
    /// a statement.
    fn sniff(head: &[u8]) -> Format {
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        let first = head
            .split(|&b| b == b'\n')
            .map(|line| String::from_utf8_lossy(line).trim().to_owned())
            .find(|line| !line.is_empty())
            .unwrap_or_default();
        let sql_like = first.starts_with("--")
            || first.starts_with("/*")
            || first.starts_with('\\')
            || first.ends_with(';');
        if !sql_like && first.contains(',') {
            Format::Csv
        } else {
            Format::PgDump
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_format_from_first_line() {
        assert_eq!(
            Format::sniff(b"--\n-- PostgreSQL database dump\n"),
            Format::PgDump
        );
        assert_eq!(Format::sniff(b"SET a = 1, b;\nCOPY x"), Format::PgDump);
        assert_eq!(
            Format::sniff(b"\xef\xbb\xbf\ncode,name,parent_slug\n"),
            Format::Csv
        );
        assert_eq!(Format::sniff(b"\"day\",\"price\""), Format::Csv);
        assert_eq!(Format::sniff(b""), Format::PgDump);
    }

    #[test]
    fn summary_reads_well() {
        let mut summary = ImportSummary {
            ports: 143,
            regions: 20,
            prices: 56_689,
            ports_deleted: 0,
            regions_deleted: 0,
            prices_deleted: 0,
            elapsed: Duration::from_millis(412),
            mode: ImportMode::Replace,
        };
        assert_eq!(
            summary.to_string(),
            "imported 143 ports, 20 regions, 56,689 prices in 0.41 s (replaced)"
        );
        summary.prices = 56_690;
        summary.prices_deleted = 3_634;
        summary.regions_deleted = 1;
        summary.mode = ImportMode::Append;
        assert_eq!(
            summary.to_string(),
            "imported 143 ports, 20 regions, 56,690 prices, deleted 1 regions, 3,634 prices \
             in 0.41 s (appended)"
        );
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(10_000_000), "10,000,000");
    }

    #[test]
    fn modes_parse_and_print() {
        assert_eq!("append".parse(), Ok(ImportMode::Append));
        assert_eq!(ImportMode::default().to_string(), "replace");
        assert!("merge".parse::<ImportMode>().is_err());
    }
}
