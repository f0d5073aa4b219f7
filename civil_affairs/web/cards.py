"""Lists that become cards on a phone (issue 14 #4), without JavaScript and without repeating every column's
name in every template.

``{% cards %}<table>…</table>{% endcards %}`` (``{% load portal %}``) renders the table, then gives each body cell
the text of its column's header as ``data-label`` and the table the class ``cards``. Below 600 px portal.css shows
each row as a card whose cells read "label value"; wider, the table is unchanged. Cells that already carry a
``data-label`` keep it (``data-label=""`` shows a cell without a label, e.g. a row's buttons).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

CARD_CLASS = "cards"
_SPACE = re.compile(r"\s+")


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    for key, value in attrs:
        if key == name:
            return value if value is not None else ""
    return None


def _span(attrs: list[tuple[str, str | None]]) -> int:
    try:
        return max(1, int(_attr(attrs, "colspan") or 1))
    except ValueError:
        return 1


class _Labeller(HTMLParser):
    """Finds where to insert: the outer tables' start tags and their body cells, with each cell's label."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # nesting of <table>; only the outermost tables are labelled
        self.in_head = False
        self.header_row: list[str] = []  # the labels of the current header row, one per column
        self.headers: list[str] = []  # the last complete header row
        self.header_text: list[str] | None = None  # text of the header cell being read
        self.header_span = 1
        self.column = 0
        self.edits: list[tuple[int, int, str]] = []  # (line, offset, text to insert at that position)
        self.table_tags: list[tuple[int, int, str]] = []  # (line, offset, raw start tag) of outer tables

    # The parser reports positions as (line, column); the caller turns them into offsets.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                line, offset = self.getpos()
                self.table_tags.append((line, offset, self.get_starttag_text() or ""))
                self.headers = []
            return
        if self.depth != 1:
            return
        if tag == "thead":
            self.in_head = True
        elif tag in ("tbody", "tfoot"):
            self.in_head = False
        elif tag == "tr":
            self.column = 0
            if self.in_head:
                self.header_row = []
        elif tag in ("th", "td"):
            span = _span(attrs)
            if self.in_head:
                self.header_text = []
                self.header_span = span
                return
            if _attr(attrs, "data-label") is None and self.headers:
                label = self.headers[self.column] if self.column < len(self.headers) else ""
                # A cell spanning every column (an empty list's message) needs no label.
                if label and not (span > 1 and span >= len(self.headers)):
                    line, offset = self.getpos()
                    self.edits.append((line, offset + 1 + len(tag), f' data-label="{html.escape(label)}"'))
            self.column += span

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth = max(0, self.depth - 1)
            return
        if self.depth != 1:
            return
        if tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.in_head and self.header_text is not None:
            text = _SPACE.sub(" ", "".join(self.header_text)).strip()
            self.header_row.extend([text] * self.header_span)
            self.header_text = None
        elif tag == "tr" and self.in_head and self.header_row:
            self.headers = self.header_row

    def handle_data(self, data: str) -> None:
        if self.header_text is not None:
            self.header_text.append(data)


def _with_card_class(start_tag: str) -> str:
    match = re.search(r"""\sclass\s*=\s*(["'])(.*?)\1""", start_tag, flags=re.IGNORECASE | re.DOTALL)
    if match is None:
        return start_tag[: len("<table")] + f' class="{CARD_CLASS}"' + start_tag[len("<table") :]
    classes = match.group(2).split()
    if CARD_CLASS in classes:
        return start_tag
    new = f" class={match.group(1)}{' '.join([*classes, CARD_CLASS])}{match.group(1)}"
    return start_tag[: match.start()] + new + start_tag[match.end() :]


def label_cells(markup: str) -> str:
    """``markup`` with every outer table marked ``class="cards"`` and its body cells labelled by their
    column's header (``data-label``); everything else byte for byte as it was."""
    parser = _Labeller()
    parser.feed(markup)
    parser.close()
    line_starts = [0]
    for index, char in enumerate(markup):
        if char == "\n":
            line_starts.append(index + 1)

    def offset(line: int, column: int) -> int:
        return line_starts[line - 1] + column

    replacements: list[tuple[int, int, str]] = []  # (start, end, new text)
    for line, column, tag in parser.table_tags:
        start = offset(line, column)
        replacements.append((start, start + len(tag), _with_card_class(tag)))
    for line, column, text in parser.edits:
        at = offset(line, column)
        replacements.append((at, at, text))
    pieces = []
    cursor = 0
    for start, end, text in sorted(replacements):
        pieces.append(markup[cursor:start])
        pieces.append(text)
        cursor = end
    pieces.append(markup[cursor:])
    return "".join(pieces)
