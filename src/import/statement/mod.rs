//! The statements of a pg_dump plain file besides its COPY blocks.
//!
//! Data changes on our tables are recognised strictly and nothing else:
//!
//! ```text
//! INSERT INTO [public.]<ports|regions|prices> [(<column>, ...)] VALUES (<literal>, ...)[, (...)]...;
//! DELETE FROM [public.]<table> [WHERE <column> = <literal> [AND <column> = <literal>]...];
//! ```
//!
//! where a literal is a quoted string (`''` for a quote; backslash escapes
//! are refused), an integer (for `price` only), `NULL` or `date '...'` (for
//! `day` only). Values are validated like COPY rows (`table::check_value`)
//! and the statements are executed with bound parameters, never with the
//! file's text. Consecutive INSERTs into one table run as one statement (up
//! to `MAX_BATCH_ROWS` rows), which `pg_dump --inserts` output needs.
//!
//! The schema statements pg_dump writes (SET, `SELECT pg_catalog.set_config`,
//! CREATE TABLE (not `AS` a query), CREATE [UNIQUE] INDEX, CREATE SCHEMA
//! (without elements), CREATE EXTENSION, ALTER TABLE with one `ADD
//! CONSTRAINT` or `OWNER TO`, ALTER SCHEMA ... OWNER TO, COMMENT, GRANT,
//! REVOKE) are skipped: the schema is ours. Any other statement is an error,
//! because skipping it could load something other than what psql would.
//!
//! `parse` turns a statement's tokens into typed, validated values
//! (`parse::literals` for the values, `parse::schema` for what is skipped);
//! `execute` runs them.

mod execute;
mod parse;

use std::path::PathBuf;

use chrono::NaiveDate;

use super::table::{Column, Table};

pub(crate) use execute::execute;
pub(crate) use parse::{Parsed, parse};

/// Rows up to which consecutive INSERTs into one table are run as one
/// statement (what `pg_dump --inserts` writes, one row each, would otherwise
/// cost a round trip and a trigger run per row).
const MAX_BATCH_ROWS: usize = 1_000;

/// A data change, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub table: Table,
    pub action: Action,
    /// Where it starts, for error messages.
    pub file: PathBuf,
    pub line: u64,
    /// Where the last statement merged into it starts (`line` if none was).
    pub last_line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    /// Rows, each with a value per column of the table in declared order
    /// (a column the statement does not name is NULL: ours have no defaults).
    Insert(Vec<Vec<Value>>),
    /// Rows where every `column = value` holds; all rows if there is none.
    Delete(Vec<(&'static Column, Value)>),
}

/// A validated value, typed for binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Text(Option<String>),
    Date(NaiveDate),
    Int(i32),
}

impl Statement {
    pub fn rows_inserted(&self) -> bool {
        matches!(self.action, Action::Insert(_))
    }

    /// Appends the rows of `next`, an INSERT into the same table that comes
    /// right after this one, unless this batch is full or either is not an
    /// INSERT: then `next` is given back. One statement inserts the same rows
    /// as several, with the same effect.
    pub fn merge(&mut self, next: Statement) -> Result<(), Statement> {
        match (&mut self.action, next.action) {
            (Action::Insert(rows), Action::Insert(more))
                if next.table == self.table && rows.len() + more.len() <= MAX_BATCH_ROWS =>
            {
                rows.extend(more);
                self.last_line = next.line;
                Ok(())
            }
            (_, action) => Err(Statement { action, ..next }),
        }
    }

    fn context(&self) -> String {
        let verb = match self.action {
            Action::Insert(_) => "INSERT INTO",
            Action::Delete(_) => "DELETE FROM",
        };
        let lines = if self.last_line == self.line {
            format!("line {}", self.line)
        } else {
            format!("lines {}-{}", self.line, self.last_line)
        };
        format!(
            "{}, {lines}: {verb} {}",
            self.file.display(),
            self.table.name()
        )
    }
}

#[cfg(test)]
mod tests;
