"""The parse error FastMCP's transport reports for a body that is not JSON (jiter's wording).

The MCP SDK parses a handshake-era POST with `pydantic_core.from_json` (jiter) and answers
`Parse error: <message> at line L column C`. Python's `json` accepts a little that jiter refuses
(lone surrogate escapes) and words its errors differently, so this scanner walks the bytes as
jiter does and names the first error the same way: the message, and the line and column of the
byte where jiter stopped (columns count bytes; at end of input, the last byte read).
"""

from __future__ import annotations

import re

_WS = b" \t\n\r"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_IDENTS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null", ord("N"): b"NaN",
           ord("I"): b"Infinity"}  # fmt: skip
_MAX_DEPTH = 200
_MAX_INT_TEXT = 4300  # jiter refuses longer integer parts (sign included): "number out of range"
_PLAIN = re.compile(rb'[^"\\\x00-\x1f]*')  # string bytes that need no attention
_ESCAPES = {ord(k): ord(v) for k, v in zip('"\\/bfnrt', '"\\/\b\f\n\r\t', strict=True)}


class _Stop(Exception):
    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.message = message
        self.position = position


class _Scanner:
    def __init__(self, data: bytes):
        self.data = data
        self.end = len(data)

    def eof(self, what: str) -> _Stop:
        return _Stop(f"EOF while parsing {what}", self.end - 1)

    def skip(self, i: int) -> int:
        while i < self.end and self.data[i] in _WS:
            i += 1
        return i

    def value(self, i: int, depth: int) -> int:
        i = self.skip(i)
        if i >= self.end:
            raise self.eof("a value")
        c = self.data[i]
        if c == ord("{"):
            return self.container(i, depth, b"}", "an object")
        if c == ord("["):
            return self.container(i, depth, b"]", "a list")
        if c == ord('"'):
            return self.string(i)
        if c == ord("-") or c in _DIGITS:
            return self.number(i)
        if c in _IDENTS:
            word = _IDENTS[c]
            for k, expected in enumerate(word):
                if i + k >= self.end:
                    raise self.eof("a value")
                if self.data[i + k] != expected:
                    raise _Stop("expected ident", i + k)
            return i + len(word)
        raise _Stop("expected value", i)

    def container(self, i: int, depth: int, close: bytes, what: str) -> int:
        if depth > _MAX_DEPTH:
            raise _Stop("recursion limit exceeded", i)
        is_object = close == b"}"
        i = self.skip(i + 1)
        if i >= self.end:
            raise self.eof(what)
        if self.data[i] == close[0]:
            return i + 1
        while True:
            if is_object:
                if self.data[i] != ord('"'):
                    raise _Stop("key must be a string", i)
                i = self.skip(self.string(i))
                if i >= self.end:
                    raise self.eof(what)
                if self.data[i] != ord(":"):
                    raise _Stop("expected `:`", i)
                i += 1
            i = self.skip(self.value(i, depth + 1))
            if i >= self.end:
                raise self.eof(what)
            c = self.data[i]
            if c == close[0]:
                return i + 1
            if c != ord(","):
                raise _Stop(f"expected `,` or `{close.decode()}`", i)
            i = self.skip(i + 1)
            if i >= self.end:
                raise self.eof("a value")
            if self.data[i] == close[0]:
                raise _Stop("trailing comma", i)

    def string(self, i: int) -> int:
        content = i + 1
        decoded = bytearray()  # the string's bytes after escapes: jiter checks their UTF-8
        i = content
        while True:
            run = _PLAIN.match(self.data, i).end()  # type: ignore[union-attr]
            decoded += self.data[i:run]
            i = run
            if i >= self.end:
                raise self.eof("a string")
            c = self.data[i]
            if c == ord('"'):
                try:
                    decoded.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _Stop("invalid unicode code point", content + exc.start + 1) from None
                return i + 1
            if c < 0x20:
                raise _Stop("control character (\\u0000-\\u001F) found while parsing a string", i)
            i += 1
            if i >= self.end:
                raise self.eof("a string")
            c = self.data[i]
            if c != ord("u"):
                if c not in _ESCAPES:
                    raise _Stop("invalid escape", i)
                decoded.append(_ESCAPES[c])
                i += 1
                continue
            code, i = self.hex4(i)
            if 0xDC00 <= code <= 0xDFFF:
                raise _Stop("lone leading surrogate in hex escape", i - 1)
            if 0xD800 <= code <= 0xDBFF:
                if i >= self.end or (self.data[i] == ord("\\") and i + 1 >= self.end):
                    raise self.eof("a string")
                if self.data[i] != ord("\\"):
                    raise _Stop("unexpected end of hex escape", i)
                if self.data[i + 1] != ord("u"):
                    raise _Stop("unexpected end of hex escape", i + 1)
                low, i = self.hex4(i + 1)
                if not 0xDC00 <= low <= 0xDFFF:
                    raise _Stop("lone leading surrogate in hex escape", i - 1)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            decoded += chr(code).encode("utf-8")

    def hex4(self, u: int) -> tuple[int, int]:
        """The code of the four hex digits after the `u` at `u`, and the index after them."""
        if u + 4 >= self.end:  # fewer than four bytes left: jiter reports the end first
            raise self.eof("a string")
        for k in range(1, 5):
            if self.data[u + k] not in _HEX:
                raise _Stop("invalid escape", u + k)
        return int(self.data[u + 1 : u + 5], 16), u + 5

    def number(self, i: int) -> int:
        start = i
        if self.data[i] == ord("-"):
            i += 1
            if i < self.end and self.data[i] == ord("I"):
                return self.value(i, 0)
        if i >= self.end:
            raise self.eof("a value")
        if self.data[i] == ord("0"):
            i += 1
            if i < self.end and self.data[i] in _DIGITS:
                raise _Stop("invalid number", i)
        elif self.data[i] in _DIGITS:
            while i < self.end and self.data[i] in _DIGITS:
                i += 1
        else:
            raise _Stop("invalid number", i)
        if i - start > _MAX_INT_TEXT:
            raise _Stop("number out of range", start + _MAX_INT_TEXT + 1)
        if i < self.end and self.data[i] == ord("."):
            i = self.digits(i + 1)
        if i < self.end and self.data[i] in b"eE":
            i += 1
            if i < self.end and self.data[i] in b"+-":
                i += 1
            i = self.digits(i)
        return i

    def digits(self, i: int) -> int:
        if i >= self.end:
            raise self.eof("a value")
        if self.data[i] not in _DIGITS:
            raise _Stop("invalid number", i)
        while i < self.end and self.data[i] in _DIGITS:
            i += 1
        return i


def parse_error(data: bytes) -> str | None:
    """What jiter reports for `data` (`<message> at line L column C`), or None if it parses."""
    scanner = _Scanner(data)
    try:
        i = scanner.skip(scanner.value(0, 0))
        if i < scanner.end:
            raise _Stop("trailing characters", i)
    except _Stop as stop:
        position = stop.position
        line = data.count(b"\n", 0, position + 1) + 1
        column = position - data.rfind(b"\n", 0, position + 1)
        return f"{stop.message} at line {line} column {column}"
    return None
