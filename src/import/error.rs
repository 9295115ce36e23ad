use std::fmt;
use std::path::PathBuf;

/// Why an import (or demo load) failed. Nothing was written when this is returned.
///
/// Messages never contain connection details: database errors carry only the
/// server's message and detail.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {error}", file.display())]
    Read {
        file: PathBuf,
        error: std::io::Error,
    },

    /// The file's structure is wrong: unknown table, bad header, unterminated COPY block...
    #[error("{}, line {line}: {reason}", file.display())]
    Format {
        file: PathBuf,
        line: u64,
        reason: String,
    },

    #[error("{}, line {line}: expected {expected} columns, found {found}", file.display())]
    ColumnCount {
        file: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
    },

    #[error("{}, line {line}, column {column}: {reason}", file.display())]
    Value {
        file: PathBuf,
        line: u64,
        column: &'static str,
        reason: String,
    },

    /// PostgreSQL refused the data, e.g. a duplicate key while copying or a
    /// foreign-key violation at commit.
    #[error("{context}: {message}{}", Detail(detail.as_deref()))]
    Database {
        /// Where it happened: file and line when known, else the step (`commit`, ...).
        context: String,
        message: String,
        detail: Option<String>,
        /// The SQLSTATE, when the server sent one.
        code: Option<String>,
    },

    #[error("invalid options: {0}")]
    InvalidOptions(String),

    #[error("import task failed: {0}")]
    Internal(String),
}

struct Detail<'a>(Option<&'a str>);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(detail) => write!(f, " ({detail})"),
            None => Ok(()),
        }
    }
}

impl ImportError {
    /// Keeps the server's message and detail, not sqlx's wrapper text.
    pub(crate) fn database(context: impl Into<String>, error: &sqlx::Error) -> ImportError {
        let (message, detail, code) = match error.as_database_error() {
            Some(db) => {
                let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
                (
                    db.message().to_owned(),
                    pg.and_then(|e| e.detail()).map(str::to_owned),
                    db.code().map(|c| c.into_owned()),
                )
            }
            None => (error.to_string(), None, None),
        };
        ImportError::Database {
            context: context.into(),
            message,
            detail,
            code,
        }
    }
}
