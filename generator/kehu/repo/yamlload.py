"""Strict YAML loading that keeps every value's line and column.

PyYAML's C parser composes the node tree; this module turns the nodes into
plain JSON-like data (dates stay ISO strings, so JSON Schema sees what the file
says) and records where each value stands. It refuses what YAML accepts
silently but that loses or hides data: duplicate keys, anchors and aliases,
custom tags, tab indentation, non-UTF-8 bytes, oversized files.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back quietly where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # (mypy types the name by the first import)

from ..util.problems import Problem
from ..words.catalogue import Locale

Path_ = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_STR, _TIMESTAMP, _SEQ, _MAP, _MERGE = (_STD + t for t in ("str", "timestamp", "seq", "map", "merge"))
# Nesting no file of a team needs (a customer file is 4 levels deep): deeper is refused at its line, before
# anything recursive — the walker below, the schema validator, ruamel — sees it. Bounded work for every reader.
MAX_DEPTH = 32
_NUMBER_START = frozenset("+-.0123456789")  # the only first characters _YAML12_ONLY_NUMBER can match
_constructor = yaml.constructor.SafeConstructor()
# what YAML forbids in a stream (PyYAML's reader reports it without a position)
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


# integers whose value differs between YAML 1.1 and 1.2: octal with a bare leading 0, binary, base 60
_YAML11_ONLY_INT = re.compile(r"^[-+]?(?:0[0-7_]+|0b[01_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+)$")
# plain text in YAML 1.1 that YAML 1.2 reads as a number: leading-zero digits, 0o octal, exponents without a dot
_YAML12_ONLY_NUMBER = re.compile(r"^[-+]?(?:0[0-9]+|0o[0-7]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+)$")


_IMPLICIT = _Loader.yaml_implicit_resolvers
_DEFAULT_TAGS = {yaml.ScalarNode: _Loader.DEFAULT_SCALAR_TAG, yaml.SequenceNode: _Loader.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: _Loader.DEFAULT_MAPPING_TAG}
_PLAIN_TAGS: dict[str, str] = {}  # the tag of short plain scalars already seen (it depends on the text alone)


class _FastLoader(_Loader):
    """The safe loader with the same tags, resolved with less Python per node.

    The C composer calls ``resolve`` (and the path-resolver hooks) back in Python for
    every node, which costs about as much as composing itself. The safe loader has no
    path resolvers and no wildcard implicit resolvers, so the table lookup by first
    character below gives exactly PyYAML's answer.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = _DEFAULT_TAGS[kind]
                for candidate, regexp in _IMPLICIT.get(value[:1], ()):  # value[:1] is '' for '': the null resolver
                    if regexp.match(value):
                        tag = candidate
                        break
                if len(value) <= 24 and len(_PLAIN_TAGS) < 65536:  # keys, dates, handles and codes repeat
                    _PLAIN_TAGS[value] = tag
            return tag
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


if _Loader.yaml_path_resolvers or None in _Loader.yaml_implicit_resolvers:  # pragma: no cover — a future PyYAML
    _FastLoader = _Loader  # type: ignore[misc,assignment]  # mypy cannot rebind a class name


def _shown_tag(tag: str) -> str:
    """A tag as it is written in the file: ``!!python/object``, not ``tag:yaml.org,2002:python/object``."""
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


@dataclass(slots=True)
class LoadedYaml:
    """The data of one file plus where every value and key stands (1-based)."""

    file: str
    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # the text as written of every scalar that YAML turned into a number or true/false (for "quote it" hints)
    texts: dict[Path_, str] = field(default_factory=dict)

    def pos(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that has one."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        if key and p in table:
            return table[p]
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


_CONFLICT_MARKER = re.compile(r"^<{7}(?: |$)", re.MULTILINE)  # a merge left unresolved


def conflict_marker_line(text: str) -> int | None:
    """The line of the first git conflict marker (``<<<<<<<`` at a line start), or None."""
    marker = _CONFLICT_MARKER.search(text) if "<<<<<<<" in text else None
    return text.count("\n", 0, marker.start()) + 1 if marker else None


def load_yaml_bytes(file: str, raw: bytes, msgs: Locale, max_bytes: int | None = None) -> LoadedYaml:
    out = LoadedYaml(file)
    if max_bytes is not None and len(raw) > max_bytes:
        out.problems.append(msgs.error(file, 1, 1, "too-large", size=len(raw), limit=max_bytes))
        return out
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        # the column in characters, as an editor shows it, not in bytes
        col = len(raw[raw.rfind(b"\n", 0, e.start) + 1: e.start].decode("utf-8", "replace")) + 1
        out.problems.append(msgs.error(file, line, col, "not-utf8", byte=f"0x{raw[e.start]:02x}"))
        return out
    if text.startswith("\ufeff"):
        text = text[1:]
    marker_line = conflict_marker_line(text)
    if marker_line is not None:
        out.problems.append(msgs.error(file, marker_line, 1, "conflict-markers"))
        return out
    if "\t" in text:
        tabbed = []
        for n, line_text in enumerate(text.split("\n"), 1):
            indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
            if "\t" in indent:
                tabbed.append((n, indent.index("\t") + 1))
        inside = _block_scalar_lines(text) if tabbed else set()
        for n, col in tabbed:
            if n not in inside:  # a tab inside a | or > block is text, not indentation
                out.problems.append(msgs.error(file, n, col, "tab-indent"))
        if out.problems:
            return out
    if "&" in text and (anchor := _has_anchor(text)):
        line, col = anchor
        out.problems.append(msgs.error(file, line, col, "anchor"))
        return out
    try:
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except RecursionError:  # nested deeper than the composer can go: say where it went too deep
        out.problems.append(msgs.error(file, *_too_deep_at(text), "too-deep", limit=MAX_DEPTH))
        return out
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = e.context
        if context and e.context_mark and e.problem_mark and e.context_mark.line != e.problem_mark.line:
            # e.g. an unclosed '[': the parser notices lines later; name where it opened
            context += f" (line {e.context_mark.line + 1}, column {e.context_mark.column + 1})"
        detail = " ".join(s for s in (context, e.problem) if s)
        out.problems.append(msgs.error(file, line, col, "yaml-syntax", detail=detail))
        return out
    except yaml.YAMLError as e:  # reader errors (control characters) carry no mark: find the character
        bad = _NON_PRINTABLE.search(text)
        line, col = (text.count("\n", 0, bad.start()) + 1, bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
                     ) if bad else (1, 1)
        out.problems.append(msgs.error(file, line, col, "yaml-syntax", detail=str(e).splitlines()[0]))
        return out
    if node is None:
        out.problems.append(msgs.error(file, 1, 1, "empty-file"))
        return out
    walker = _Walker(out, msgs)
    try:
        out.data = walker.build(node, ())
    except RecursionError:  # (the walker stops at MAX_DEPTH; this is for a stack already nearly used up)
        out.problems.append(msgs.error(file, *_too_deep_at(text), "too-deep", limit=MAX_DEPTH))
        out.data = None
        return out
    if not isinstance(node, yaml.MappingNode) and not out.problems:
        out.problems.append(msgs.error(file, node.start_mark.line + 1, node.start_mark.column + 1, "not-mapping"))
    return out


def _too_deep_at(text: str) -> tuple[int, int]:
    """Where the text first nests deeper than MAX_DEPTH (the parser's events: no recursion, bounded work)."""
    depth = 0
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH and ev.start_mark is not None:
                    return ev.start_mark.line + 1, ev.start_mark.column + 1
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass
    return 1, 1


def _block_scalar_lines(text: str) -> set[int]:
    """The lines (1-based) holding the content of a literal or folded block scalar; empty when the text
    does not parse (then every tab-indented line is reported)."""
    try:
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return set()
    lines: set[int] = set()
    stack = [node] if node is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.ScalarNode):
            if item.style in ("|", ">"):
                lines.update(range(item.start_mark.line + 2, item.end_mark.line + 2))
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                stack.extend((k, v))
    return lines


def _has_anchor(text: str) -> tuple[int, int] | None:
    # '&' is common in free text, so only a parse decides whether it is an anchor.
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if getattr(ev, "anchor", None):
                assert ev.start_mark is not None  # the parser's events always carry their marks
                return ev.start_mark.line + 1, ev.start_mark.column + 1
    except yaml.YAMLError:
        return None  # the real parse reports the syntax error
    return None


class _Walker:
    def __init__(self, out: LoadedYaml, msgs: Locale) -> None:
        self.out = out
        self.msgs = msgs

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: Path_) -> Any:
        # the hot loop of every check: about 300 nodes a customer file, so attribute look-ups are kept few
        mark = node.start_mark
        pos = (mark.line + 1, mark.column + 1)
        self.out.positions[path] = pos
        if len(path) > MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "too-deep", limit=MAX_DEPTH))
            return None
        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            if tag == _TIMESTAMP or (tag == _STR and (node.style or node.value[:1] not in _NUMBER_START)):
                return node.value  # plain text and dates: what _scalar would return, without its checks
            return self._scalar(node, pos, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=_shown_tag(node.tag)))
                return None
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if node.tag != _MAP:
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=_shown_tag(node.tag)))
            return None
        result: dict[str, Any] = {}
        key_positions = self.out.key_positions
        for key_node, value_node in node.value:
            kmark = key_node.start_mark
            kpos = (kmark.line + 1, kmark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "complex-key"))
                continue
            if key_node.tag == _MERGE:
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "anchor"))
                continue
            key = sys.intern(key_node.value)  # one copy of each key name in a large book (kehu.util.sharing)
            child = (*path, key)
            if key in result or child in key_positions:
                first = key_positions[child][0]
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "duplicate-key", key=key, first=first))
                continue
            key_positions[child] = kpos
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode, pos: tuple[int, int], path: Path_) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=_shown_tag(tag)))
            return None
        if tag == _STD + "str":
            if not node.style and _YAML12_ONLY_NUMBER.match(node.value):  # plain: None (Python) or "" (C)
                # 0211234567 and 1e3 are text in YAML 1.1 but numbers in YAML 1.2 (editors, other tools)
                self.out.problems.append(self.msgs.error(self.out.file, *pos, "yaml-number", text=node.value,
                                                         value=f'"{node.value}"'))
            return node.value
        if tag == _STD + "timestamp":
            # Keep dates as the text the file holds: JSON Schema checks the format,
            # and a date with a time (or a non-date) is reported, not converted.
            return node.value
        try:
            value = _constructor.yaml_constructors[tag](_constructor, node)
        except (ValueError, yaml.constructor.ConstructorError):
            return node.value
        if isinstance(value, float) and not math.isfinite(value):
            # .inf, .nan and 1.0e+400 have no JSON form: every other tool would read null or fail
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "not-finite", text=node.value))
            return node.value
        if value is not None:
            self.out.texts[path] = node.value
        if tag == _STD + "int" and _YAML11_ONLY_INT.match(node.value):
            # 0777 is 511 and 1:20 is 80 in YAML 1.1 (PyYAML), but 777 and "1:20" in YAML 1.2
            # (editors, check-jsonschema): the number silently depends on the tool.
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "yaml-number", text=node.value, value=value))
        return value
