"""Stream the values of a big JSON array (or JSON Lines) one at a time, stdlib only.

BODS data is published as one JSON array of statements or as JSON Lines, and registers
publish millions of statements. :func:`iter_json_values` reads the text in 1 MB chunks and
decodes one top-level value at a time with :meth:`json.JSONDecoder.raw_decode`, so memory
holds one chunk and one value, not the file. Each value comes with the line it starts on.

Limit: one value may not exceed 64 MB (a BODS statement is a few kB); a larger value, or
malformed JSON, is reported as a problem with its line and column.

>>> import io
>>> text = '[\\n {"a": 1},\\n {"b": [2, 3]}\\n]\\n'
>>> problems = []
>>> list(iter_json_values(io.StringIO(text), "x.json", problems))
[(2, {'a': 1}), (3, {'b': [2, 3]})]
>>> list(iter_json_values(io.StringIO('{"a": 1}\\n{"a": 2}\\n'), "x.jsonl", problems))
[(1, {'a': 1}), (2, {'a': 2})]
>>> list(iter_json_values(io.StringIO('[{"a": 1},\\n {"a": }]'), "bad.json", problems))
[(1, {'a': 1})]
>>> print(problems[0])
bad.json, line 2, column 'JSON': malformed JSON at column 8: Expecting value
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from schema.errors import Problem

__all__ = ["CHUNK", "MAX_VALUE", "iter_json_values"]

CHUNK = 1 << 20
MAX_VALUE = 64 << 20
_WHITESPACE = " \t\r\n"


class _Reader:
    """A sliding window over the text with line numbers."""

    def __init__(self, handle: TextIO, chunk: int) -> None:
        self.handle = handle
        self.chunk = chunk
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self._line_at = 1      # line number of buffer[self._counted]
        self._counted = 0
        self._column_at = 0    # characters of its line before buffer[0]

    def more(self) -> bool:
        """Append a chunk, dropping what was consumed; False (and nothing moved) at the end
        of the file."""
        if self.eof:
            return False
        text = self.handle.read(self.chunk)
        if not text:
            self.eof = True
            return False
        self.line(self.pos)
        newline = self.buffer.rfind("\n", 0, self.pos)
        self._column_at = self.pos - newline - 1 if newline >= 0 else self._column_at + self.pos
        self.buffer = self.buffer[self.pos:] + text
        self._counted -= self.pos
        self.pos = 0
        return True

    def line(self, at: int) -> int:
        """The line number of ``buffer[at]`` (``at`` never goes backwards)."""
        self._line_at += self.buffer.count("\n", self._counted, at)
        self._counted = at
        return self._line_at

    def column(self, at: int) -> int:
        """The column (from 1) of ``buffer[at]``."""
        newline = self.buffer.rfind("\n", 0, at)
        return at - newline if newline >= 0 else self._column_at + at + 1

    def skip_whitespace(self) -> str:
        """The next non-blank character ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""


def iter_json_values(handle: TextIO, name: str, problems: list[Problem], *,
                     chunk: int = CHUNK) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, value)`` for each element of a top-level JSON array, or for each value
    of a JSON Lines (or concatenated JSON) text.

    Parameters
    ----------
    handle : text file
    name : str
        The file name, for problems.
    problems : list of Problem
        Malformed JSON adds one problem (line and column) and ends the stream.
    chunk : int
        Characters read at a time.
    """
    decoder = json.JSONDecoder()
    reader = _Reader(handle, chunk)

    def fail(at: int, message: str) -> None:
        problems.append(Problem(name, reader.line(at), "JSON",
                                f"malformed JSON at column {reader.column(at)}: {message}"))

    def at_end() -> None:
        if reader.skip_whitespace() != "":
            fail(reader.pos, "expected the end of the file after the closing ']'")

    char = reader.skip_whitespace()
    if char == "":
        return
    in_array = char == "["
    if in_array:
        reader.pos += 1
        if reader.skip_whitespace() == "]":
            reader.pos += 1
            at_end()
            return
    while True:
        if reader.skip_whitespace() == "":
            if in_array:
                fail(len(reader.buffer), "the file ends before the closing ']'")
            return
        start = reader.pos
        while True:
            try:
                value, end = decoder.raw_decode(reader.buffer, start)
            except json.JSONDecodeError as error:
                incomplete = (error.msg.startswith("Unterminated string")
                              or error.pos >= len(reader.buffer) - 16)
                too_big = len(reader.buffer) - start >= MAX_VALUE
                if incomplete and not too_big and reader.more():
                    start = reader.pos
                    continue
                if too_big:
                    fail(start, f"a value larger than {MAX_VALUE >> 20} MB")
                else:
                    fail(error.pos, error.msg)
                return
            if end == len(reader.buffer) and reader.more():
                start = reader.pos  # it may go on in the next chunk: decode it again
                continue
            break
        yield reader.line(start), value
        reader.pos = end
        if in_array:
            char = reader.skip_whitespace()
            if char == ",":
                reader.pos += 1
            elif char == "]":
                reader.pos += 1
                at_end()
                return
            else:
                fail(reader.pos, "expected ',' or ']' after an array element"
                     if char else "the file ends before the closing ']'")
                return
