//! Lexing the SQL of a pg_dump plain file outside its COPY data: splits the
//! input into statements at `;` and into tokens, the way PostgreSQL does as
//! far as finding statement ends is concerned (quotes, quoted identifiers,
//! dollar quotes, nested comments, `E''` escapes), so that a `;` inside a
//! string or comment never ends a statement.
//!
//! Tokens keep the line they start on, for error messages. Nothing here
//! decides what a statement means; see `statement`.

/// One token of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// File line the token starts on.
    pub line: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An unquoted identifier or keyword, as written (compare case-insensitively).
    Word(String),
    /// A `"quoted identifier"`, with `""` undone.
    QuotedIdent(String),
    /// A string constant.
    Str(StrToken),
    /// A numeric constant, as written (`12`, `1.5`, `0x1F`, `1_000`...).
    Number(String),
    /// Any other character (`(`, `,`, `.`, `=`, `-`, `;`...).
    Punct(char),
    /// What we never accept as a value: `$1` parameters, dollar-quoted strings.
    Other(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StrToken {
    /// The value with `''` undone; `None` if it is not valid UTF-8.
    pub value: Option<String>,
    /// Backslash escapes were active in it (`E''`, or `standard_conforming_strings`
    /// off) and it contains a backslash: its value is not simply its text.
    pub escaped: bool,
}

/// What `Lexer::next` found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Lexed {
    /// A statement ended by `;`, without the `;`; empty for a lone `;`.
    Statement { tokens: Vec<Token>, end_line: u64 },
    /// A psql meta-command (`\connect x`): the rest of its line, from the backslash.
    Meta { line: u64, command: String },
}

#[derive(Debug)]
enum State {
    Normal,
    Str {
        buf: Vec<u8>,
        line: u64,
        backslashes: bool,
        saw_backslash: bool,
        /// The previous byte was an escaping backslash.
        escape: bool,
        /// The previous byte was a `'` that may be the first of `''`.
        quote: bool,
    },
    Ident {
        buf: Vec<u8>,
        line: u64,
        quote: bool,
    },
    Dollar {
        tag: Vec<u8>,
        line: u64,
        /// How much of the closing `$tag$` the last bytes matched.
        matched: usize,
    },
    BlockComment {
        depth: u32,
        /// Previous byte, to spot `/*` and `*/` split by nothing.
        prev: u8,
    },
    LineComment,
}

/// Incremental lexer: fed line by line (with line terminators), it keeps the
/// state of a statement, string or comment that spans lines.
#[derive(Debug)]
pub(crate) struct Lexer {
    state: State,
    tokens: Vec<Token>,
    /// Backslash is an ordinary character in `'...'` (PostgreSQL's default,
    /// and what pg_dump sets); off means `'...'` takes `\` escapes like `E'...'`.
    pub standard_strings: bool,
    /// Whitespace (or a comment) since the last token.
    gap: bool,
    /// ...and that gap contained a newline and nothing but whitespace.
    newline_gap: bool,
    comment_in_gap: bool,
}

impl Default for Lexer {
    fn default() -> Self {
        Lexer {
            state: State::Normal,
            tokens: Vec::new(),
            standard_strings: true,
            gap: true,
            newline_gap: false,
            comment_in_gap: false,
        }
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Lexer {
    /// Between statements: no token, string or comment is open.
    pub fn idle(&self) -> bool {
        self.tokens.is_empty() && matches!(self.state, State::Normal | State::LineComment)
    }

    /// The line where the unfinished statement (or string, comment) began, if any.
    pub fn unfinished(&self) -> Option<u64> {
        match &self.state {
            State::Str { line, .. } | State::Ident { line, .. } | State::Dollar { line, .. } => {
                Some(self.tokens.first().map_or(*line, |t| t.line))
            }
            _ => self.tokens.first().map(|t| t.line),
        }
    }

    /// Lexes `line` (line number `line_no`) from `*pos` until a statement or
    /// meta-command is complete (returned, `*pos` just after it) or the line
    /// is used up (`None`). An error is a reason, for the caller to locate.
    pub fn next(
        &mut self,
        line_no: u64,
        line: &[u8],
        pos: &mut usize,
    ) -> Result<Option<Lexed>, String> {
        while *pos < line.len() {
            let b = line[*pos];
            let next = line.get(*pos + 1).copied();
            *pos += 1;
            match &mut self.state {
                State::Normal => {
                    if let Some(done) = self.normal(line_no, line, pos, b, next)? {
                        return Ok(Some(done));
                    }
                }
                State::LineComment => {
                    if b == b'\n' {
                        self.state = State::Normal;
                        self.whitespace(b);
                    }
                }
                State::BlockComment { depth, prev } => {
                    if *prev == b'/' && b == b'*' {
                        *depth += 1;
                        *prev = 0;
                    } else if *prev == b'*' && b == b'/' {
                        *depth -= 1;
                        *prev = 0;
                        if *depth == 0 {
                            self.state = State::Normal;
                        }
                    } else {
                        *prev = b;
                    }
                }
                State::Str {
                    buf,
                    backslashes,
                    saw_backslash,
                    escape,
                    quote,
                    ..
                } => {
                    if *quote {
                        *quote = false;
                        if b == b'\'' {
                            buf.push(b'\'');
                            continue;
                        }
                        // The previous quote closed the string: this byte is
                        // the first one after it.
                        self.close_string();
                        *pos -= 1;
                    } else if *escape {
                        *escape = false;
                        buf.push(b);
                    } else if b == b'\\' && *backslashes {
                        *escape = true;
                        *saw_backslash = true;
                        buf.push(b);
                    } else if b == b'\'' {
                        *quote = true;
                    } else {
                        buf.push(b);
                    }
                }
                State::Ident { buf, line, quote } => {
                    if *quote {
                        *quote = false;
                        if b == b'"' {
                            buf.push(b'"');
                            continue;
                        }
                        let token = TokenKind::QuotedIdent(text(buf));
                        let at = *line;
                        self.state = State::Normal;
                        self.push(token, at);
                        *pos -= 1;
                    } else if b == b'"' {
                        *quote = true;
                    } else {
                        buf.push(b);
                    }
                }
                State::Dollar { tag, line, matched } => {
                    // Matching `$tag$`: `matched` bytes of it seen so far.
                    let closing = tag.len() + 2;
                    let expected = match *matched {
                        0 => b'$',
                        n if n == closing - 1 => b'$',
                        n => tag[n - 1],
                    };
                    if b == expected {
                        *matched += 1;
                        if *matched == closing {
                            let token = TokenKind::Other(format!("${}$...", text(tag)));
                            let at = *line;
                            self.state = State::Normal;
                            self.push(token, at);
                        }
                    } else {
                        *matched = usize::from(b == b'$');
                    }
                }
            }
        }
        // End of the input line: a string whose closing quote was the last
        // byte is complete (a `''` cannot span a line end).
        if matches!(self.state, State::Str { quote: true, .. }) {
            self.close_string();
        }
        if let State::Ident {
            quote: true,
            buf,
            line,
        } = &mut self.state
        {
            let token = TokenKind::QuotedIdent(text(buf));
            let at = *line;
            self.state = State::Normal;
            self.push(token, at);
        }
        Ok(None)
    }

    /// One byte outside quotes and comments.
    fn normal(
        &mut self,
        line_no: u64,
        line: &[u8],
        pos: &mut usize,
        b: u8,
        next: Option<u8>,
    ) -> Result<Option<Lexed>, String> {
        match b {
            b';' => {
                let tokens = std::mem::take(&mut self.tokens);
                self.gap = true;
                self.newline_gap = false;
                self.comment_in_gap = false;
                return Ok(Some(Lexed::Statement {
                    tokens,
                    end_line: line_no,
                }));
            }
            b'-' if next == Some(b'-') => {
                *pos += 1;
                self.state = State::LineComment;
                self.comment();
            }
            b'/' if next == Some(b'*') => {
                *pos += 1;
                self.state = State::BlockComment { depth: 1, prev: 0 };
                self.comment();
            }
            b'\'' => {
                // `E'...'` (the E right before the quote) takes backslash escapes.
                let e_prefix = !self.gap
                    && matches!(self.tokens.last(),
                        Some(Token { kind: TokenKind::Word(w), .. }) if w.eq_ignore_ascii_case("e"));
                self.state = State::Str {
                    buf: Vec::new(),
                    line: line_no,
                    backslashes: e_prefix || !self.standard_strings,
                    saw_backslash: false,
                    escape: false,
                    quote: false,
                };
            }
            b'"' => {
                self.state = State::Ident {
                    buf: Vec::new(),
                    line: line_no,
                    quote: false,
                };
            }
            b'$' if self.gap || !self.last_is_word() => {
                let rest = &line[*pos..];
                let tag_len = rest
                    .iter()
                    .take_while(|&&c| is_ident_char(c) && c != b'$')
                    .count();
                let tag_ok = rest.first().is_none_or(|&c| !c.is_ascii_digit());
                if tag_ok && rest.get(tag_len) == Some(&b'$') {
                    let tag = rest[..tag_len].to_vec();
                    *pos += tag_len + 1;
                    self.state = State::Dollar {
                        tag,
                        line: line_no,
                        matched: 0,
                    };
                } else {
                    // `$1`: a parameter, never valid in a file.
                    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                    *pos += digits;
                    self.push(
                        TokenKind::Other(format!("${}", text(&rest[..digits]))),
                        line_no,
                    );
                }
            }
            b'\\' => {
                if !self.tokens.is_empty() {
                    return Err(
                        "backslash outside a string (a psql meta-command inside a statement)"
                            .into(),
                    );
                }
                let start = *pos - 1;
                *pos = line.len();
                let command = text(&line[start..]).trim_end().to_owned();
                self.gap = true;
                return Ok(Some(Lexed::Meta {
                    line: line_no,
                    command,
                }));
            }
            b if b.is_ascii_whitespace() => self.whitespace(b),
            b if is_ident_start(b) => {
                let start = *pos - 1;
                while line.get(*pos).is_some_and(|&c| is_ident_char(c)) {
                    *pos += 1;
                }
                self.push(TokenKind::Word(text(&line[start..*pos])), line_no);
            }
            b if b.is_ascii_digit() => {
                let start = *pos - 1;
                while line
                    .get(*pos)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
                {
                    *pos += 1;
                }
                self.push(TokenKind::Number(text(&line[start..*pos])), line_no);
            }
            b => self.push(TokenKind::Punct(char::from(b)), line_no),
        }
        Ok(None)
    }

    fn last_is_word(&self) -> bool {
        matches!(
            self.tokens.last(),
            Some(Token {
                kind: TokenKind::Word(_),
                ..
            })
        )
    }

    fn whitespace(&mut self, b: u8) {
        self.gap = true;
        if b == b'\n' {
            self.newline_gap = true;
        }
    }

    fn comment(&mut self) {
        self.gap = true;
        self.comment_in_gap = true;
    }

    fn push(&mut self, kind: TokenKind, line: u64) {
        self.tokens.push(Token { kind, line });
        self.gap = false;
        self.newline_gap = false;
        self.comment_in_gap = false;
    }

    /// A string right after another one, separated by whitespace with a
    /// newline, continues it (SQL's `'foo'\n'bar'` is `'foobar'`).
    /// Ends the string being read (its closing quote was seen) and emits it.
    fn close_string(&mut self) {
        if let State::Str {
            buf,
            line,
            saw_backslash,
            ..
        } = std::mem::replace(&mut self.state, State::Normal)
        {
            let token = StrToken {
                value: String::from_utf8(buf).ok(),
                escaped: saw_backslash,
            };
            self.push_string(token, line);
        }
    }

    fn push_string(&mut self, token: StrToken, line: u64) {
        let continues = self.newline_gap && !self.comment_in_gap;
        if continues
            && let Some(Token {
                kind: TokenKind::Str(previous),
                ..
            }) = self.tokens.last_mut()
        {
            previous.escaped |= token.escaped;
            previous.value = match (previous.value.take(), token.value) {
                (Some(a), Some(b)) => Some(a + &b),
                _ => None,
            };
            self.gap = false;
            self.newline_gap = false;
            return;
        }
        self.push(TokenKind::Str(token), line);
    }
}

/// Lexes a whole text, for tests: the statements' tokens and meta-commands.
#[cfg(test)]
pub(crate) fn lex_all(input: &str) -> Result<Vec<Lexed>, String> {
    let mut lexer = Lexer::default();
    let mut out = Vec::new();
    for (i, line) in input.split_inclusive('\n').enumerate() {
        let mut pos = 0;
        while let Some(item) = lexer.next(i as u64 + 1, line.as_bytes(), &mut pos)? {
            out.push(item);
        }
    }
    if let Some(line) = lexer.unfinished() {
        return Err(format!("unfinished from line {line}"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
