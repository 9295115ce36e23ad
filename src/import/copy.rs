//! The one way data gets into the tables: a blocking producer (file parser or
//! demo generator) encodes rows into `COPY` text chunks on a worker thread,
//! and the async side streams them with `COPY ... FROM STDIN` inside a single
//! transaction with deferred constraints. Parsing thus overlaps with the
//! server's work, and memory stays bounded by the channel.
//!
//! Between COPY segments a producer may also send a data statement (an
//! `INSERT` or `DELETE` from a dump, parsed and validated), which the loader
//! executes with bound values in the same transaction, in input order.

use std::path::PathBuf;

use sqlx::postgres::PgConnection;
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::mpsc;

use super::statement::{self, Statement};
use super::table::{Layout, Table, encode_copy_field};
use super::{ImportError, ImportMode};

/// Flush threshold; large enough that per-message overhead is negligible,
/// small enough that parsing and loading overlap.
const CHUNK_BYTES: usize = 256 * 1024;
/// Chunks in flight between producer and loader.
const CHANNEL_CHUNKS: usize = 8;

/// One run of rows loaded with a single `COPY` statement.
#[derive(Debug)]
pub(crate) struct Segment {
    pub layout: Layout,
    /// The input file, for error messages; `None` for generated data.
    pub file: Option<PathBuf>,
}

pub(crate) enum CopyEvent {
    Begin(Segment),
    Rows(Vec<u8>),
    End(LineIndex),
}

/// What a producer sends the loader, in input order.
pub(crate) enum Message {
    /// A step of a COPY segment.
    Copy(CopyEvent),
    /// A data statement, sent only between segments.
    Execute(Statement),
}

/// Why a producer stopped.
pub(crate) enum ProduceError {
    /// The loader hung up because it failed; its error is the one to report.
    Stopped,
    Failed(ImportError),
}

impl From<ImportError> for ProduceError {
    fn from(error: ImportError) -> Self {
        ProduceError::Failed(error)
    }
}

/// Producer side: buffers encoded rows and hands full chunks to the loader.
pub(crate) struct CopySender {
    tx: mpsc::Sender<Message>,
    buf: Vec<u8>,
}

impl CopySender {
    /// Sends to the loader (see `load`).
    pub(crate) fn to_loader(tx: mpsc::Sender<Message>) -> Self {
        CopySender {
            tx,
            buf: Vec::with_capacity(CHUNK_BYTES + 4096),
        }
    }

    pub fn begin(&mut self, segment: Segment) -> Result<(), ProduceError> {
        self.send(CopyEvent::Begin(segment))
    }

    /// Appends a row that is already valid `COPY` text (no line terminator).
    pub fn push_copy_text(&mut self, row: &[u8]) -> Result<(), ProduceError> {
        self.buf.extend_from_slice(row);
        self.end_row()
    }

    /// Appends a row of values (`None` is NULL), escaping them.
    pub fn push_fields<'a>(
        &mut self,
        fields: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<(), ProduceError> {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.buf.push(b'\t');
            }
            encode_copy_field(field, &mut self.buf);
        }
        self.end_row()
    }

    /// Ends the current segment; `lines` maps its rows back to file lines.
    pub fn end(&mut self, lines: LineIndex) -> Result<(), ProduceError> {
        self.flush()?;
        self.send(CopyEvent::End(lines))
    }

    /// Has the loader execute `statement` (between segments only).
    pub fn execute(&mut self, statement: Statement) -> Result<(), ProduceError> {
        debug_assert!(self.buf.is_empty(), "statement inside a COPY segment");
        self.tx
            .blocking_send(Message::Execute(statement))
            .map_err(|_| ProduceError::Stopped)
    }

    fn end_row(&mut self) -> Result<(), ProduceError> {
        self.buf.push(b'\n');
        if self.buf.len() >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ProduceError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 4096));
        self.send(CopyEvent::Rows(chunk))
    }

    fn send(&self, event: CopyEvent) -> Result<(), ProduceError> {
        self.tx
            .blocking_send(Message::Copy(event))
            .map_err(|_| ProduceError::Stopped)
    }
}

/// Maps a segment's row numbers (1-based, as in PostgreSQL's `COPY ..., line N`
/// error context) to file lines. Stores only the places where the two stop
/// advancing together, so it stays tiny for dumps and ordinary CSV.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct LineIndex {
    /// (first row, its line) for each run of consecutive lines.
    runs: Vec<(u64, u64)>,
    rows: u64,
}

impl LineIndex {
    /// Records that the next row comes from file line `line`.
    pub fn push(&mut self, line: u64) {
        self.rows += 1;
        let continues = self
            .runs
            .last()
            .is_some_and(|&(row, first)| first + (self.rows - row) == line);
        if !continues {
            self.runs.push((self.rows, line));
        }
    }

    pub fn line_of(&self, row: u64) -> Option<u64> {
        if row == 0 || row > self.rows {
            return None;
        }
        let run = self
            .runs
            .partition_point(|&(first_row, _)| first_row <= row);
        let (first_row, first_line) = self.runs[run.checked_sub(1)?];
        Some(first_line + (row - first_row))
    }
}

/// Rows changed per table, indexed by `Table::index`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// By COPY segments and INSERT statements.
    pub inserted: [u64; 3],
    /// By DELETE statements (not by emptying a table in replace mode).
    pub deleted: [u64; 3],
}

impl Counts {
    pub fn inserted(&self, table: Table) -> u64 {
        self.inserted[table.index()]
    }

    pub fn deleted(&self, table: Table) -> u64 {
        self.deleted[table.index()]
    }
}

/// Runs `producer` on a blocking thread and loads what it sends, all in one
/// transaction that is committed only if both sides succeed.
pub(crate) async fn load<P>(
    pool: &PgPool,
    mode: ImportMode,
    producer: P,
) -> Result<Counts, ImportError>
where
    P: FnOnce(&mut CopySender) -> Result<(), ProduceError> + Send + 'static,
{
    let mut tx = begin(pool).await?;
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    let task = tokio::task::spawn_blocking(move || producer(&mut CopySender::to_loader(sender)));

    let loaded = consume(&mut tx, mode, receiver).await;
    // The receiver is gone now, so a producer still running stops at its next send.
    let produced = task.await.unwrap_or_else(|panic| {
        Err(ProduceError::Failed(ImportError::Internal(
            panic.to_string(),
        )))
    });

    let counts = match (produced, loaded) {
        (Err(ProduceError::Failed(error)), _) | (_, Err(error)) => {
            rollback(tx).await;
            return Err(error);
        }
        (Err(ProduceError::Stopped), Ok(_)) => {
            rollback(tx).await;
            return Err(ImportError::Internal("loader stopped unexpectedly".into()));
        }
        (Ok(()), Ok(counts)) => counts,
    };
    tx.commit()
        .await
        .map_err(|e| ImportError::database("commit", &e))?;
    refresh_statistics(pool).await;
    Ok(counts)
}

/// A bulk load leaves the planner's statistics behind until autovacuum gets
/// to them; the read model's change query (`lane_days.version >= $1`) would
/// then scan millions of rows instead of using its index. The data is
/// committed either way, so a failure here is only logged.
async fn refresh_statistics(pool: &PgPool) {
    if let Err(e) = sqlx::query("ANALYZE prices, lane_days, ports, regions")
        .execute(pool)
        .await
    {
        tracing::warn!(error = %e, "ANALYZE after the import failed");
    }
}

async fn begin(pool: &PgPool) -> Result<Transaction<'static, Postgres>, ImportError> {
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| ImportError::database("starting transaction", &e))?;
    // Dumps load tables in any order (prices before regions): check keys at commit.
    sqlx::query("SET CONSTRAINTS ALL DEFERRED")
        .execute(&mut *tx)
        .await
        .map_err(|e| ImportError::database("deferring constraints", &e))?;
    Ok(tx)
}

async fn rollback(tx: Transaction<'static, Postgres>) {
    if let Err(error) = tx.rollback().await {
        // Nothing was committed either way; the import error is the one to report.
        tracing::warn!(%error, "rollback after failed import");
    }
}

/// Loads segments and executes statements until the producer is done.
/// Returns early (without error) if the producer quits mid-segment; its own
/// result says why.
async fn consume(
    conn: &mut PgConnection,
    mode: ImportMode,
    mut receiver: mpsc::Receiver<Message>,
) -> Result<Counts, ImportError> {
    let mut counts = Counts::default();
    let mut emptied = [false; 3];
    while let Some(message) = receiver.recv().await {
        match message {
            Message::Copy(CopyEvent::Begin(segment)) => {
                let table = segment.layout.table;
                empty_once(conn, mode, &mut emptied, table).await?;
                match copy_segment(conn, &segment, &mut receiver).await? {
                    Some(rows) => counts.inserted[table.index()] += rows,
                    None => break,
                }
            }
            Message::Execute(statement) => {
                let table = statement.table;
                empty_once(conn, mode, &mut emptied, table).await?;
                let rows = statement::execute(conn, &statement).await?;
                tracing::debug!(
                    table = table.name(),
                    line = statement.line,
                    rows,
                    "executed"
                );
                if statement.rows_inserted() {
                    counts.inserted[table.index()] += rows;
                } else {
                    counts.deleted[table.index()] += rows;
                }
            }
            Message::Copy(_) => {
                return Err(ImportError::Internal("rows sent outside a segment".into()));
            }
        }
    }
    Ok(counts)
}

/// In replace mode, empties `table` before the input's first rows or
/// statement for it; only once, so that later ones add to (or delete from)
/// what the input loaded.
async fn empty_once(
    conn: &mut PgConnection,
    mode: ImportMode,
    emptied: &mut [bool; 3],
    table: Table,
) -> Result<(), ImportError> {
    if mode == ImportMode::Replace && !emptied[table.index()] {
        empty_table(conn, table).await?;
        emptied[table.index()] = true;
    }
    Ok(())
}

/// `DELETE` rather than `TRUNCATE`: readers keep seeing the old rows until commit.
async fn empty_table(conn: &mut PgConnection, table: Table) -> Result<(), ImportError> {
    let deleted = sqlx::query(table.delete_sql())
        .execute(&mut *conn)
        .await
        .map_err(|e| ImportError::database(format!("emptying {}", table.name()), &e))?;
    tracing::debug!(
        table = table.name(),
        rows = deleted.rows_affected(),
        "emptied"
    );
    Ok(())
}

/// Streams one segment's chunks; `None` if the producer quit before its end.
async fn copy_segment(
    conn: &mut PgConnection,
    segment: &Segment,
    receiver: &mut mpsc::Receiver<Message>,
) -> Result<Option<u64>, ImportError> {
    let context = || segment_context(segment, None);
    let mut copy = conn
        .copy_in_raw(&segment.layout.copy_sql())
        .await
        .map_err(|e| ImportError::database(context(), &e))?;
    loop {
        match receiver.recv().await {
            Some(Message::Copy(CopyEvent::Rows(chunk))) => {
                // On error `copy` is dropped, which queues a CopyFail; the
                // transaction is rolled back after that.
                copy.send(chunk)
                    .await
                    .map_err(|e| ImportError::database(context(), &e))?;
            }
            Some(Message::Copy(CopyEvent::End(lines))) => {
                let rows = copy
                    .finish()
                    .await
                    .map_err(|e| copy_error(segment, &lines, &e))?;
                tracing::debug!(table = segment.layout.table.name(), rows, "copied");
                return Ok(Some(rows));
            }
            Some(Message::Copy(CopyEvent::Begin(_))) => {
                return Err(ImportError::Internal("segment started twice".into()));
            }
            Some(Message::Execute(_)) => {
                return Err(ImportError::Internal("statement inside a segment".into()));
            }
            None => {
                copy.abort("import input failed")
                    .await
                    .map_err(|e| ImportError::database(context(), &e))?;
                return Ok(None);
            }
        }
    }
}

/// A server error during `COPY`, located in the input file when PostgreSQL
/// says which row it was.
fn copy_error(segment: &Segment, lines: &LineIndex, error: &sqlx::Error) -> ImportError {
    let line = error
        .as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
        .and_then(|pg| pg.r#where())
        .and_then(copy_context_row)
        .and_then(|row| lines.line_of(row));
    ImportError::database(segment_context(segment, line), error)
}

fn segment_context(segment: &Segment, line: Option<u64>) -> String {
    let table = segment.layout.table.name();
    match (&segment.file, line) {
        (Some(file), Some(line)) => format!("{}, line {line}: loading {table}", file.display()),
        (Some(file), None) => format!("{}: loading {table}", file.display()),
        (None, _) => format!("loading {table}"),
    }
}

/// The row number in PostgreSQL's error context `COPY ports, line 3: "..."`.
fn copy_context_row(context: &str) -> Option<u64> {
    let first = context.lines().next()?;
    let rest = first.strip_prefix("COPY ")?;
    let after = &rest[rest.find(", line ")? + ", line ".len()..];
    let digits = after.split(|c: char| !c.is_ascii_digit()).next()?;
    digits.parse().ok()
}

/// Test helper: the messages a producer sent, as text.
#[cfg(test)]
pub(crate) fn drain_for_test(receiver: &mut mpsc::Receiver<Message>) -> Vec<String> {
    let mut events = Vec::new();
    while let Ok(message) = receiver.try_recv() {
        events.push(match message {
            Message::Copy(CopyEvent::Begin(segment)) => {
                format!("begin {}", segment.layout.copy_sql())
            }
            Message::Copy(CopyEvent::Rows(chunk)) => {
                format!("rows {}", String::from_utf8_lossy(&chunk))
            }
            Message::Copy(CopyEvent::End(lines)) => format!(
                "end {} rows from line {}",
                lines.rows,
                lines.line_of(1).unwrap_or(0)
            ),
            Message::Execute(statement) => {
                let lines = if statement.last_line == statement.line {
                    format!("line {}", statement.line)
                } else {
                    format!("lines {}-{}", statement.line, statement.last_line)
                };
                let table = statement.table.name();
                format!("execute {lines} on {table}: {:?}", statement.action)
            }
        });
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_maps_rows_through_gaps() {
        let mut index = LineIndex::default();
        for line in [2, 3, 4, 7, 8, 10] {
            index.push(line);
        }
        let lines: Vec<_> = (0..=7).map(|row| index.line_of(row)).collect();
        assert_eq!(
            lines,
            [
                None,
                Some(2),
                Some(3),
                Some(4),
                Some(7),
                Some(8),
                Some(10),
                None
            ]
        );
        assert_eq!(index.runs.len(), 3);
    }

    #[test]
    fn finds_row_in_copy_error_context() {
        assert_eq!(copy_context_row("COPY ports, line 3"), Some(3));
        assert_eq!(
            copy_context_row("COPY prices, line 12, column day: \"2021-13-01\""),
            Some(12)
        );
        assert_eq!(copy_context_row("SQL statement \"SELECT 1\""), None);
    }
}
