//! The schema and session statements pg_dump writes: skipped, except for
//! `SET standard_conforming_strings`, which changes what `'...'` means.

use super::{Cursor, ParseError, Parsed};
use crate::import::sql::{StrToken, Token, TokenKind};

/// `SET [SESSION | LOCAL] name {= | TO} value`: only `standard_conforming_strings`
/// matters here, because it changes what `'...'` means.
pub(super) fn set(cursor: &mut Cursor<'_>) -> Result<Parsed, ParseError> {
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
pub(super) fn is_set_config(cursor: &mut Cursor<'_>) -> Result<bool, ParseError> {
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
pub(super) fn is_harmless_create(cursor: &mut Cursor<'_>) -> bool {
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
pub(super) fn is_harmless_alter(cursor: &mut Cursor<'_>) -> bool {
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
