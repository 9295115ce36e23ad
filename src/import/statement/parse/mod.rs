//! Classifies a statement's tokens (see the parent module for the grammar):
//! data changes on our tables become `Parsed::Data` with validated values,
//! pg_dump's schema statements are skipped, anything else is an error.

mod literals;
mod schema;

use super::{Action, Value};
use crate::import::ImportError;
use crate::import::sql::{Token, TokenKind};
use crate::import::table::{Column, RowError, Table};
use literals::{Literal, literal, value};
use schema::{is_harmless_alter, is_harmless_create, is_set_config, set};

/// What a statement amounts to.
#[derive(Debug, PartialEq)]
pub(crate) enum Parsed {
    /// Changes nothing in our data.
    Skip,
    /// `SET standard_conforming_strings`: whether `'...'` is free of backslash escapes.
    StandardStrings(bool),
    Data {
        table: Table,
        action: Action,
        line: u64,
    },
}

/// A statement that cannot be imported, before the file is known.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    Format { line: u64, reason: String },
    Row { line: u64, error: RowError },
}

impl ParseError {
    pub fn at(self, file: &std::path::Path) -> ImportError {
        match self {
            ParseError::Format { line, reason } => ImportError::Format {
                file: file.to_owned(),
                line,
                reason,
            },
            ParseError::Row { line, error } => error.at(file, line),
        }
    }
}

/// Classifies one statement (its tokens, without the `;` that ended on `end_line`).
pub(crate) fn parse(tokens: &[Token], end_line: u64) -> Result<Parsed, ParseError> {
    let mut cursor = Cursor {
        tokens,
        pos: 0,
        end_line,
    };
    let Some(first) = tokens.first() else {
        return Ok(Parsed::Skip);
    };
    let line = first.line;
    let verb = match &first.kind {
        TokenKind::Word(word) => word.to_ascii_uppercase(),
        _ => String::new(),
    };
    cursor.pos = 1;
    match verb.as_str() {
        "INSERT" => insert(&mut cursor, line),
        "DELETE" => delete(&mut cursor, line),
        "SET" => set(&mut cursor),
        "SELECT" if is_set_config(&mut cursor)? => Ok(Parsed::Skip),
        "CREATE" if is_harmless_create(&mut cursor) => Ok(Parsed::Skip),
        "ALTER" if is_harmless_alter(&mut cursor) => Ok(Parsed::Skip),
        "COMMENT" if cursor.keywords(&["ON"]) => Ok(Parsed::Skip),
        "GRANT" | "REVOKE" => Ok(Parsed::Skip),
        "COPY" => Err(ParseError::Format {
            line,
            reason: "a COPY statement must be on one line of its own, \
                     `COPY table (columns) FROM stdin;`, as pg_dump writes it"
                .into(),
        }),
        _ => Err(ParseError::Format {
            line,
            reason: format!(
                "unsupported statement `{}`: only INSERT INTO and DELETE FROM ports, regions \
                 or prices, COPY blocks, and pg_dump's schema statements (SET, CREATE TABLE, \
                 ALTER TABLE ... ADD CONSTRAINT, COMMENT...) can be imported",
                head(tokens)
            ),
        }),
    }
}

/// The first tokens of a statement, for messages.
fn head(tokens: &[Token]) -> String {
    let mut out = String::new();
    for token in tokens.iter().take(3) {
        if !out.is_empty() {
            out.push(' ');
        }
        match &token.kind {
            TokenKind::Word(w) | TokenKind::Number(w) | TokenKind::Other(w) => out.push_str(w),
            TokenKind::QuotedIdent(i) => out.push_str(&format!("\"{i}\"")),
            TokenKind::Str(_) => out.push_str("'...'"),
            TokenKind::Punct(c) => out.push(*c),
        }
    }
    if tokens.len() > 3 {
        out.push_str(" ...");
    }
    out
}

struct Cursor<'a> {
    tokens: &'a [Token],
    pos: usize,
    end_line: u64,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.pos);
        self.pos += 1;
        token
    }

    /// Line of the next token, or of the `;` if there is none.
    fn line(&self) -> u64 {
        self.peek().map_or(self.end_line, |t| t.line)
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Word(w), .. }) if w.eq_ignore_ascii_case(keyword))
    }

    /// Consumes `keywords` if they come next, in order.
    fn keywords(&mut self, keywords: &[&str]) -> bool {
        let matched = keywords.iter().enumerate().all(|(i, keyword)| {
            matches!(self.tokens.get(self.pos + i),
                Some(Token { kind: TokenKind::Word(w), .. }) if w.eq_ignore_ascii_case(keyword))
        });
        if matched {
            self.pos += keywords.len();
        }
        matched
    }

    fn is_punct(&self, c: char) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Punct(p), .. }) if *p == c)
    }

    fn punct(&mut self, c: char) -> bool {
        let found = self.is_punct(c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn error(&self, expected: &str) -> ParseError {
        let found = match self.peek() {
            None => "the end of the statement".to_owned(),
            Some(_) => format!("`{}`", head(&self.tokens[self.pos..])),
        };
        ParseError::Format {
            line: self.line(),
            reason: format!("expected {expected}, found {found}"),
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), ParseError> {
        if self.keywords(&[keyword]) {
            Ok(())
        } else {
            Err(self.error(keyword))
        }
    }

    fn expect_punct(&mut self, c: char) -> Result<(), ParseError> {
        if self.punct(c) {
            Ok(())
        } else {
            Err(self.error(&format!("`{c}`")))
        }
    }

    /// An identifier as PostgreSQL resolves it: unquoted ones fold to lower case.
    fn ident(&mut self, what: &str) -> Result<String, ParseError> {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Word(w)) => {
                let name = w.to_ascii_lowercase();
                self.pos += 1;
                Ok(name)
            }
            Some(TokenKind::QuotedIdent(name)) => {
                let name = name.clone();
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.error(what)),
        }
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("`;`")),
        }
    }
}

/// `[public.]name`, one of our tables.
fn table(cursor: &mut Cursor<'_>, verb: &str) -> Result<Table, ParseError> {
    let line = cursor.line();
    let mut name = cursor.ident("a table name")?;
    let mut shown = name.clone();
    if cursor.punct('.') {
        let schema = name;
        name = cursor.ident("a table name")?;
        shown = format!("{schema}.{name}");
        if schema != "public" {
            return Err(ParseError::Format {
                line,
                reason: format!(
                    "{verb} {shown}: only tables of the public schema (or unqualified) can be imported"
                ),
            });
        }
    }
    Table::from_name(&name).ok_or_else(|| ParseError::Format {
        line,
        reason: format!(
            "{verb} unsupported table {shown}; only ports, regions and prices can be imported"
        ),
    })
}

fn column(cursor: &mut Cursor<'_>, table: Table) -> Result<&'static Column, ParseError> {
    let line = cursor.line();
    let name = cursor.ident("a column name")?;
    table.column(&name).ok_or_else(|| ParseError::Format {
        line,
        reason: format!("table {} has no column \"{name}\"", table.name()),
    })
}

fn insert(cursor: &mut Cursor<'_>, line: u64) -> Result<Parsed, ParseError> {
    cursor.expect_keyword("INTO")?;
    let table = table(cursor, "INSERT INTO")?;
    let columns: Vec<&'static Column> = if cursor.punct('(') {
        let mut columns = Vec::new();
        loop {
            let column_line = cursor.line();
            let column = column(cursor, table)?;
            if columns.contains(&column) {
                return Err(ParseError::Format {
                    line: column_line,
                    reason: format!("column \"{}\" is listed twice", column.name),
                });
            }
            columns.push(column);
            if !cursor.punct(',') {
                break;
            }
        }
        cursor.expect_punct(')')?;
        columns
    } else {
        table.columns().iter().collect()
    };
    cursor.expect_keyword("VALUES")?;
    let mut rows = Vec::new();
    loop {
        rows.push(row(cursor, table, &columns)?);
        if !cursor.punct(',') {
            break;
        }
    }
    cursor.expect_end()?;
    Ok(Parsed::Data {
        table,
        action: Action::Insert(rows),
        line,
    })
}

/// `(literal, ...)` for `columns`, as a full row of `table`.
fn row(
    cursor: &mut Cursor<'_>,
    table: Table,
    columns: &[&'static Column],
) -> Result<Vec<Value>, ParseError> {
    let line = cursor.line();
    cursor.expect_punct('(')?;
    let mut given: Vec<(Literal, u64)> = Vec::with_capacity(columns.len());
    loop {
        let value_line = cursor.line();
        given.push((literal(cursor)?, value_line));
        if !cursor.punct(',') {
            break;
        }
    }
    cursor.expect_punct(')')?;
    if given.len() != columns.len() {
        return Err(ParseError::Row {
            line,
            error: RowError::ColumnCount {
                expected: columns.len(),
                found: given.len(),
            },
        });
    }
    table
        .columns()
        .iter()
        .map(|column| match columns.iter().position(|c| *c == column) {
            Some(i) => {
                let (literal, value_line) = &given[i];
                value(column, literal).map_err(|reason| row_error(*value_line, column, reason))
            }
            None => value(column, &Literal::Null).map_err(|reason| {
                row_error(line, column, format!("{reason} (not given, so NULL)"))
            }),
        })
        .collect()
}

fn row_error(line: u64, column: &Column, reason: String) -> ParseError {
    ParseError::Row {
        line,
        error: RowError::Value {
            column: column.name,
            reason,
        },
    }
}

fn delete(cursor: &mut Cursor<'_>, line: u64) -> Result<Parsed, ParseError> {
    cursor.expect_keyword("FROM")?;
    let table = table(cursor, "DELETE FROM")?;
    let mut conditions = Vec::new();
    if cursor.keywords(&["WHERE"]) {
        loop {
            let column = column(cursor, table)?;
            cursor.expect_punct('=')?;
            let value_line = cursor.line();
            let literal = literal(cursor)?;
            let value =
                value(column, &literal).map_err(|reason| row_error(value_line, column, reason))?;
            conditions.push((column, value));
            if !cursor.keywords(&["AND"]) {
                break;
            }
        }
    }
    cursor.expect_end()?;
    Ok(Parsed::Data {
        table,
        action: Action::Delete(conditions),
        line,
    })
}
