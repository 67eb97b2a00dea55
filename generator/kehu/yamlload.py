"""Strict YAML loading that keeps every value's line and column.

PyYAML's C parser composes the node tree; this module turns the nodes into
plain JSON-like data (dates stay ISO strings, so JSON Schema sees what the file
says) and records where each value stands. It refuses what YAML accepts
silently but that loses or hides data: duplicate keys, anchors and aliases,
custom tags, tab indentation, non-UTF-8 bytes, oversized files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back quietly where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from .messages import Messages
from .problems import Problem

Path_ = tuple[str | int, ...]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_constructor = yaml.constructor.SafeConstructor()


@dataclass(slots=True)
class LoadedYaml:
    """The data of one file plus where every value and key stands (1-based)."""

    file: str
    data: Any = None
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

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


def load_yaml_bytes(file: str, raw: bytes, msgs: Messages, max_bytes: int | None = None) -> LoadedYaml:
    out = LoadedYaml(file)
    if max_bytes is not None and len(raw) > max_bytes:
        out.problems.append(msgs.error(file, 1, 1, "too-large", size=len(raw), limit=max_bytes))
        return out
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        out.problems.append(msgs.error(file, line, col, "not-utf8", byte=f"0x{raw[e.start]:02x}"))
        return out
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\t" in text:
        for n, line_text in enumerate(text.split("\n"), 1):
            indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
            if "\t" in indent:
                out.problems.append(msgs.error(file, n, indent.index("\t") + 1, "tab-indent"))
        if out.problems:
            return out
    if "&" in text and _has_anchor(text):
        line, col = _has_anchor(text)  # type: ignore[misc]
        out.problems.append(msgs.error(file, line, col, "anchor"))
        return out
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        detail = " ".join(s for s in (e.context, e.problem) if s)
        out.problems.append(msgs.error(file, line, col, "yaml-syntax", detail=detail))
        return out
    except yaml.YAMLError as e:  # reader errors (control characters) carry no mark
        out.problems.append(msgs.error(file, 1, 1, "yaml-syntax", detail=str(e).splitlines()[0]))
        return out
    if node is None:
        out.problems.append(msgs.error(file, 1, 1, "empty-file"))
        return out
    walker = _Walker(out, msgs)
    out.data = walker.build(node, ())
    if not isinstance(node, yaml.MappingNode) and not out.problems:
        out.problems.append(msgs.error(file, node.start_mark.line + 1, node.start_mark.column + 1, "not-mapping"))
    return out


def _has_anchor(text: str) -> tuple[int, int] | None:
    # '&' is common in free text, so only a parse decides whether it is an anchor.
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if getattr(ev, "anchor", None):
                return ev.start_mark.line + 1, ev.start_mark.column + 1
    except yaml.YAMLError:
        return None  # the real parse reports the syntax error
    return None


class _Walker:
    def __init__(self, out: LoadedYaml, msgs: Messages) -> None:
        self.out = out
        self.msgs = msgs

    def _pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: yaml.Node, path: Path_) -> Any:
        pos = self._pos(node)
        self.out.positions[path] = pos
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, pos)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _STD + "seq":
                self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=node.tag))
                return None
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        if node.tag != _STD + "map":
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=node.tag))
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            kpos = self._pos(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "complex-key"))
                continue
            if key_node.tag == _STD + "merge":
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "anchor"))
                continue
            key = key_node.value
            child = (*path, key)
            if key in result or child in self.out.key_positions:
                first = self.out.key_positions[child][0]
                self.out.problems.append(self.msgs.error(self.out.file, *kpos, "duplicate-key", key=key, first=first))
                continue
            self.out.key_positions[child] = kpos
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode, pos: tuple[int, int]) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.out.problems.append(self.msgs.error(self.out.file, *pos, "custom-tag", tag=tag))
            return None
        if tag == _STD + "str":
            return node.value
        if tag == _STD + "timestamp":
            # Keep dates as the text the file holds: JSON Schema checks the format,
            # and a date with a time (or a non-date) is reported, not converted.
            return node.value
        try:
            return _constructor.yaml_constructors[tag](_constructor, node)
        except (ValueError, yaml.constructor.ConstructorError):
            return node.value
