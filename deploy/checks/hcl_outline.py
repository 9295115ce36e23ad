"""The outline of an HCL (Terraform) file: blocks and attribute names, not values.

The schema check needs to know, at every level, which names are arguments
(`name = ...`) and which are nested blocks (`name { ... }`). General HCL
parsers turn both into dictionaries and lose that difference (a block and an
attribute holding a list of objects look alike), so this reads just the
structure: comments, quoted templates with `${...}` interpolation, heredocs
and bracketed multi-line expressions are skipped as opaque values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class HclError(ValueError):
    pass


@dataclass
class Attribute:
    name: str
    line: int
    expr: str = ""


@dataclass
class Block:
    type: str
    labels: list[str]
    line: int
    attributes: list[Attribute] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def attr(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass
class Token:
    kind: str  # ident, string, heredoc, number, punct, newline
    text: str
    line: int
    start: int
    end: int


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\n")
_PUNCT2 = ("==", "!=", "<=", ">=", "=>", "&&", "||", "...", "::")


def _skip_template(src: str, i: int, line: int) -> tuple[int, int]:
    """From just after an opening quote to just after the closing one."""
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n":
            raise HclError(f"line {line}: newline in a quoted string")
        if src.startswith(("$${", "%%{"), i):  # escaped, literal
            i += 3
            continue
        if c == '"':
            return i + 1, line
        if c in "$%" and src.startswith("{", i + 1):
            i, line = _skip_expression(src, i + 2, line, "}")
            continue
        i += 1
    raise HclError(f"line {line}: unterminated string")


def _skip_expression(src: str, i: int, line: int, close: str) -> tuple[int, int]:
    """Inside an interpolation: to just after the matching `close`."""
    depth = 0
    while i < len(src):
        c = src[i]
        if c == '"':
            i, line = _skip_template(src, i + 1, line)
            continue
        if c == "\n":
            line += 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0 and c == close:
                return i + 1, line
            depth -= 1
        i += 1
    raise HclError(f"line {line}: unterminated interpolation")


def tokenize(src: str) -> list[Token]:
    tokens: list[Token] = []
    i, line = 0, 1
    while i < len(src):
        c = src[i]
        start = i
        if c == "\n":
            tokens.append(Token("newline", c, line, i, i + 1))
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#" or src.startswith("//", i):
            while i < len(src) and src[i] != "\n":
                i += 1
        elif src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise HclError(f"line {line}: unterminated comment")
            line += src.count("\n", i, end)
            i = end + 2
        elif c == '"':
            first = line
            i, line = _skip_template(src, i + 1, line)
            tokens.append(Token("string", src[start:i], first, start, i))
        elif (m := _HEREDOC.match(src, i)) is not None:
            marker, first = m.group(2), line
            pattern = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.M)
            end = pattern.search(src, m.end())
            if end is None:
                raise HclError(f"line {line}: unterminated heredoc {marker}")
            line += src.count("\n", i, end.end())
            i = end.end()
            tokens.append(Token("heredoc", src[start:i], first, start, i))
        elif (m := _IDENT.match(src, i)) is not None:
            i = m.end()
            tokens.append(Token("ident", m.group(0), line, start, i))
        elif (m := _NUMBER.match(src, i)) is not None:
            i = m.end()
            tokens.append(Token("number", m.group(0), line, start, i))
        else:
            two = next((p for p in _PUNCT2 if src.startswith(p, i)), None)
            i += len(two) if two else 1
            tokens.append(Token("punct", src[start:i], line, start, i))
    return tokens


class _Parser:
    def __init__(self, src: str):
        self.src = src
        self.tokens = tokenize(src)
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise HclError("unexpected end of file")
        self.pos += 1
        return tok

    def body(self, into: Block, closing: bool) -> None:
        while True:
            tok = self.peek()
            if tok is None:
                if closing:
                    raise HclError(f"line {into.line}: block {into.type} is not closed")
                return
            if tok.kind == "newline":
                self.pos += 1
                continue
            if tok.kind == "punct" and tok.text == "}" and closing:
                self.pos += 1
                return
            if tok.kind != "ident":
                raise HclError(f"line {tok.line}: expected a name, found {tok.text!r}")
            self.pos += 1
            nxt = self.take()
            if nxt.kind == "punct" and nxt.text == "=":
                into.attributes.append(Attribute(tok.text, tok.line, self.expression()))
                continue
            labels = []
            while nxt.kind in ("string", "ident"):
                labels.append(nxt.text.strip('"'))
                nxt = self.take()
            if not (nxt.kind == "punct" and nxt.text == "{"):
                raise HclError(f"line {nxt.line}: expected '=' or '{{' after {tok.text!r}")
            block = Block(tok.text, labels, tok.line)
            self.body(block, closing=True)
            into.blocks.append(block)

    def expression(self) -> str:
        """Skips an attribute's value: to the end of the line outside brackets."""
        depth, first, last = 0, None, None
        while (tok := self.peek()) is not None:
            if tok.kind == "newline" and depth == 0:
                break
            if tok.kind == "punct" and tok.text in "([{":
                depth += 1
            elif tok.kind == "punct" and tok.text in ")]}":
                if depth == 0:
                    break  # a one-line block's closing brace
                depth -= 1
            first = tok if first is None else first
            last = tok
            self.pos += 1
        if first is None:
            raise HclError(f"line {self.tokens[self.pos - 1].line}: missing value")
        return self.src[first.start : last.end]


def parse(src: str) -> Block:
    """The file as a root block holding its top-level attributes and blocks."""
    root = Block("<file>", [], 1)
    _Parser(src).body(root, closing=False)
    return root
