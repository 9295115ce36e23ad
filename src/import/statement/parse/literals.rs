//! The constants a data statement may hold, validated and typed for their
//! column as COPY values are.

use std::fmt;

use super::{Cursor, ParseError};
use crate::import::sql::{StrToken, Token, TokenKind};
use crate::import::statement::Value;
use crate::import::table::{Column, Kind, RowError, check_value, parse_date, parse_price};

/// A constant as written.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Literal {
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

pub(super) fn literal(cursor: &mut Cursor<'_>) -> Result<Literal, ParseError> {
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
pub(super) fn value(column: &Column, literal: &Literal) -> Result<Value, String> {
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
