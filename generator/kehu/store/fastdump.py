"""kehu's canonical layout written without ruamel, for plain data — the bulk of ``kehu import``.

:func:`kehu.store.write.dump` lays a customer out with :func:`kehu.store.fmt.canonicalize` and writes it through
ruamel's representer, serializer and emitter: about 2 ms a file, most of a large import's time.
Freshly built records (``kehu import`` drafts) are plain ``dict``/``list``/scalar trees with at most
the editor-schema header comment, and for those this module produces the same text directly.

Every layout decision is kehu.store.fmt's own, called here rather than copied: flow or block
(``fits_one_line``, the list rule of ``_adopt``), key order (the schema's :class:`~kehu.store.fmt.Layout`),
date sorting (``date_key``) and quoting (:func:`kehu.store.fmt.style_string`). Only the emitting is
re-done, for the few shapes that occur, each compared with ruamel's output in tests/store/test_fastdump.py.

Anything not handled with certainty makes :func:`dump_plain` return ``None`` and the caller uses
ruamel: other comments, ruamel containers or other types inside, non-``str`` keys or keys YAML
would read as something else, a block list directly inside a list, ``|`` blocks that need an
indentation indicator or keep-chomping (``|2``, ``|+``) or hold Unicode line breaks, a datetime or
float whose text does not read back as one, and documents long enough to reach ruamel's line width.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from .fmt import FLOW_MAX_WIDTH, Layout, date_key, fits_one_line, style_string, text_width
from .roundtrip import STR_TAG, TIMESTAMP_TAG, WIDTH, YamlDate, float_text, resolves

_FLOAT = "tag:yaml.org,2002:float"
# ruamel folds a line once it passes WIDTH columns; a shorter document cannot contain such a line
MAX_CHARS = WIDTH // 2
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_HEADER_LINE = re.compile(r"# [^\x00-\x1f\x7f\x85\u2028\u2029]*[^\s]\n")
_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")
# ruamel's Emitter.ESCAPE_REPLACEMENTS (with allow_unicode=True, the only characters escaped besides
# these are the non-printable ones, written \xXX / \uXXXX / \UXXXXXXXX)
_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\x09": "t", "\x0a": "n", "\x0b": "v", "\x0c": "f",
            "\x0d": "r", "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L",
            "\u2029": "P"}
_NEEDS_ESCAPE = re.compile('["\\\\\x85\u2028\u2029\ufeff]|[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_KEY_OK: dict[str, bool] = {}


class _Fallback(Exception):
    """This data is not one of the shapes written here: use ruamel."""


def dump_plain(data: Any, layout: Layout) -> str | None:
    """The text ``serialize(canonicalize(data, layout))`` gives, or ``None`` when ruamel must write it.

    ``data`` is a ``dict`` (or a ``CommentedMap`` carrying nothing but ``# …`` header lines) of
    plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None``/``datetime.date`` values.
    It is not modified.
    """
    if layout.kind != "customer" or not isinstance(data, dict) or not data:
        return None
    try:
        header = _header(data)
        tree = _top(data, layout)
        out: list[str] = [header]
        _block_map(tree, 0, out, first_prefix=None)
    except _Fallback:
        return None
    text = "".join(out)
    return text if len(text) < MAX_CHARS else None


# --- the header comment ------------------------------------------------------------------------


def _header(data: dict[str, Any]) -> str:
    if type(data) is dict:
        return ""
    if type(data) is not CommentedMap:
        raise _Fallback
    ca = data.ca
    if ca.items or ca.end or getattr(ca, "pre", None) or data.merge or data.yaml_anchor() is not None:
        raise _Fallback
    if getattr(data, "tag", None) is not None and data.tag.value:
        raise _Fallback
    if ca.comment is None:
        return ""
    if len(ca.comment) != 2 or ca.comment[0] is not None or not ca.comment[1]:
        raise _Fallback
    lines = []
    for tok in ca.comment[1]:
        value = getattr(tok, "value", None)
        if not isinstance(value, str) or tok.column != 0 or not _HEADER_LINE.fullmatch(value):
            raise _Fallback
        lines.append(value)
    return "".join(lines)


# --- the tree, as kehu.store.fmt.canonicalize arranges it ----------------------------------------------
# A node is ("map", flow, [(key, node), …]), ("seq", flow, [node, …]) or ("scalar", value) with the
# value already styled by kehu.store.fmt's rules (str / DoubleQuoted / Literal / YamlDate / int / …).
_Node = tuple[Any, ...]


def _top(data: dict[str, Any], layout: Layout) -> _Node:
    keys = _ordered(data, layout.top)
    entries = []
    for k in keys:
        value = data[k]
        if k in layout.sort_by_date and type(value) is list:
            value = sorted(value, key=date_key)  # stable, like fmt._sort_by_date
        order = layout.nested.get(k)
        entries.append((k, _node(value, layout, k, order, False)))
    return ("map", False, entries)


def _ordered(m: dict[str, Any], order: tuple[str, ...] | None) -> list[str]:
    for k in m:
        if not _key_ok(k):
            raise _Fallback
    if order is None:
        return list(m)
    known = [k for k in order if k in m]
    known_set = set(known)
    return known + [k for k in m if k not in known_set]


def _key_ok(k: Any) -> bool:
    """A key ruamel writes plain, as itself, and every reader reads as that string."""
    if type(k) is not str:
        return False
    ok = _KEY_OK.get(k)
    if ok is None:
        ok = bool(_KEY.fullmatch(k)) and resolves(k) == (STR_TAG, STR_TAG)
        _KEY_OK[k] = ok
    return ok


def _node(value: Any, layout: Layout, field: str, order: tuple[str, ...] | None, in_flow: bool) -> _Node:
    """``order``: the key order of this map, or of the maps directly in this list (one level, like fmt)."""
    t = type(value)
    if t is dict:
        flow = field in layout.flow_maps and fits_one_line(value)
        inner = in_flow or flow
        return ("map", flow, [(k, _node(value[k], layout, field, None, inner)) for k in _ordered(value, order)])
    if t is list:
        flow = all(type(v) is not dict and type(v) is not list and "\n" not in str(v) for v in value) \
            and sum(text_width(f"{v}, ") for v in value) <= FLOW_MAX_WIDTH
        inner = in_flow or flow
        # fmt orders the keys of the maps directly in the list, nothing deeper
        items = [_node(v, layout, field, order if type(v) is dict else None, inner) for v in value]
        return ("seq", flow, items)
    return ("scalar", _scalar(value, in_flow))


def _scalar(v: Any, in_flow: bool) -> Any:
    # the types fmt._style_scalar passes on unchanged or normalises; anything else goes to ruamel
    t = type(v)
    if v is None or t is bool or t is int:
        return v
    if t is float:
        text = float_text(v)
        if resolves(text)[1] != _FLOAT:  # ruamel would tag it (!!float "…")
            raise _Fallback
        return _Float(text)
    if t is str or t is YamlDate:
        return _styled(v, in_flow)
    if t is dt.date or t is dt.datetime:
        text = v.isoformat()
        if resolves(text) != (TIMESTAMP_TAG, TIMESTAMP_TAG):
            raise _Fallback
        return YamlDate(text)
    raise _Fallback


_STYLED: dict[tuple[str, bool], Any] = {}
_STYLED_MAX = 100_000


def _styled(text: str, in_flow: bool) -> Any:
    # style_string depends on the text alone; most values of an import repeat (owners, stages, titles)
    key = (text, in_flow)
    hit = _STYLED.get(key)
    if hit is None:
        if len(_STYLED) >= _STYLED_MAX:
            _STYLED.clear()
        hit = _STYLED[key] = style_string(text, in_flow)
    return hit


class _Float(str):
    """A float's text, written plain."""

    __slots__ = ()


# --- emitting, as ruamel does with kehu's settings (indent 2, '- ' indented by 2) ------------------


def _scalar_text(v: Any) -> str:
    """A one-line scalar (never a '|' block)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is int:
        return str(v)
    if t is DoubleQuotedScalarString:
        return _double_quoted(v)
    if t is str or t is YamlDate or t is _Float:
        return str(v)
    raise _Fallback


def _double_quoted(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _ESCAPES:
        return "\\" + _ESCAPES[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _flow(node: _Node) -> str:
    if node[0] == "map":
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in node[2]) + "}"
    if node[0] == "seq":
        return "[" + ", ".join(_flow(v) for v in node[2]) + "]"
    if type(node[1]) is LiteralScalarString:
        raise _Fallback
    return _scalar_text(node[1])


def _is_block(node: _Node) -> bool:
    return node[0] != "scalar" and not node[1] and bool(node[2])


def _literal(text: str, indent: int) -> str:
    """``|`` or ``|-`` and the lines at ``indent``; the cases needing more go to ruamel."""
    if text[0] in " \n" or any(b in text for b in _UNICODE_BREAKS) or text.endswith("\n\n"):
        raise _Fallback  # '|2' (leading space or break), '|+' (kept trailing breaks), other line breaks
    chomp = "" if text.endswith("\n") else "-"
    pad = " " * indent
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in text.removesuffix("\n").split("\n"))
    return f"|{chomp}\n{body}"


def _value(node: _Node, indent: int, out: list[str]) -> None:
    """What follows 'key:' or '- ' (the separator included); ``indent``: where a nested block goes."""
    if node[0] == "scalar":
        v = node[1]
        if type(v) is LiteralScalarString:
            out.append(" " + _literal(v, indent))
        else:
            out.append(" " + _scalar_text(v) + "\n")
    elif not _is_block(node):
        out.append(" " + _flow(node) + "\n")
    elif node[0] == "map":
        out.append("\n")
        _block_map(node, indent, out, first_prefix=None)
    else:
        out.append("\n")
        _block_seq(node, indent, out)


def _block_map(node: _Node, indent: int, out: list[str], first_prefix: str | None) -> None:
    """Entries at column ``indent``; ``first_prefix`` replaces the first entry's indentation ('- ' items)."""
    pad = " " * indent
    for i, (k, v) in enumerate(node[2]):
        out.append((first_prefix if i == 0 and first_prefix is not None else pad) + k + ":")
        _value(v, indent + 2, out)


def _block_seq(node: _Node, indent: int, out: list[str]) -> None:
    """Items as '- ' at column ``indent``, their content at ``indent + 2``."""
    dash = " " * indent + "-"
    for item in node[2]:
        if _is_block(item):
            if item[0] == "seq":
                raise _Fallback  # ruamel writes a block list in a list in a layout of its own ('-   - ')
            _block_map(item, indent + 2, out, first_prefix=dash + " ")
        else:
            out.append(dash)
            _value(item, indent + 2, out)
