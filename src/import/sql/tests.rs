use super::*;

fn kinds(input: &str) -> Vec<Vec<TokenKind>> {
    lex_all(input)
        .expect("lexes")
        .into_iter()
        .map(|item| match item {
            Lexed::Statement { tokens, .. } => tokens.into_iter().map(|t| t.kind).collect(),
            Lexed::Meta { command, .. } => vec![TokenKind::Other(command)],
        })
        .collect()
}

fn word(w: &str) -> TokenKind {
    TokenKind::Word(w.into())
}

fn string(s: &str) -> TokenKind {
    TokenKind::Str(StrToken {
        value: Some(s.into()),
        escaped: false,
    })
}

#[test]
fn splits_at_semicolons_outside_quotes_and_comments() {
    let input = "SET a = 'x;y'; -- c; d\nCOMMENT ON x IS $tag$ a; $$ b $tag$;\n\
                 /* a /* nested; */ still; */ SELECT \"a;\"\"b\";";
    assert_eq!(
        kinds(input),
        [
            vec![word("SET"), word("a"), TokenKind::Punct('='), string("x;y")],
            vec![
                word("COMMENT"),
                word("ON"),
                word("x"),
                word("IS"),
                TokenKind::Other("$tag$...".into())
            ],
            vec![word("SELECT"), TokenKind::QuotedIdent("a;\"b".into())],
        ]
    );
}

#[test]
fn strings_double_quotes_span_lines_and_continue() {
    assert_eq!(
        kinds("VALUES ('it''s', '', 'a\nb');\nVALUES ('con'\n  'tinued');"),
        [
            vec![
                word("VALUES"),
                TokenKind::Punct('('),
                string("it's"),
                TokenKind::Punct(','),
                string(""),
                TokenKind::Punct(','),
                string("a\nb"),
                TokenKind::Punct(')'),
            ],
            vec![
                word("VALUES"),
                TokenKind::Punct('('),
                string("continued"),
                TokenKind::Punct(')'),
            ],
        ]
    );
    // Without a newline between them, two strings stay two tokens (an error later).
    assert_eq!(kinds("'a' 'b';")[0].len(), 2);
    // A quote that ends a line closes the string.
    assert_eq!(kinds("x = 'a'\n;")[0][2], string("a"));
}

#[test]
fn backslash_escapes_only_in_e_strings_or_when_not_standard() {
    let e = kinds(r"SELECT E'a\'b;', 'c\';");
    assert_eq!(
        e[0][2],
        TokenKind::Str(StrToken {
            value: Some(r"a\'b;".into()),
            escaped: true
        })
    );
    assert_eq!(e[0][4], string(r"c\"));
    // `date'...'` is not an E string: its `e` ends a longer word.
    assert_eq!(
        kinds(r"x = date'a\';")[0],
        [
            word("x"),
            TokenKind::Punct('='),
            word("date"),
            string(r"a\")
        ]
    );
    let mut lexer = Lexer {
        standard_strings: false,
        ..Lexer::default()
    };
    let mut pos = 0;
    let line = br"SELECT 'a\'b';";
    let Some(Lexed::Statement { tokens, .. }) = lexer.next(1, line, &mut pos).expect("lexes")
    else {
        panic!("no statement");
    };
    assert!(
        matches!(&tokens[1].kind, TokenKind::Str(s) if s.escaped && s.value.as_deref() == Some(r"a\'b"))
    );
}

#[test]
fn tracks_lines_numbers_and_meta_commands() {
    let items =
        lex_all("\\restrict abc\n\nINSERT\n  INTO x VALUES (1,\n-2, 0x1F);\n").expect("lexes");
    assert_eq!(
        items[0],
        Lexed::Meta {
            line: 1,
            command: "\\restrict abc".into()
        }
    );
    let Lexed::Statement { tokens, end_line } = &items[1] else {
        panic!("statement expected");
    };
    assert_eq!(*end_line, 5);
    let lines: Vec<u64> = tokens.iter().map(|t| t.line).collect();
    assert_eq!(lines, [3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5]);
    assert_eq!(tokens[5].kind, TokenKind::Number("1".into()));
    assert_eq!(tokens[10].kind, TokenKind::Number("0x1F".into()));
    assert!(lex_all("SELECT 1 \\g\n").is_err());
    assert_eq!(
        lex_all("INSERT 'open\n").expect_err("unfinished"),
        "unfinished from line 1"
    );
    assert_eq!(lex_all("-- just a comment").expect("lexes"), []);
    assert_eq!(kinds("SELECT $1;")[0][1], TokenKind::Other("$1".into()));
}

#[test]
fn idle_only_between_statements() {
    let mut lexer = Lexer::default();
    let mut pos = 0;
    assert_eq!(lexer.next(1, b"-- x\n", &mut pos), Ok(None));
    assert!(lexer.idle());
    pos = 0;
    assert_eq!(lexer.next(2, b"DELETE\n", &mut pos), Ok(None));
    assert!(!lexer.idle());
    assert_eq!(lexer.unfinished(), Some(2));
    pos = 0;
    assert!(matches!(
        lexer.next(3, b"FROM x;\n", &mut pos),
        Ok(Some(Lexed::Statement { .. }))
    ));
    assert_eq!(lexer.next(3, b"FROM x;\n", &mut pos), Ok(None));
    assert!(lexer.idle());
}
