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

use std::fmt;
use std::path::PathBuf;

use chrono::NaiveDate;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Postgres};

use super::ImportError;
use super::sql::{StrToken, Token, TokenKind};
use super::table::{Column, Kind, RowError, Table, check_value, parse_date, parse_price};

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

/// `SET [SESSION | LOCAL] name {= | TO} value`: only `standard_conforming_strings`
/// matters here, because it changes what `'...'` means.
fn set(cursor: &mut Cursor<'_>) -> Result<Parsed, ParseError> {
    let _ = cursor.keywords(&["SESSION"]) || cursor.keywords(&["LOCAL"]);
    if !cursor.is_keyword("standard_conforming_strings") {
        return Ok(Parsed::Skip);
    }
    cursor.pos += 1;
    if !cursor.punct('=') {
        cursor.expect_keyword("TO")?;
    }
    let line = cursor.line();
    let value = match cursor.next().map(|t| &t.kind) {
        Some(TokenKind::Word(w)) => w.to_ascii_lowercase(),
        Some(TokenKind::Str(StrToken {
            value: Some(s),
            escaped: false,
        })) => s.to_ascii_lowercase(),
        _ => String::new(),
    };
    let on = match value.as_str() {
        "on" | "true" | "yes" | "default" => true,
        "off" | "false" | "no" => false,
        _ => {
            return Err(ParseError::Format {
                line,
                reason: "unsupported value for standard_conforming_strings (expected on or off)"
                    .into(),
            });
        }
    };
    cursor.expect_end()?;
    Ok(Parsed::StandardStrings(on))
}

/// `SELECT pg_catalog.set_config('name', ...)` of anything but
/// `standard_conforming_strings` (pg_dump uses it for `search_path`).
fn is_set_config(cursor: &mut Cursor<'_>) -> Result<bool, ParseError> {
    let line = cursor.line();
    let call = cursor.keywords(&["pg_catalog"])
        && cursor.punct('.')
        && cursor.keywords(&["set_config"])
        && cursor.punct('(');
    if !call {
        return Ok(false);
    }
    // Exactly `('name', 'value', true|false)`, nothing else evaluated.
    let is_str = |t: Option<&Token>| {
        matches!(
            t,
            Some(Token {
                kind: TokenKind::Str(StrToken {
                    value: Some(_),
                    escaped: false
                }),
                ..
            })
        )
    };
    let name_ok = matches!(cursor.peek(), Some(Token {
        kind: TokenKind::Str(StrToken { value: Some(name), .. }), ..
    }) if !name.eq_ignore_ascii_case("standard_conforming_strings"));
    let shape_ok = name_ok
        && is_str(cursor.next())
        && cursor.punct(',')
        && is_str(cursor.next())
        && cursor.punct(',')
        && (cursor.keywords(&["false"]) || cursor.keywords(&["true"]))
        && cursor.punct(')')
        && cursor.peek().is_none();
    if shape_ok {
        Ok(true)
    } else {
        Err(ParseError::Format {
            line,
            reason: "unsupported set_config call (only pg_dump's search_path one is skipped)"
                .into(),
        })
    }
}

/// CREATE TABLE (not `AS` a query), CREATE [UNIQUE] INDEX, CREATE SCHEMA
/// (without schema elements), CREATE EXTENSION.
fn is_harmless_create(cursor: &mut Cursor<'_>) -> bool {
    let rest = |cursor: &Cursor<'_>, words: &[&str]| {
        !top_level(&cursor.tokens[cursor.pos..]).any(|t| {
            matches!(&t.kind, TokenKind::Word(w) if words.iter().any(|k| w.eq_ignore_ascii_case(k)))
        })
    };
    if cursor.keywords(&["TABLE"]) || cursor.keywords(&["UNLOGGED", "TABLE"]) {
        rest(cursor, &["AS"])
    } else if cursor.keywords(&["SCHEMA"]) {
        rest(cursor, &["CREATE", "GRANT"])
    } else {
        cursor.keywords(&["INDEX"])
            || cursor.keywords(&["UNIQUE", "INDEX"])
            || cursor.keywords(&["EXTENSION"])
    }
}

/// The tokens outside parentheses.
fn top_level(tokens: &[Token]) -> impl Iterator<Item = &Token> {
    let mut depth = 0i32;
    tokens.iter().filter(move |t| {
        match t.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => {
                depth -= 1;
                return false;
            }
            _ => {}
        }
        depth == 0
    })
}

/// `ALTER TABLE [ONLY] [IF EXISTS] name` with one action, `ADD CONSTRAINT` or
/// `OWNER TO`; `ALTER SCHEMA name OWNER TO`.
fn is_harmless_alter(cursor: &mut Cursor<'_>) -> bool {
    if cursor.keywords(&["SCHEMA"]) {
        return cursor.next().is_some() && cursor.keywords(&["OWNER", "TO"]);
    }
    if !cursor.keywords(&["TABLE"]) {
        return false;
    }
    let _ = cursor.keywords(&["ONLY"]);
    let _ = cursor.keywords(&["IF", "EXISTS"]);
    // The name: [schema.]table.
    if cursor.next().is_none() {
        return false;
    }
    if cursor.punct('.') && cursor.next().is_none() {
        return false;
    }
    if !(cursor.keywords(&["ADD", "CONSTRAINT"]) || cursor.keywords(&["OWNER", "TO"])) {
        return false;
    }
    // One action only: no comma outside parentheses (`..., DROP COLUMN x`).
    !top_level(&cursor.tokens[cursor.pos..]).any(|t| t.kind == TokenKind::Punct(','))
}

/// A constant as written.
#[derive(Debug, PartialEq, Eq)]
enum Literal {
    Null,
    /// `'...'`: PostgreSQL types it from the column.
    Str(String),
    /// A number, with its sign, as written.
    Number(String),
    /// `date '...'`.
    Date(String),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            Literal::Number(n) => f.write_str(n),
            Literal::Date(d) => write!(f, "date '{d}'"),
        }
    }
}

const LITERALS: &str = "a value ('text', an integer, NULL or date 'YYYY-MM-DD')";

fn literal(cursor: &mut Cursor<'_>) -> Result<Literal, ParseError> {
    let line = cursor.line();
    let unsupported = |what: &str| ParseError::Format {
        line,
        reason: format!("{what} is not supported; expected {LITERALS}"),
    };
    let Some(token) = cursor.peek() else {
        return Err(cursor.error(LITERALS));
    };
    let literal = match &token.kind {
        TokenKind::Str(s) => Literal::Str(string(s, line)?),
        TokenKind::Number(n) => Literal::Number(n.clone()),
        TokenKind::Punct(sign @ ('-' | '+')) => {
            let sign = *sign;
            cursor.pos += 1;
            match cursor.peek().map(|t| &t.kind) {
                Some(TokenKind::Number(n)) => Literal::Number(format!("{sign}{n}")),
                _ => return Err(cursor.error("a number")),
            }
        }
        TokenKind::Word(w) if w.eq_ignore_ascii_case("null") => Literal::Null,
        TokenKind::Word(w) => {
            let typed = matches!(
                cursor.tokens.get(cursor.pos + 1),
                Some(Token {
                    kind: TokenKind::Str(_),
                    ..
                })
            );
            if !typed {
                return Err(unsupported(&format!("`{w}`")));
            }
            if !w.eq_ignore_ascii_case("date") {
                let what = if w.eq_ignore_ascii_case("e") {
                    "an E'...' string".to_owned()
                } else {
                    format!("a typed constant `{w} '...'`")
                };
                return Err(unsupported(&what));
            }
            cursor.pos += 1;
            let Some(Token {
                kind: TokenKind::Str(s),
                ..
            }) = cursor.peek()
            else {
                return Err(cursor.error("a quoted date"));
            };
            Literal::Date(string(s, line)?)
        }
        TokenKind::Other(o) => return Err(unsupported(&format!("`{o}`"))),
        _ => return Err(cursor.error(LITERALS)),
    };
    cursor.pos += 1;
    Ok(literal)
}

fn string(token: &StrToken, line: u64) -> Result<String, ParseError> {
    if token.escaped {
        return Err(ParseError::Format {
            line,
            reason: "backslash escapes in strings (E'...', or standard_conforming_strings off) \
                     are not supported"
                .into(),
        });
    }
    token.value.clone().ok_or(ParseError::Row {
        line,
        error: RowError::Encoding,
    })
}

/// Validates `literal` for `column` as a COPY value would be, and types it.
/// A number only fits the integer column and `date '...'` only the date one;
/// a quoted string fits any column, as in PostgreSQL.
fn value(column: &Column, literal: &Literal) -> Result<Value, String> {
    let text = match (literal, column.kind) {
        (Literal::Null, _) => None,
        (Literal::Str(s), _) => Some(s.as_str()),
        (Literal::Number(n), Kind::Price) => Some(n.as_str()),
        (Literal::Date(d), Kind::Date) => Some(d.as_str()),
        (Literal::Number(_) | Literal::Date(_), kind) => {
            let expected = match kind {
                Kind::Date => "a date ('YYYY-MM-DD' or date 'YYYY-MM-DD')",
                Kind::Price => "an integer",
                Kind::Text | Kind::OptionalText => "a quoted string",
            };
            return Err(format!("expected {expected}, found {literal}"));
        }
    };
    check_value(column, text)?;
    Ok(match (column.kind, text) {
        (Kind::Date, Some(text)) => Value::Date(parse_date(text)?),
        (Kind::Price, Some(text)) => Value::Int(parse_price(text)?),
        (Kind::Text | Kind::OptionalText, text) => Value::Text(text.map(str::to_owned)),
        (Kind::Date | Kind::Price, None) => return Err("must not be null".into()),
    })
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

/// SQL type of a column's values.
fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::OptionalText => "text",
        Kind::Date => "date",
        Kind::Price => "integer",
    }
}

/// `INSERT INTO t (a, b) SELECT * FROM UNNEST($1::text[], $2::date[])`: one
/// statement for any number of rows, built from static names only.
fn insert_sql(table: Table) -> String {
    let columns = table.columns();
    let names: Vec<_> = columns.iter().map(|c| c.name).collect();
    let arrays: Vec<_> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}[]", i + 1, sql_type(c.kind)))
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({})",
        table.name(),
        names.join(", "),
        arrays.join(", ")
    )
}

/// `DELETE FROM t WHERE a = $1 AND b = $2`, built from static names only.
fn delete_sql(table: Table, conditions: &[(&'static Column, Value)]) -> String {
    if conditions.is_empty() {
        return table.delete_sql().to_owned();
    }
    let tests: Vec<_> = conditions
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{} = ${}", column.name, i + 1))
        .collect();
    format!("DELETE FROM {} WHERE {}", table.name(), tests.join(" AND "))
}

type Query = sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>;

fn bind(query: Query, value: &Value) -> Query {
    match value {
        Value::Text(text) => query.bind(text.clone()),
        Value::Date(date) => query.bind(*date),
        Value::Int(int) => query.bind(*int),
    }
}

/// Runs `statement` with its values bound; the number of rows it changed.
pub(crate) async fn execute(
    conn: &mut PgConnection,
    statement: &Statement,
) -> Result<u64, ImportError> {
    let query = match &statement.action {
        Action::Insert(rows) => {
            let mut query = sqlx::query(AssertSqlSafe(insert_sql(statement.table)));
            for (i, column) in statement.table.columns().iter().enumerate() {
                let cells = rows.iter().map(|row| &row[i]);
                query = match column.kind {
                    Kind::Text | Kind::OptionalText => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Text(t) => Ok(t.clone()),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                    Kind::Date => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Date(d) => Ok(*d),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                    Kind::Price => query.bind(
                        cells
                            .map(|v| match v {
                                Value::Int(n) => Ok(*n),
                                other => Err(other),
                            })
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|v| mistyped(column, v))?,
                    ),
                };
            }
            query
        }
        Action::Delete(conditions) => conditions.iter().fold(
            sqlx::query(AssertSqlSafe(delete_sql(statement.table, conditions))),
            |query, (_, value)| bind(query, value),
        ),
    };
    let done = query
        .execute(conn)
        .await
        .map_err(|e| ImportError::database(statement.context(), &e))?;
    Ok(done.rows_affected())
}

fn mistyped(column: &Column, value: &Value) -> ImportError {
    ImportError::Internal(format!("{value:?} bound to column {}", column.name))
}

#[cfg(test)]
mod tests {
    use super::super::sql::{Lexed, lex_all};
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

    fn date(s: &str) -> Value {
        Value::Date(parse_date(s).expect("valid test date"))
    }

    fn column(table: Table, name: &str) -> &'static Column {
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

    #[test]
    fn builds_sql_from_static_names_only() {
        assert_eq!(
            insert_sql(Table::Prices),
            "INSERT INTO prices (orig_code, dest_code, day, price) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::date[], $4::integer[])"
        );
        let conditions = [
            (column(Table::Prices, "day"), date("2016-01-03")),
            (column(Table::Prices, "price"), Value::Int(1)),
        ];
        assert_eq!(
            delete_sql(Table::Prices, &conditions),
            "DELETE FROM prices WHERE day = $1 AND price = $2"
        );
        assert_eq!(delete_sql(Table::Regions, &[]), "DELETE FROM regions");
    }
}
