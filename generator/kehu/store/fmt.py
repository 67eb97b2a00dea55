"""kehu's canonical layout of customer files (and team.yaml), keeping every comment.

The layout:

- keys in the order of the schema's ``properties`` (read from the repository's ``schema/``,
  so fields a team adds appear where its schema puts them); keys the schema does not know
  keep their relative order at the end. Contacts, deals, interactions, next_action, surveys
  and complaints order their keys from the schema's ``$defs`` the same way;
- interactions, surveys and complaints sorted by date (stable; undated entries last);
- quoting: a string YAML would misread — a number or phone number, ``05-12``, ``yes``/``no``,
  ``null``, text starting with a YAML indicator, leading/trailing spaces — is double-quoted,
  every other string is plain; dates are unquoted ISO; multi-line text is a ``|`` block;
- 2-space indentation with ``- `` indented under its key; flow one-liners
  (``next_action: {date: …, action: …}``) stay flow, new short ones are written that way;
- comments: an end-of-line comment stays on its line; a comment on its own line belongs to
  the entry that follows it and moves with it (re-indented to that entry), unless it is
  indented deeper than that entry — then it closes the entry above and stays with that one.
  A comment inside a ``{…}``/``[…]`` written over several lines ends up after it (such
  collections are written on one line). Runs of blank lines become one.

:func:`format_bytes` proves every result before it is written: the data read back with
the checker's loader must equal the original data (modulo the date sorting) and every
comment's text must still be there; otherwise the file is refused and left untouched.
"""

from __future__ import annotations

import bisect
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from ..repo.schema import SchemaSet
from ..repo.yamlload import LoadedYaml, load_yaml_bytes
from ..util.problems import Problem
from ..words.catalogue import Locale
from .roundtrip import STR_TAG, TIMESTAMP_TAG, StoreError, YamlDate, dumper, loader, resolves, serialize

SORT_BY_DATE = ("interactions", "surveys", "complaints")  # the timelines, oldest first
FLOW_MAPS = ("next_action", "surveys", "complaints")  # house style for new short records
FLOW_MAX_WIDTH = 120  # a new one-liner wider than this is written as a block
INDENT = 2

Line = tuple[int, str]  # (column, comment text); text "" is a blank line


# --- layout from the schema ----------------------------------------------------------------------


def _deref(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _object_keys(schema: Any, root: dict[str, Any], depth: int = 0) -> tuple[str, ...] | None:
    """Key order of the object a (sub)schema describes: its own properties, or those of its items or $ref."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    if isinstance(schema.get("properties"), dict):
        return tuple(schema["properties"])
    if "$ref" in schema:
        return _object_keys(_deref(root, schema["$ref"]), root, depth + 1)
    if "items" in schema:
        return _object_keys(schema["items"], root, depth + 1)
    for word in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(word, []):
            keys = _object_keys(branch, root, depth + 1)
            if keys:
                return keys
    return None


@dataclass(frozen=True)
class Layout:
    """Where keys go and which lists are sorted, for one kind of file."""

    kind: str
    top: tuple[str, ...]
    nested: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort_by_date: tuple[str, ...] = ()
    flow_maps: tuple[str, ...] = ()

    @classmethod
    def for_kind(cls, schemas: SchemaSet, kind: str = "customer") -> Layout:
        root = schemas.raw[kind]
        props = root.get("properties", {})
        nested = {name: keys for name, sub in props.items() if (keys := _object_keys(sub, root))}
        if kind == "customer":
            return cls(kind, tuple(props), nested, SORT_BY_DATE, FLOW_MAPS)
        return cls(kind, tuple(props), nested)


# --- containers: plain → ruamel, house style for new ones --------------------------------------


def _is_scalar(v: Any) -> bool:
    return not isinstance(v, dict | list | tuple)


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fits_one_line(m: dict[str, Any]) -> bool:
    if not all(_is_scalar(v) and "\n" not in str(v) for v in m.values()):
        return False
    return sum(text_width(f"{k}: {v}, ") for k, v in m.items()) <= FLOW_MAX_WIDTH


def _adopt(value: Any, layout: Layout, field_name: str | None) -> Any:
    """Plain dicts/lists become ruamel containers; a container without a style gets the house style."""
    if isinstance(value, dict):
        m = value if isinstance(value, CommentedMap) else CommentedMap(value.items())
        for k in list(m.keys()):
            child_field = k if field_name is None else field_name
            ordereddict.__setitem__(m, k, _adopt(m[k], layout, child_field))
        if m.fa.flow_style() is None and field_name is not None:
            flow = field_name in layout.flow_maps and fits_one_line(m)
            m.fa.set_flow_style() if flow else m.fa.set_block_style()
        return m
    if isinstance(value, list | tuple):
        s = value if isinstance(value, CommentedSeq) else CommentedSeq(value)
        for i, item in enumerate(s):
            list.__setitem__(s, i, _adopt(item, layout, field_name))
        if s.fa.flow_style() is None:
            scalars = all(_is_scalar(v) and "\n" not in str(v) for v in s)
            short = sum(text_width(f"{v}, ") for v in s) <= FLOW_MAX_WIDTH
            s.fa.set_flow_style() if scalars and short else s.fa.set_block_style()
        return s
    return value


# --- scalars: quoting ----------------------------------------------------------------------------

# digits with number punctuation only: phone numbers, '05-12', '200-500', '1.2.3' — text a reader takes for a number
_NUMBER_LIKE = re.compile(r"^[-+(]?[0-9][0-9 ()+\-./:,_]*$")
_ANALYSER = dumper().emitter


def _plain_ok(text: str, in_flow: bool) -> bool:
    if not text or "\n" in text or _NUMBER_LIKE.match(text) or text[0] in string.punctuation:
        return False  # '<50' is legal plain YAML, but quoting every punctuation start keeps the rule simple
    if resolves(text) != (STR_TAG, STR_TAG):  # PyYAML (the checker) and YAML 1.2 tools must both read a string
        return False
    analysis = _ANALYSER.analyze_scalar(text)
    return bool(analysis.allow_flow_plain if in_flow else analysis.allow_block_plain) and not analysis.multiline


def _literal_ok(text: str) -> bool:
    # a '|' block cannot hold tabs at a line start (the checker refuses tab indentation), \r, or
    # trailing spaces (editors and pre-commit strip them, which would change the text)
    if "\t" in text or "\r" in text or any(line != line.rstrip(" ") for line in text.split("\n")):
        return False
    return bool(_ANALYSER.analyze_scalar(text).allow_block)


def style_string(text: str, in_flow: bool = False) -> str:
    """The same text, typed so that ruamel writes it in kehu's quoting style."""
    if resolves(text) == (TIMESTAMP_TAG, TIMESTAMP_TAG):
        return text if type(text) is YamlDate else YamlDate(text)
    if "\n" in text:
        if not in_flow and _literal_ok(text):
            return text if type(text) is LiteralScalarString else LiteralScalarString(text)
        return DoubleQuotedScalarString(text)  # type: ignore[no-any-return]  # ruamel's __new__ returns Any
    if _plain_ok(text, in_flow):
        return text if type(text) is str else str(text)
    return text if type(text) is DoubleQuotedScalarString else DoubleQuotedScalarString(text)


def _style_scalar(v: Any, in_flow: bool) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return int(v)  # decimal, whatever base the file used (PyYAML reads both the same)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return style_string(v, in_flow)
    if hasattr(v, "isoformat") and hasattr(v, "year"):  # datetime.date / datetime.datetime
        return YamlDate(v.isoformat())
    return v


def _style(c: Any, in_flow: bool) -> None:
    in_flow = in_flow or c.fa.flow_style() is True
    for u in _units(c):
        v = c[u]
        if isinstance(v, CommentedMap | CommentedSeq):
            _style(v, in_flow)
            continue
        new = _style_scalar(v, in_flow)
        if new is not v:
            _set(c, u, new)


def _set(c: Any, u: Any, value: Any) -> None:
    # bypass ruamel's __setitem__, which would keep the old quoting style of the value
    if isinstance(c, CommentedMap):
        ordereddict.__setitem__(c, u, value)
    else:
        list.__setitem__(c, u, value)


def _units(c: Any) -> list[Any]:
    return list(c.keys()) if isinstance(c, CommentedMap) else list(range(len(c)))


# --- comments ------------------------------------------------------------------------------------


def _is_block(v: Any) -> bool:
    return isinstance(v, CommentedMap | CommentedSeq) and len(v) > 0 and v.fa.flow_style() is not True


def _is_block_scalar(v: Any) -> bool:
    return isinstance(v, LiteralScalarString | FoldedScalarString)


def _token_lines(tok: Any, eol: bool) -> tuple[str | None, list[Line]]:
    """Split a ruamel comment token into its end-of-line comment and the full lines after it."""
    if tok is None:
        return None, []
    value = tok.value if isinstance(tok.value, str) else "".join(tok.value)
    if not value.endswith("\n"):
        value += "\n"
    parts = value.split("\n")[:-1]
    first = parts.pop(0) if eol else None
    eol_text = first.strip() or None if first is not None else None
    try:
        base = tok.column
    except AttributeError:
        base = 0
    lines: list[Line] = []
    for j, part in enumerate(parts):
        stripped = part.lstrip(" ")
        if not stripped.strip():
            lines.append((0, ""))
        else:
            lead = base if (not eol and j == 0) else 0
            lines.append((lead + len(part) - len(stripped), stripped.rstrip()))
    return eol_text, lines


def _tokens_lines(toks: Iterable[Any] | None) -> list[Line]:
    out: list[Line] = []
    for tok in toks or ():
        if isinstance(tok, CommentToken):
            out.extend(_token_lines(tok, eol=False)[1])
    return out


def _squeeze(lines: list[Line]) -> list[Line]:
    """At most one blank line in a row."""
    out: list[Line] = []
    for line in lines:
        if not (line[1] == "" and out and out[-1][1] == ""):
            out.append(line)
    return out


def _split_trailing(lines: list[Line], col: int) -> tuple[list[Line], list[Line]]:
    """Lines indented deeper than ``col`` close the entry above; the rest lead into the next entry."""
    j = next((i for i, (c, t) in enumerate(lines) if t and c <= col), len(lines))
    while j > 0 and lines[j - 1][1] == "":
        j -= 1
    return lines[:j], lines[j:]


def _render(lines: list[Line], col: int | None) -> str:
    """Text of full-line comments; ``col`` re-indents them, ``None`` keeps their own columns."""
    return "".join(f"{' ' * (c if col is None else col)}{t}\n" if t else "\n" for c, t in lines)


@dataclass
class _Note:
    before: list[Line] = field(default_factory=list)  # own-line comments above the entry
    eol_text: str | None = None  # the comment at the end of the entry's line …
    eol_col: int = 0  # … and the column it starts at (kept, so aligned comments stay aligned)
    after: list[Line] = field(default_factory=list)  # own-line comments closing the entry, indented deeper


@dataclass
class _Unit:
    """A map key or list item of the source, where it stands."""

    line: int
    col: int  # of the key, or of the '-' of a list item
    c: Any
    u: Any
    parent: _Unit | None
    index: int
    count: int


def _nothing(lines: list[Line]) -> None:
    assert not lines, "comments above a list item's first key lead the item"


def _clear(c: Any) -> None:
    c.ca.items.clear()
    c.ca.comment = None
    c.ca.end = []
    for u in _units(c):
        if isinstance(c[u], CommentedMap | CommentedSeq):
            _clear(c[u])


class Comments:
    """All comments of a document, detached from ruamel's slots so entries can move.

    Each comment belongs to an entry (a key or a list item): the comment at the end of its
    line, own-line comments above it, or own-line comments below it that are indented deeper
    than the entry that follows (they close this one). ``read`` files them from the source
    text, ``extract`` from a tree in memory; after reordering, ``attach`` writes them back
    in the places ruamel itself uses when it reads a file.
    """

    def __init__(self) -> None:
        self.notes: dict[tuple[int, Any], _Note] = {}
        self.header: list[Line] = []
        self.tail: list[Line] = []

    def note(self, c: Any, u: Any) -> _Note:
        return self.notes.setdefault((id(c), u), _Note())

    # -- read: from the source text (ruamel's own bookkeeping drops some comments) --

    @classmethod
    def read(cls, doc: CommentedMap, text: str) -> Comments:
        self = cls()
        rows = text.split("\n")
        units = _source_units(doc, rows)
        lines_of = [x.line for x in units]
        comments, blanks = _source_comments(text)
        eols = {line: (col, t) for line, col, t, eol in comments if eol}
        own = {line: (col, t) for line, col, t, eol in comments if not eol}
        block: list[tuple[int, Line]] = []
        for n in range(len(rows)):
            if n in own or n in blanks:
                block.append((n, own.get(n, (0, ""))))
                continue
            if block:
                self._place_block(units, lines_of, block)
                block = []
            if n in eols:
                self._place_eol(units, lines_of, n, *eols[n])
        if block:
            self._place_block(units, lines_of, block)
        return self

    def _place_block(self, units: list[_Unit], lines_of: list[int], block: list[tuple[int, Line]]) -> None:
        i = bisect.bisect_left(lines_of, block[0][0])
        lines = [ln for _, ln in block]
        after = units[i] if i < len(units) else None
        prev = units[i - 1] if i > 0 else None
        if prev is None:
            self.header += lines
        elif after is not None and _within(after, prev):
            self.note(after.c, after.u).before += lines  # between 'key:' and its first entry
        else:
            self._close(prev, lines)

    def _close(self, x: _Unit, lines: list[Line]) -> None:
        """Own-line comments after entry ``x``: deeper ones close it, the rest lead the next entry up the tree."""
        cur: _Unit | None = x
        while cur is not None:
            deep, lines = _split_trailing(lines, cur.col)
            self.note(cur.c, cur.u).after += deep
            if not lines:
                return
            if cur.index + 1 < cur.count:
                self.note(cur.c, _units(cur.c)[cur.index + 1]).before += lines
                return
            cur = cur.parent
        self.tail += lines

    def _place_eol(self, units: list[_Unit], lines_of: list[int], n: int, col: int, text: str) -> None:
        j = bisect.bisect_right(lines_of, n)
        if j == 0:
            self.header.append((0, text))
            return
        x = units[j - 1]  # the deepest entry on this line, or the one a continued value belongs to
        note = self.note(x.c, x.u)
        if note.eol_text is None:
            note.eol_text, note.eol_col = text, col
        else:
            note.after.append((col, text))

    # -- extract: from a tree in memory (kehu's own layout of ruamel slots, or comments a command added) --

    @classmethod
    def extract(cls, doc: CommentedMap) -> Comments:
        self = cls()
        self.tail = self._extract(doc, 0, []) + _tokens_lines(doc.ca.end)
        doc.ca.end = []
        return self

    def _extract(self, c: Any, col: int, lead: list[Line]) -> list[Line]:
        is_map = isinstance(c, CommentedMap)
        pending = lead
        for u in _units(c):
            v = c[u]
            slots = list(c.ca.items.pop(u, None) or [None] * 4) + [None] * 4
            eol_tok = slots[2] if is_map else slots[0]
            note = self.note(c, u)
            note.before = pending + _tokens_lines(slots[1])
            note.eol_text, rest = _token_lines(eol_tok, eol=not _is_block_scalar(v))
            note.eol_col = _hash_column(eol_tok) if note.eol_text is not None else 0
            if _is_block_scalar(v) and isinstance(slots[3], list) and slots[3] and isinstance(slots[3][0], str):
                note.eol_text, note.eol_col = slots[3][0].strip(), 0  # 'notes: |  # …'
            elif isinstance(slots[3], list):
                rest += _tokens_lines(slots[3])
            if isinstance(v, CommentedMap | CommentedSeq):
                header = rest + self._header(v, [eol_tok, *(slots[3] or [])])
                if _is_block(v) and not is_map and isinstance(v, CommentedMap):
                    # a '- ' item that is a mapping: comments above its first key lead the whole item
                    trailing = self._extract(v, col + INDENT, [])
                    first = self.note(v, _units(v)[0])
                    note.before += header + first.before
                    first.before = []
                elif _is_block(v):
                    trailing = self._extract(v, col + INDENT, header)
                else:
                    trailing = header
                trailing += _tokens_lines(v.ca.end)
                v.ca.end = []
            else:
                trailing = rest
            note.after, pending = _split_trailing(trailing, col)
        return pending

    @staticmethod
    def _header(v: Any, seen: list[Any]) -> list[Line]:
        """Comment lines ruamel keeps on a nested container itself (between its key and first entry)."""
        lines: list[Line] = []
        comment = v.ca.comment or []
        first = comment[0] if len(comment) > 0 else None
        if isinstance(first, CommentToken) and not any(_same(first, t) for t in seen):
            text, rest = _token_lines(first, eol=True)
            lines += ([(0, text)] if text else []) + rest
        if len(comment) > 1 and comment[1]:
            lines += _tokens_lines(t for t in comment[1] if not any(_same(t, s) for s in seen))
        v.ca.comment = None
        return lines

    # -- attach --

    def attach(self, doc: CommentedMap) -> None:
        header = self._to_header(doc)
        header(_squeeze(self.header))
        self._attach(doc, 0, header)
        units = _units(doc)
        tail = _squeeze(self.tail)
        while tail and tail[-1][1] == "":
            tail.pop()
        if tail and units:
            self._append_to_leaf(doc, units[-1], 0, tail, None)
        else:
            header(tail)

    @staticmethod
    def _to_header(doc: CommentedMap) -> Callable[[list[Line]], None]:
        def sink(lines: list[Line]) -> None:
            if not lines:
                return
            if not doc.ca.comment:
                doc.ca.comment = [None, []]
            if doc.ca.comment[1] is None:
                doc.ca.comment[1] = []
            if not doc.ca.comment[1]:
                while lines and lines[0][1] == "":
                    lines = lines[1:]
            doc.ca.comment[1].extend(CommentToken(_render([ln], 0), CommentMark(0)) for ln in lines)
        return sink

    def _attach(self, c: Any, col: int, lead_sink: Callable[[list[Line]], None]) -> None:
        is_map = isinstance(c, CommentedMap)
        prev = None
        for i, u in enumerate(_units(c)):
            v = c[u]
            item_map = _is_block(v) and not is_map and isinstance(v, CommentedMap)
            note = self.notes.get((id(c), u)) or _Note()
            before = note.before
            if item_map:
                # the key now first in a '- ' item (keys were reordered) has its comments above the item
                first = self.note(v, _units(v)[0])
                before, first.before = before + first.before, []
            before = _squeeze(before)
            if i == 0:
                while before and before[0][1] == "":
                    before = before[1:]
                lead_sink(before)
            elif before:
                self._append_to_leaf(c, prev, col, before, col)
            self._set_eol(c, u, v, note)
            if item_map:
                self._attach(v, col + INDENT, _nothing)  # its leading comments were moved to the item
            elif _is_block(v):
                self._attach(v, col + INDENT, self._eol_sink(c, u, v, col + INDENT))
            if note.after:
                self._append_to_leaf(c, u, col, _squeeze(note.after), None)
            prev = u

    @staticmethod
    def _set_eol(c: Any, u: Any, v: Any, note: _Note) -> None:
        if note.eol_text is None:
            return
        slots = c.ca.items.setdefault(u, [None] * 4)
        if _is_block_scalar(v) and isinstance(c, CommentedMap):
            slots[3] = [f"  {note.eol_text}"]  # ruamel writes it after the '|' indicator
            return
        # ruamel pads to the token's column but leaves a single space when the value is longer;
        # a leading space in the text makes that two, as is usual for end-of-line comments
        tok = CommentToken(f" {note.eol_text}\n", CommentMark(max(0, note.eol_col - 1)))
        slots[2 if isinstance(c, CommentedMap) else 0] = tok
        if isinstance(v, CommentedMap | CommentedSeq):
            v.ca.comment = [tok, None]

    def _eol_sink(self, c: Any, u: Any, v: Any, col: int) -> Callable[[list[Line]], None]:
        """Lines before the first entry of a nested block go after its key's line, as ruamel reads them."""
        idx = 2 if isinstance(c, CommentedMap) else 0

        def sink(lines: list[Line]) -> None:
            if not lines:
                return
            slots = c.ca.items.setdefault(u, [None] * 4)
            tok = slots[idx]
            text = (tok.value if tok is not None else "\n") + _render(lines, col)
            new = CommentToken(text, tok.start_mark if tok is not None else CommentMark(0))
            slots[idx] = new
            v.ca.comment = [new, None]
        return sink

    def _append_to_leaf(self, c: Any, u: Any, col: int, lines: list[Line], at: int | None) -> None:
        """Append own-line comments after the last line of entry ``u``'s subtree (its deepest last value).

        ``at`` re-indents them; ``None`` keeps their columns. After a ``|`` block they are never
        indented deeper than its key, or YAML would read them as part of the text.
        """
        v = c[u]
        while _is_block(v):
            c, u, col = v, _units(v)[-1], col + INDENT
            v = c[u]
        if _is_block_scalar(v):
            lines = [(min(at if at is not None else lc, col), t) for lc, t in lines]
            at = None
        idx = 2 if isinstance(c, CommentedMap) else 0
        slots = c.ca.items.setdefault(u, [None] * 4)
        tok = slots[idx]
        if tok is None:
            head = "" if _is_block_scalar(v) else "\n"
            slots[idx] = CommentToken(head + _render(lines, at), CommentMark(0))
        else:
            slots[idx] = CommentToken(tok.value + _render(lines, at), tok.start_mark)
        if isinstance(v, CommentedMap | CommentedSeq):
            v.ca.comment = None  # the parent slot is the one ruamel writes


def _same(a: Any, b: Any) -> bool:
    """The same comment token, or a copy of it (``copy.deepcopy`` splits tokens ruamel shares)."""
    return a is b or (isinstance(a, CommentToken) and isinstance(b, CommentToken) and a.value == b.value)


def _hash_column(tok: Any) -> int:
    """The column of the '#' of an end-of-line comment token (its text may start with spaces)."""
    value = tok.value if isinstance(tok.value, str) else "".join(tok.value)
    column: int = tok.column + len(value) - len(value.lstrip(" "))
    return column


def _within(inner: _Unit, outer: _Unit) -> bool:
    p = inner.parent
    while p is not None:
        if p is outer:
            return True
        p = p.parent
    return False


def _source_units(doc: CommentedMap, rows: list[str]) -> list[_Unit]:
    """Every key and list item outside flow collections, in document order, with its source position."""
    out: list[_Unit] = []

    def walk(c: Any, parent: _Unit | None) -> None:
        units = _units(c)
        for i, u in enumerate(units):
            if isinstance(c, CommentedMap):
                line, col = c.lc.key(u)
            else:
                line, col = c.lc.item(u)
                before = rows[line][:col].rstrip() if line < len(rows) else ""
                col = len(before) - 1 if before.endswith("-") else max(0, col - INDENT)
            unit = _Unit(line, col, c, u, parent, i, len(units))
            out.append(unit)
            if _is_block(c[u]):
                walk(c[u], unit)

    walk(doc, None)
    return out


def _source_comments(text: str) -> tuple[list[tuple[int, int, str, bool]], set[int]]:
    """Comments (line, column, text, is-end-of-line) and blank lines (0-based), from the scanner's gaps."""
    comments: list[tuple[int, int, str, bool]] = []
    blanks: set[int] = set()
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def gap(a: int, b: int) -> None:
        for m in _COMMENT.finditer(text, a, b):
            line = bisect.bisect_right(starts, m.start()) - 1
            col = m.start() - starts[line]
            comments.append((line, col, m.group().rstrip(), bool(text[starts[line]:m.start()].strip())))
        first = bisect.bisect_left(starts, a)
        for line in range(first, len(starts)):
            ls = starts[line]
            le = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
            if le > b:
                break
            if not text[ls:le].strip():
                blanks.add(line)

    pos = 0
    for tok in yaml.scan(text, Loader=_SCAN_LOADER):
        gap(pos, tok.start_mark.index)
        pos = max(pos, tok.end_mark.index)
    gap(pos, len(text))
    return comments, blanks


_COMMENT = re.compile(r"#[^\n]*")
# libyaml's marks count characters like PyYAML's (checked on Chinese text); it is ~3x faster
_SCAN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --- ordering --------------------------------------------------------------------------------------


def _order_keys(m: CommentedMap, order: Iterable[str]) -> None:
    known = [k for k in order if k in m]
    rest = [k for k in m if k not in set(known)]
    for k in known + rest:
        m.move_to_end(k)


def date_key(item: Any) -> tuple[int, str]:
    if isinstance(item, dict):
        d: Any = item.get("date")
        if isinstance(d, str) or (hasattr(d, "isoformat") and hasattr(d, "year")):
            return (0, d if isinstance(d, str) else d.isoformat())
    return (1, "")


def _sort_by_date(s: CommentedSeq, comments: Comments) -> None:
    order = sorted(range(len(s)), key=lambda i: date_key(s[i]))
    if order == list(range(len(s))):
        return
    items = [s[i] for i in order]
    notes = [comments.notes.pop((id(s), i), _Note()) for i in order]
    for new_i, (item, note) in enumerate(zip(items, notes, strict=True)):
        list.__setitem__(s, new_i, item)
        comments.notes[(id(s), new_i)] = note


def sort_key_data(data: Any, layout: Layout) -> Any:
    """The checker's plain data as ``canonicalize`` orders it (to compare before and after)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name in layout.sort_by_date:
        if isinstance(out.get(name), list):
            out[name] = sorted(out[name], key=date_key)
    return out


def canonicalize(data: Any, layout: Layout) -> CommentedMap:
    """Put ``data`` into the canonical layout, in place when it is a ``CommentedMap``; returns the map."""
    doc = _adopt(data, layout, None)
    if not isinstance(doc, CommentedMap):
        raise TypeError("a kehu file is a mapping of fields")
    doc.fa.set_block_style()
    comments = Comments.extract(doc)
    _order_keys(doc, layout.top)
    for name, order in layout.nested.items():
        value = doc.get(name)
        if isinstance(value, CommentedMap):
            _order_keys(value, order)
        elif isinstance(value, CommentedSeq):
            for item in value:
                if isinstance(item, CommentedMap):
                    _order_keys(item, order)
    for name in layout.sort_by_date:
        if isinstance(doc.get(name), CommentedSeq):
            _sort_by_date(doc[name], comments)
    _style(doc, False)
    comments.attach(doc)
    return doc


# --- checking a result -------------------------------------------------------------------------------


def comment_texts(text: str) -> list[tuple[int, str]]:
    """Every comment in a YAML text as (1-based line, text)."""
    return [(line + 1, t) for line, _col, t, _eol in _source_comments(text)[0]]


def read_comments(doc: CommentedMap, text: str) -> None:
    """Replace ruamel's record of ``doc``'s comments by kehu's, read from the source ``text``.

    ruamel drops some comments (inside flow collections, between one-line items); kehu's
    reading keeps every one, filed under the entry it belongs to, in ruamel's own slots.
    """
    comments = Comments.read(doc, text)
    _clear(doc)
    comments.attach(doc)


def parse_bytes(file: str, raw: bytes, msgs: Locale | None = None,
                max_bytes: int | None = None) -> tuple[CommentedMap, LoadedYaml]:
    """Parse one file's bytes for round-trip editing, after the checker's strict YAML checks.

    Returns the ``CommentedMap`` and the checker's plain view of the same bytes
    (``LoadedYaml``, used to prove that formatting changed no data).
    Raises :class:`StoreError` naming ``file:line:col`` for anything the checker would call a YAML error.
    """
    msgs = msgs or Locale()
    loaded = load_yaml_bytes(file, raw, msgs, max_bytes)
    if loaded.problems:
        raise StoreError.from_problem(min(loaded.problems, key=Problem.sort_key))
    text = raw.decode("utf-8").removeprefix("\ufeff")
    try:
        doc = loader().load(text)
    except MarkedYAMLError as e:  # PyYAML accepted it but ruamel did not: still the file's fault, still located
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(str(s) for s in (e.context, e.problem) if s)
        raise StoreError.from_problem(msgs.error(file, line, col, "yaml-syntax", detail=detail)) from None
    except YAMLError as e:
        raise StoreError.from_problem(msgs.error(file, 1, 1, "yaml-syntax", detail=str(e).splitlines()[0])) from None
    if not isinstance(doc, CommentedMap):
        raise StoreError.from_problem(msgs.error(file, 1, 1, "not-mapping"))
    read_comments(doc, text)
    return doc, loaded


@dataclass
class Formatted:
    file: str
    old: bytes
    new: bytes

    @property
    def changed(self) -> bool:
        return self.old != self.new


def format_bytes(file: str, raw: bytes, schemas: SchemaSet, kind: str = "customer",
                 msgs: Locale | None = None, max_bytes: int | None = None) -> Formatted:
    """Lay out one file. Raises ``StoreError`` (with ``file:line:col``) when it cannot, safely."""
    msgs = msgs or Locale()
    doc, before = parse_bytes(file, raw, msgs, max_bytes)
    layout = Layout.for_kind(schemas, kind)
    try:
        text = serialize(canonicalize(doc, layout))
    except Exception as e:  # a bug of ours must not cost the user a traceback or the file
        raise StoreError.from_problem(msgs.error(file, 1, 1, "fmt-unsafe", detail=type(e).__name__)) from e
    new = text.encode("utf-8")
    _prove(file, raw, new, before.data, layout, msgs)
    return Formatted(file, raw, new)


def _prove(file: str, raw: bytes, new: bytes, data: Any, layout: Layout, msgs: Locale) -> None:
    """Refuse a result that lost or changed anything: same data, same comments."""
    after = load_yaml_bytes(file, new, msgs)
    if after.problems:
        p = after.problems[0]
        raise StoreError.from_problem(msgs.error(file, 1, 1, "fmt-unsafe", detail=p.message))
    if after.data != sort_key_data(data, layout):
        raise StoreError.from_problem(msgs.error(file, 1, 1, "fmt-unsafe", detail="data"))
    old_comments = comment_texts(raw.decode("utf-8").removeprefix("\ufeff"))
    old_count = Counter(t for _, t in old_comments)
    new_count = Counter(t for _, t in comment_texts(new.decode("utf-8")))
    if new_count - old_count:  # a comment written twice would be a bug of ours: refuse rather than write it
        raise StoreError.from_problem(msgs.error(file, 1, 1, "fmt-unsafe", detail="comments"))
    missing = old_count - new_count
    if missing:
        line, comment = next((n, t) for n, t in old_comments if t in missing)
        short = comment if len(comment) <= 40 else comment[:39] + "…"
        raise StoreError.from_problem(msgs.error(file, line, 1, "fmt-comment", comment=short))
