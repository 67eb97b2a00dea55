"""ruamel.yaml set up the way kehu reads and writes files, without kehu's layout (that is :mod:`kehu.store.fmt`).

Reading: comments, key order and quoting are kept, while scalars mean what they mean to the checker's PyYAML
loader (``yes`` a boolean, ``0755`` an octal number) and dates stay the text the file holds
(:class:`YamlDate`). Writing: 2-space indentation, no folding, floats PyYAML reads back as floats.
:mod:`kehu.store.fmt`, :mod:`kehu.store.fastdump` and :mod:`kehu.store.write` all build on this module,
which imports none of them.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.nodes import ScalarNode as RScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver

from ..util.errors import KehuError
from ..util.problems import Problem

_STD = "tag:yaml.org,2002:"
STR_TAG = _STD + "str"
TIMESTAMP_TAG = _STD + "timestamp"


class StoreError(KehuError):
    """A file kehu cannot read or parse, located at ``file:line:col`` (``str(e)`` starts with it); the
    handler around ``main`` reports it. Callers that fall back on an unreadable file catch this kind."""

    @classmethod
    def from_problem(cls, p: Problem) -> StoreError:
        return cls(p.message, p.hint, file=p.file, line=p.line, col=p.col)


class YamlDate(str):
    """A date (or timestamp) exactly as the file writes it; written back unquoted.

    It is a ``str``, so ``d == "2024-05-17"`` holds and ISO dates sort as text.
    """

    __slots__ = ()


# --- reading: ruamel's comment-keeping parser with PyYAML's scalar semantics -----------------


def _pyyaml_table() -> dict[Any, list[tuple[str, Any]]]:
    # PyYAML's implicit resolvers, in the layout ruamel's VersionedResolver expects
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    return {ch: list(entries) for ch, entries in table.items() if ch is not None}


_PYYAML_TABLE = _pyyaml_table()


class _PyYamlResolver(VersionedResolver):
    """Decides the type of a plain scalar exactly as the checker's PyYAML loader does."""

    @property
    def versioned_resolver(self) -> Any:
        return _PYYAML_TABLE


_PY_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _pyyaml_value(loader: Any, node: Any) -> Any:
    # Construct int/float/bool/null with PyYAML's rules, so '012' or 'yes' mean what the checker sees.
    tag = str(node.tag)
    text = loader.construct_scalar(node)
    return _PY_CONSTRUCTOR.yaml_constructors[tag](_PY_CONSTRUCTOR, yaml.ScalarNode(tag, str(text)))


def _keep_date_text(loader: Any, node: Any) -> YamlDate:
    # Dates stay text (like kehu.repo.yamlload): an impossible date is reported by the checker, not by a crash here.
    return YamlDate(loader.construct_scalar(node))


class _Constructor(RoundTripConstructor):
    pass


for _tag in ("int", "float", "bool", "null"):
    _Constructor.add_constructor(_STD + _tag, _pyyaml_value)
_Constructor.add_constructor(_STD + "timestamp", _keep_date_text)


def loader() -> YAML:
    """The ruamel instance that reads a file keeping its layout, with the checker's (PyYAML's) scalar types."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.Resolver = _PyYamlResolver
    y.Constructor = _Constructor
    return y


# --- writing -------------------------------------------------------------------------------------


class _Representer(RoundTripRepresenter):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the checker refuses anchors, so an object used twice is written out twice


def _represent_null(rep: Any, data: Any) -> Any:
    return rep.represent_scalar(_STD + "null", "null")  # 'key: null', never a bare 'key:'


def _represent_date(rep: Any, data: YamlDate) -> Any:
    return rep.represent_scalar(_STD + "timestamp", str(data))


def float_text(data: float) -> str:
    """How kehu writes a float. YAML 1.1 needs a '.' in the mantissa ('1.0e+20', not '1e+20'), else PyYAML
    reads a string."""
    if data != data:
        return ".nan"
    if data in (float("inf"), float("-inf")):
        return ".inf" if data > 0 else "-.inf"
    text = repr(data).lower()
    if "." not in text and "e" in text:
        text = text.replace("e", ".0e", 1)
    return text


def _represent_float(rep: Any, data: float) -> Any:
    return rep.represent_scalar(_STD + "float", float_text(data))


_Representer.add_representer(type(None), _represent_null)
_Representer.add_representer(YamlDate, _represent_date)
_Representer.add_representer(float, _represent_float)

WIDTH = 1 << 20  # never fold a long line: a folded Chinese sentence is hard to review


def dumper() -> YAML:
    """The ruamel instance that writes kehu's layout (2-space indent, '- ' indented under its key)."""
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = WIDTH
    y.allow_unicode = True
    return y


def serialize(doc: Any) -> str:
    """Write ``doc`` as it is (no reordering, no restyling). Most callers want :func:`dump`."""
    out = io.StringIO()
    dumper().dump(doc, out)
    return out.getvalue()


# --- how YAML tools type a plain scalar ------------------------------------------------------------

_PYYAML_RESOLVER = yaml.resolver.Resolver()
_RUAMEL_RESOLVER = VersionedResolver(version=(1, 2))


def resolves(text: str) -> tuple[str, str]:
    """The tag PyYAML (the checker, YAML 1.1) and a YAML 1.2 tool give ``text`` written as a plain scalar."""
    starts = _implicit_starts()
    if text and starts is not None and text[0] not in starts:
        return STR_TAG, STR_TAG  # no implicit type (number, date, bool, null …) begins so: both read a string
    # (the ignore: types-PyYAML leaves Resolver.resolve unannotated)
    py = _PYYAML_RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    ru = str(_RUAMEL_RESOLVER.resolve(RScalarNode, text, (True, False)))
    return py, ru


@lru_cache(maxsize=1)
def _implicit_starts() -> frozenset[str] | None:
    """The first characters of every implicit type either resolver knows (both index them by first character;
    a name, a sentence or a Chinese word starts with none of them). None: a resolver that tries every text."""
    py: dict[Any, Any] = _PYYAML_RESOLVER.yaml_implicit_resolvers
    ru: dict[Any, Any] = _RUAMEL_RESOLVER.versioned_resolver
    if None in py or None in ru:
        return None
    return frozenset(k for k in (*py, *ru) if k)
