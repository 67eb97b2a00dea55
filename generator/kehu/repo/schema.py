"""JSON Schemas of the repository files, their vocabularies, and error translation.

The schemas live in the team repository's ``schema/`` folder (teams extend the
vocabulary and add fields there); kehu's bundled copy is the fallback. A fast
validator (jsonschema-rs) gives the verdict; only for an invalid file does the
reference validator (jsonschema) list every error, which is then translated into
a located, actionable message.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import jsonschema_rs

if TYPE_CHECKING:  # imported where used: jsonschema takes longer to import than a warm check runs
    import jsonschema

from ..util.problems import Problem
from ..words.catalogue import Locale, lang_of
from .yamlload import LoadedYaml, Path_, load_yaml_bytes

SCHEMA_FILES = {"customer": "customer.schema.json", "team": "team.schema.json", "config": "config.schema.json"}
CHOICES_SHOWN = 12  # a list longer than this is not printed whole in a message (117 industries)

# What a value written where the schema wants another most likely means — the vocabulary key or the typed value
# (``kehu.core.values.meant``: '100人' → '50-200', '12万' → 120000, 'phone' → 'call'), or None. The checker hands
# the reader of what people type to the schema's error translation, so every refusal can say what to write.
Reader = Callable[["Vocabulary | None", str, Any], Any]


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    zh: str
    en: str

    def label(self, locale: str) -> str:
        return self.en if lang_of(locale) == "en" else self.zh


def title_of(spec: object, locale: str, fallback: str = "") -> str:
    """A field's schema title in the team's language (``title`` / ``x-title-en``), else ``fallback``."""
    if not isinstance(spec, dict):
        return fallback
    title = spec.get("x-title-en") if lang_of(locale) == "en" else None
    return str(title or spec.get("title") or fallback)


def _def_of(spec: object, root: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``$defs`` record a property holds or lists (through ``$ref``, ``anyOf`` or ``items``), else None."""
    if not isinstance(spec, dict):
        return None
    ref = spec.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        found = root.get("$defs", {}).get(ref.rsplit("/", 1)[1])
        return found if isinstance(found, dict) else None
    for alt in spec.get("anyOf") or []:
        found = _def_of(alt, root)
        if found is not None:
            return found
    return _def_of(spec.get("items"), root) if isinstance(spec.get("items"), dict) else None


def split_path(path: str | Iterable[str | int]) -> tuple[str | int, ...]:
    """``deals[0].amount`` (or a tuple) as ``("deals", 0, "amount")``."""
    if not isinstance(path, str):
        return tuple(path)
    parts = [p for p in path.replace("]", "").replace("[", ".").split(".") if p]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def field_words(root: Mapping[str, Any], path: str | Iterable[str | int], locale: str) -> str:
    """A place in a customer file as a person says it, from the schema's titles: ``deals[0].amount`` →
    合作记录第1条 · 金额 (Deals 1 · Amount); a key the schema does not know stays as written."""
    from ..words.catalogue import Locale

    words = Locale(locale)
    props: Mapping[str, Any] = root.get("properties", {})
    parts: list[str] = []
    for part in split_path(path):
        if isinstance(part, int):
            if parts:
                parts[-1] = words.word("field_entry", label=parts[-1], n=part + 1)
            continue
        spec = props.get(part) if isinstance(props, Mapping) else None
        parts.append(title_of(spec, locale, part))
        record = _def_of(spec, root)
        props = record.get("properties", {}) if record is not None else {}
    return words.word("field_sep").join(parts) or words.word("field_file")


class Vocabulary:
    """A closed list of values, each with a Chinese and an English label."""

    def __init__(self, name: str, terms: list[Term]) -> None:
        self.name = name
        self.terms = terms
        self.by_key = {t.key: t for t in terms}

    def __contains__(self, key: object) -> bool:
        return key in self.by_key

    def keys(self) -> list[str]:
        return [t.key for t in self.terms]

    def label(self, key: str | None, locale: str) -> str:
        if key is None:
            return ""
        term = self.by_key.get(key)
        return term.label(locale) if term else str(key)

    def shown(self, key: str, lang: str) -> str:
        """A choice as a person picks it: ``call(电话)`` — the key a file holds, with its label."""
        term = self.by_key.get(key)
        if term is None:
            return key
        label = term.label(lang)
        return key if label == key else f"{key}({label})"

    def choices(self, lang: str, near: str = "", limit: int = CHOICES_SHOWN) -> str:
        """The allowed values, for a message: all of a short list; of a long one (117 industries) the few that
        share a word with ``near`` and the count, for a person cannot read a hundred codes in a terminal."""
        from ..words.catalogue import Locale

        words = Locale(lang)
        if len(self.terms) <= limit:
            return words.join(self.shown(t.key, lang) for t in self.terms)
        folded = near.strip().casefold()
        related = [t for t in self.terms if folded and (folded in t.zh.casefold() or folded in t.en.casefold()
                                                         or t.key.casefold() == folded)]
        if not related and folded:
            labels = {t.zh: t for t in self.terms} | {t.en.casefold(): t for t in self.terms}
            related = [labels[w] for w in difflib.get_close_matches(folded, list(labels), n=limit, cutoff=0.4)]
        if not related:
            return words.word("choices_many", n=len(self.terms))
        shown = words.join(self.shown(t.key, lang) for t in related[:limit])
        return words.word("choices_some", shown=shown, n=len(self.terms))

    def key_for_label(self, text: str) -> str | None:
        """The key whose Chinese or English label is ``text`` (how people write in spreadsheets)."""
        folded = text.strip().casefold()
        for t in self.terms:
            if folded in (t.zh.casefold(), t.en.casefold(), t.key.casefold()):
                return t.key
        return None


# A closed list of values (stage, channel, industry …) is written in the schema as its terms, each with its labels:
#   "stage": {"type": "string", "enum": [...], "markdownEnumDescriptions": [...], "errorMessage": "...",
#             "x-terms": [{"const": "lead", "title": "线索", "x-title-en": "Lead"}, ...]}
# ``x-terms`` is the one list a team edits; ``enum``, ``markdownEnumDescriptions`` and ``errorMessage`` are what
# editors read (the YAML language server: completion and hover show 线索 · Lead, an invalid value gets one line,
# not a hundred codes) and are written from the terms by `kehu fmt` (:func:`editor_schema`). kehu itself validates
# against the terms, whatever the editors' copy says. A schema of earlier kehu writes the terms as ``oneOf`` of
# consts: still read, and `kehu fmt` rewrites it in this form.
EDITOR_KEYWORDS = ("enum", "markdownEnumDescriptions", "errorMessage")


def terms_of(schema: Any) -> list[dict[str, Any]] | None:
    """The terms of a vocabulary (``x-terms``, or the ``oneOf`` of consts of an earlier schema), else None."""
    if not isinstance(schema, dict):
        return None
    for key in ("x-terms", "oneOf"):
        terms = schema.get(key)
        if isinstance(terms, list) and terms and all(isinstance(t, dict) and "const" in t for t in terms):
            return terms
    return None


def _is_vocab(schema: Any) -> TypeGuard[dict[str, Any]]:
    return terms_of(schema) is not None


def _vocab_from(name: str, schema: Mapping[str, Any]) -> Vocabulary:
    return Vocabulary(name, [Term(str(s["const"]), str(s.get("title", s["const"])),
                                  str(s.get("x-title-en", s.get("title", s["const"]))))
                             for s in terms_of(schema) or []])


def editor_vocabulary(schema: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """A vocabulary as written for editors and kehu alike: the editors' keywords made from its terms."""
    from ..words.catalogue import Locale

    terms = terms_of(schema) or []
    labels = [(str(t.get("title", t["const"])), str(t.get("x-title-en", t.get("title", t["const"])))) for t in terms]
    out: dict[str, Any] = {k: v for k, v in schema.items() if k in ("title", "x-title-en", "description", "type")}
    out.setdefault("type", "string")
    out["enum"] = [t["const"] for t in terms]
    out["markdownEnumDescriptions"] = [zh if zh == en else f"{zh} · {en}" for zh, en in labels]
    written = schema.get("errorMessage")
    # kehu's message in the team's language, counting the terms as they are now (one written for an earlier
    # list, say before 待确认 joined the industries, is kehu's too); a team's own message stays
    out["errorMessage"] = Locale(locale).word("schema.editor_error", n=len(terms)) \
        if written is None or _is_editor_message(written) else written
    out["x-terms"] = terms
    out.update({k: v for k, v in schema.items() if k not in out and k != "oneOf"})
    return out


def _editor_messages(n: int) -> set[str]:
    """kehu's editor message for a list of ``n`` values, in every language (a message in the other language is not
    stale — `kehu fmt` only translates it)."""
    from ..words.catalogue import Locale

    return {Locale(lang).word("schema.editor_error", n=n) for lang in ("zh-CN", "en")}


def _is_editor_message(text: Any) -> bool:
    """Whether ``text`` is kehu's editor message for a list of any length, in either language."""
    import re

    from ..words.catalogue import Locale

    for lang in ("zh-CN", "en"):
        head, _, tail = Locale(lang).word("schema.editor_error", n="\0").partition("\0")
        if isinstance(text, str) and re.fullmatch(re.escape(head) + r"[0-9]+" + re.escape(tail), text):
            return True
    return False


def editor_schema(schema: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """The customer schema with every vocabulary in its written form (:func:`editor_vocabulary`)."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return dict(schema)
    new_defs = {name: editor_vocabulary(d, locale) if _is_vocab(d) else d for name, d in defs.items()}
    return {**schema, "$defs": new_defs}


def _validated_by_terms(schema: dict[str, Any]) -> dict[str, Any]:
    """kehu's own copy of a schema: every vocabulary's ``enum`` is its terms (what the file's editors' copy says
    does not decide what kehu accepts)."""
    defs = schema.get("$defs")
    if not isinstance(defs, dict):
        return schema
    fixed = {}
    for name, d in defs.items():
        if isinstance(d, dict) and isinstance(d.get("x-terms"), list) and _is_vocab(d):
            d = {**d, "enum": [t["const"] for t in d["x-terms"]]}
        fixed[name] = d
    return {**schema, "$defs": fixed}


class SchemaSet:
    """The three schemas of a repository, loaded once."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.raw: dict[str, dict[str, Any]] = {}
        self.texts: dict[str, str] = {}
        self.broken: dict[str, tuple[int, int, str]] = {}  # kind -> where and why its JSON does not parse
        for kind, name in SCHEMA_FILES.items():
            path = folder / name if folder is not None else None
            if path is not None and path.is_file():
                text = path.read_bytes().decode("utf-8", "replace")
            else:
                text = resources.files("kehu").joinpath(f"data/schema/{name}").read_text(encoding="utf-8")
            self.texts[kind] = text
            try:
                loaded = json.loads(text)
                self.raw[kind] = _validated_by_terms(loaded) if isinstance(loaded, dict) else loaded
            except ValueError as e:  # a team's edit broke the JSON: reported by problems(), never raised
                self.broken[kind] = (getattr(e, "lineno", 1), getattr(e, "colno", 1), getattr(e, "msg", str(e)))
                self.raw[kind] = {}

    def problems(self, msgs: Locale) -> list[Problem]:
        """What is wrong with the schemas themselves (a team may have edited them), located in the file.

        The fast metaschema check runs every time; the slow, detailed one only for a broken schema."""
        out: list[Problem] = []
        for kind, name in SCHEMA_FILES.items():
            file = f"schema/{name}"
            if kind in self.broken:
                line, col, detail = self.broken[kind]
                out.append(msgs.error(file, line, col, "schema-invalid", detail=detail))
                continue
            if jsonschema_rs.meta.is_valid(self.raw[kind]):
                continue
            located = load_yaml_bytes(file, self.texts[kind].encode("utf-8"), msgs)  # JSON is YAML: positions
            import jsonschema

            meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
            errors = list(meta.iter_errors(self.raw[kind])) or [None]
            for err in errors:
                path = tuple(err.absolute_path) if err is not None else ()
                detail = f"{_dotted(path)}: {err.message}" if err is not None else "not a valid JSON Schema"
                out.append(msgs.error(file, *located.pos(path), "schema-invalid", detail=detail))
        out += self._ref_problems(msgs)
        if not out:
            try:
                self._fast  # noqa: B018 — compiled once here, reused by every validation
            except Exception:
                for kind, name in SCHEMA_FILES.items():
                    try:
                        jsonschema_rs.validator_for(self.raw[kind], validate_formats=True)
                    except Exception as e:
                        out.append(msgs.error(f"schema/{name}", 1, 1, "schema-invalid",
                                              detail=str(e).splitlines()[0]))
        return out

    # --- references: resolved inside schema/ only; checking never touches the network ------------

    def _local_json(self, name: str) -> dict[str, Any] | None:
        """A JSON file of schema/ (or of kehu's bundled schemas) by its plain file name, else None."""
        if "/" in name or "\\" in name or not name.endswith(".json") or name.startswith("."):
            return None
        for kind, file in SCHEMA_FILES.items():
            if name == file and kind not in self.broken:
                return self.raw[kind]
        if self.folder is None:
            return None
        path = self.folder / name
        try:
            if not path.is_file() or path.is_symlink():
                return None
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @cached_property
    def _bases(self) -> tuple[str, ...]:
        """The folder URIs the schemas' own ``$id`` give (https://kehu.example/schema/): a relative
        ``$ref`` resolves against them, and only names in those folders are served — from schema/."""
        out: set[str] = set()
        for schema in self.raw.values():
            sid = schema.get("$id") if isinstance(schema, dict) else None
            if isinstance(sid, str) and "/" in sid:
                out.add(sid.rsplit("/", 1)[0] + "/")
        return tuple(sorted(out))

    def retrieve(self, uri: str) -> dict[str, Any]:
        """What a ``$ref`` to another document gets: a file of schema/, never a download."""
        base, _, _ = uri.partition("#")
        for folder in self._bases:
            if base.startswith(folder):
                found = self._local_json(base[len(folder):])
                if found is not None:
                    return found
        raise LookupError(f"$ref {uri} is outside schema/; kehu never fetches schemas")

    def _ref_problems(self, msgs: Locale) -> list[Problem]:
        from urllib.parse import urljoin

        out: list[Problem] = []
        for kind, name in SCHEMA_FILES.items():
            if kind in self.broken:
                continue
            file = f"schema/{name}"
            located: LoadedYaml | None = None
            for path, ref, base in _refs(self.raw[kind], str(self.raw[kind].get("$id") or "")):
                target = urljoin(base, ref) if base else ref
                try:
                    self.retrieve(target)
                except LookupError:
                    if located is None:
                        located = load_yaml_bytes(file, self.texts[kind].encode("utf-8"), msgs)
                    out.append(msgs.error(file, *located.pos(path), "schema-ref-outside", ref=ref))
            meta = self.raw[kind].get("$schema")
            if meta not in KNOWN_DRAFTS:
                located = located or load_yaml_bytes(file, self.texts[kind].encode("utf-8"), msgs)
                out.append(msgs.error(file, *located.pos(("$schema",)), "schema-ref-outside", ref=str(meta)))
        return out

    @cached_property
    def fingerprint(self) -> str:
        return json.dumps(self.raw, sort_keys=True, ensure_ascii=False)

    @cached_property
    def _fast(self) -> dict[str, Any]:
        return {k: jsonschema_rs.validator_for(s, validate_formats=True, retriever=self.retrieve)
                for k, s in self.raw.items()}

    @cached_property
    def _full(self) -> dict[str, jsonschema.protocols.Validator]:
        import jsonschema  # only an invalid file needs the detailed validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        # an explicit registry: without one, jsonschema would download an unknown $ref (the ignore: referencing
        # declares its attrs classes in a way mypy does not read, so it misses the `retrieve` argument)
        registry: Registry = Registry(retrieve=lambda uri: Resource.from_contents(  # type: ignore[call-arg]
            self.retrieve(uri), default_specification=DRAFT202012))
        return {k: jsonschema.Draft202012Validator(s, registry=registry,
                                                   format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
                for k, s in self.raw.items()}

    @cached_property
    def _conditions(self) -> dict[str, dict[int, tuple[dict[str, Any], list[str]]]]:
        return {k: _conditions(s) for k, s in self.raw.items()}

    @cached_property
    def vocabularies(self) -> dict[str, Vocabulary]:
        """Every ``$defs`` entry of the customer schema that is a list of consts."""
        defs = self.raw["customer"].get("$defs", {})
        return {name: _vocab_from(name, s) for name, s in defs.items() if _is_vocab(s)}

    def editor_problems(self, msgs: Locale) -> list[Problem]:
        """Warnings for vocabularies whose editors' keywords do not say what their terms say (a team added a term,
        or the schema is from an earlier kehu): `kehu fmt` writes them."""
        if "customer" in self.broken or not isinstance(self.raw.get("customer"), dict):
            return []
        written = json.loads(self.texts["customer"])
        wanted = editor_schema(written, msgs.code)
        def same(d: dict[str, Any], w: dict[str, Any]) -> bool:
            languages_only = d.get("errorMessage") in _editor_messages(len(terms_of(d) or []))
            return d == w or (languages_only and {**d, "errorMessage": w["errorMessage"]} == w)

        stale = [name for name, d in (written.get("$defs") or {}).items()
                 if _is_vocab(d) and not same(d, wanted["$defs"][name])]
        if not stale:
            return []
        file = f"schema/{SCHEMA_FILES['customer']}"
        located = load_yaml_bytes(file, self.texts["customer"].encode("utf-8"), msgs)
        return [msgs.warning(file, *located.pos(("$defs", name)), "schema-editor-stale", name=name) for name in stale]

    def field_order(self) -> list[str]:
        return list(self.raw["customer"].get("properties", {}))

    def field_words(self, path: str | Iterable[str | int], locale: str) -> str:
        """A place in a customer file by the schema's titles (``deals[0].amount`` → 合作记录第1条 · 金额)."""
        return field_words(self.raw["customer"], path, locale)

    def check_schemas(self) -> list[str]:
        """Metaschema errors of the schemas themselves (a team may have edited them)."""
        import jsonschema

        out = []
        for kind, schema in self.raw.items():
            for err in jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA).iter_errors(schema):
                out.append(f"{SCHEMA_FILES[kind]}: {err.message}")
        return out

    def validate(self, kind: str, loaded: LoadedYaml, msgs: Locale, reader: Reader | None = None) -> list[Problem]:
        """Every schema error of a loaded file, located and worded; ``reader`` (what people type → the value,
        :data:`Reader`) lets a message say what to write instead."""
        if self._fast[kind].is_valid(loaded.data):
            return []
        translator = _Translator(loaded, msgs, self.raw[kind], self._conditions[kind], reader)
        problems = [p for err in self._full[kind].iter_errors(loaded.data) for p in translator.translate(err)]
        # a vocabulary value of the wrong type (size: 500) fails its type and its list: the list's message says
        # what was meant (>500), so it is the one kept
        listed = {(p.line, p.col) for p in problems if p.code in ("unknown-value", "label-not-key")}
        problems = [p for p in problems if not (p.code == "wrong-type" and (p.line, p.col) in listed)]
        if not problems:  # the two validators disagree: trust the stricter one, still located
            for err in self._fast[kind].iter_errors(loaded.data):
                path = tuple(err.instance_path)
                line, col = loaded.pos(path)
                problems.append(msgs.error(loaded.file, line, col, "schema", field=_dotted(path), detail=err.message))
        return _unique(problems)


KNOWN_DRAFTS = (None, "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#",
                "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema")


def _refs(node: Any, base: str, path: Path_ = ()) -> Iterator[tuple[Path_, str, str]]:
    """(path, reference, base URI) of every ``$ref`` / ``$dynamicRef`` to another document."""
    if isinstance(node, dict):
        sid = node.get("$id")
        if isinstance(sid, str) and path:
            from urllib.parse import urljoin

            base = urljoin(base, sid) if base else sid
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                if not value.startswith("#"):
                    yield (*path, key), value, base
            elif key not in ("const", "enum", "examples", "default"):  # data, not schema
                yield from _refs(value, base, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _refs(item, base, (*path, i))


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str, str]] = set()
    out = []
    for p in problems:
        k = (p.line, p.col, p.code, p.message)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def _conditions(root: Any) -> dict[int, tuple[dict[str, Any], list[str]]]:
    """For every ``then`` of an ``if``/``then`` pair in the schema: the schema that holds the pair
    (its property titles) and the keys the ``if`` requires (where a conditional error is shown)."""
    out: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def walk(node: Any, owner: dict[str, Any]) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("if"), dict) and isinstance(node.get("then"), dict):
                holder = node if "properties" in node else owner
                out[id(node["then"])] = (holder, list(node["if"].get("required", [])))
            for value in node.values():
                walk(value, node if "properties" in node else owner)
        elif isinstance(node, list):
            for value in node:
                walk(value, owner)

    walk(root, root if isinstance(root, dict) else {})
    return out


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


_TYPE_WORDS = {"string", "number", "integer", "boolean", "null", "array", "object"}


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _parts(err: jsonschema.ValidationError) -> tuple[Mapping[str, Any], Any, Any]:
    """The failed keyword's schema, its value and the instance. A validator's errors have all three set (the
    library's types also allow a hand-made error's unset ones, and a boolean schema, which has no keyword)."""
    return cast("Mapping[str, Any]", err.schema), err.validator_value, err.instance


class _Translator:
    """Turns jsonschema errors into located problems that say what to do."""

    def __init__(self, loaded: LoadedYaml, msgs: Locale, root: dict[str, Any],
                 conditions: dict[int, tuple[dict[str, Any], list[str]]] | None = None,
                 reader: Reader | None = None) -> None:
        self.loaded = loaded
        self.msgs = msgs
        self.root = root
        self.conditions = _conditions(root) if conditions is None else conditions
        self.reader = reader

    def _meant(self, vocab: Vocabulary | None, expected: str, value: Any) -> Any:
        if self.reader is None or value is None:
            return None
        try:
            return self.reader(vocab, expected, value)
        except Exception:  # a suggestion is a courtesy: it never stops the report
            return None

    def _at(self, path: Path_, key: bool = False) -> tuple[int, int]:
        return self.loaded.pos(path, key=key)

    def translate(self, err: jsonschema.ValidationError) -> Iterator[Problem]:
        m, f = self.msgs, self.loaded.file
        path = tuple(err.absolute_path)
        dotted = _dotted(path)
        field = self._words(path)
        v = err.validator
        schema, want, instance = _parts(err)
        if v == "required":
            inst = instance if isinstance(instance, dict) else {}
            owner, trigger = self.conditions.get(id(schema), (schema, []))
            # a field required by a condition (stage: lost -> lost_from) is reported where the condition stands
            where = next(((*path, k) for k in trigger if k in inst), None)
            at = self._at(where, key=True) if where else self._at(path)
            for name in want:
                if name not in inst:
                    label = self._title(owner, name)
                    within = m.word("required_in", place=field) if path else ""
                    yield m.error(f, *at, "required", field=name, label=label, within=within)
            return
        if v in ("additionalProperties", "unevaluatedProperties"):
            allowed = list(schema.get("properties", {}))
            extras = [k for k in (instance or {}) if k not in allowed]
            for extra in extras:
                close = difflib.get_close_matches(str(extra), allowed, n=1, cutoff=0.6)
                suggestion = m.word("did_you_mean", x=close[0]) if close else ""
                yield m.error(f, *self._at((*path, extra), key=True), "unknown-field", field=extra,
                              suggestion=suggestion, allowed=m.word("sep").join(allowed))
            return
        if v in ("anyOf", "oneOf") and not _is_vocab(schema):
            branches = schema[v]
            useful = [e for e in (err.context or [])
                      if e.relative_schema_path and branches[e.relative_schema_path[0]] != {"type": "null"}]
            if useful:
                # report only the innermost errors of the closest branch
                best = min(useful, key=lambda e: len(list(e.relative_schema_path)))
                branch = best.relative_schema_path[0]
                for sub in useful:
                    if sub.relative_schema_path[0] == branch:
                        yield from self.translate(sub)
                return
        if v == "not" and isinstance(want, dict) and "const" in want:
            yield self._excluded_value(err, path, field)
            return
        if _is_vocab(schema) or (v in ("oneOf", "enum") and isinstance(instance, str)):
            yield self._vocab_error(err, path, field)
            return
        line, col = self._at(path)
        value = instance
        if value is None and v == "type":
            expected = want if isinstance(want, list) else [want]
            wanted = (m.word("date_format") if schema.get("format") == "date"
                      else " / ".join(m.word(t) for t in expected if t in _TYPE_WORDS and t != "null"))
            yield m.error(f, line, col, "no-value", field=field, hint=m.word("fill_in", x=wanted))
            return
        if v == "type":
            expected = want if isinstance(want, list) else [want]
            expected = [t for t in expected if t != "null"] or expected
            found = _type_of(value)
            hint = m.word("type_hint", what=" / ".join(m.word(t) for t in expected if t in _TYPE_WORDS))
            meant = self._meant(None, expected[0], value) if found == "string" else None
            if meant is not None and path and isinstance(path[-1], str):
                hint = m.word("write_instead", snippet=f"{path[-1]}: {meant}")
            elif "string" in expected and found in ("integer", "number"):
                hint = m.word("quote", v=self.loaded.texts.get(path, value))
            elif "string" in expected and found == "boolean":
                hint = m.word("bool_hint")
            elif "array" in expected:
                hint = m.word("list_hint")
            shown = "" if isinstance(value, dict | list) else f"({value!r})" if value is not None else ""
            yield m.error(f, line, col, "wrong-type", field=field,
                          expected=" / ".join(m.word(t) for t in expected if t in _TYPE_WORDS),
                          found=m.word(found), value=shown, hint=hint)
            return
        if v == "format" and want == "date":
            meant = self._meant(None, "date", value)
            hint = (m.word("write_instead", snippet=f"{path[-1]}: {meant}") if meant and path
                    and isinstance(path[-1], str) else m.word("date_hint"))
            yield m.error(f, line, col, "bad-date", field=field, value=value, hint=hint)
            return
        if v == "pattern":
            shape = (schema.get("x-pattern-hint-en" if m.en else "x-pattern-hint")
                     or schema.get("description") or schema.get("title") or want)
            if "birthday" in dotted:
                shape = m.word("schema.mm_dd_e")
            elif want.startswith("^[a-z]"):
                shape = m.word("schema.a_handle_lowercase")
            yield m.error(f, line, col, "bad-pattern", field=field, value=value, expected=shape)
            return
        if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "maxLength"):
            yield m.error(f, line, col, "out-of-range", field=field, value=value,
                          detail=m.word(f"schema.range.{v}", n=want))  # the keyword is the schema's, not a word
            return
        if v == "minLength":
            yield m.error(f, line, col, "empty-value", field=field)
            return
        if v == "uniqueItems":
            yield m.error(f, line, col, "not-unique", field=field)
            return
        if v == "format" and m.has(f"schema.format.{want}"):  # the library's explanation is English only
            yield m.error(f, line, col, "schema", field=field, detail=m.word(f"schema.format.{want}", value=value))
            return
        yield m.error(f, line, col, "schema", field=field, detail=err.message)

    def _title(self, schema: Mapping[str, Any], name: str) -> str:
        prop = schema.get("properties", {}).get(name, {})
        return title_of(prop, self.msgs.code, name)

    def _words(self, path: Path_) -> str:
        """The place as a person says it (合作记录第1条 · 金额), for every message. kehu.yaml's settings are
        named by their keys (`ids.pattern`): those are what the team looks up and edits there."""
        if str(self.root.get("$id", "")).endswith("/config.schema.json"):
            return _dotted(path)
        return field_words(self.root, path, self.msgs.code)

    def _excluded_value(self, err: jsonschema.ValidationError, path: Path_, field: str) -> Problem:
        """``lost_from: lost``: a vocabulary value that this place excludes (``not: {const: …}``)."""
        m = self.msgs
        schema, want, instance = _parts(err)
        ref = schema.get("$ref", "")
        base = self.root.get("$defs", {}).get(ref.rsplit("/", 1)[-1]) if ref.startswith("#/$defs/") else None
        excluded = want["const"]
        terms = [t for t in _vocab_from(field, base).terms if t.key != excluded] if _is_vocab(base) else []
        allowed = m.word("choices", x=Vocabulary(field, terms).choices(m.lang))
        return m.error(self.loaded.file, *self._at(path), "unknown-value", field=field, value=instance,
                       suggestion="", allowed=allowed)

    def _vocab_error(self, err: jsonschema.ValidationError, path: Path_, field: str) -> Problem:
        m = self.msgs
        schema, _, value = _parts(err)
        key_name = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
        name = self._vocab_name(path) or key_name
        if _is_vocab(schema):
            vocab = _vocab_from(name, schema)
        else:
            vocab = Vocabulary(name, [Term(str(k), str(k), str(k)) for k in schema.get("enum", [])])
        line, col = self._at(path)
        if value is None:  # `lost_from:` left empty where a choice is required
            return m.error(self.loaded.file, line, col, "no-value", field=field,
                           hint=m.word("fill_in", x=vocab.choices(m.lang)))
        if isinstance(value, str):
            key = vocab.key_for_label(value)
            if key is not None and key != value:
                term = vocab.by_key[key]
                return m.error(self.loaded.file, line, col, "label-not-key", field=field, value=value, key=key,
                               label=term.label(m.lang), name=key_name)
        meant = self._meant(vocab, "string", value)
        if isinstance(meant, str) and meant in vocab:
            return m.error(self.loaded.file, line, col, "unknown-value", field=field, value=value,
                           suggestion=m.word("means", x=vocab.shown(meant, m.lang)),
                           allowed=m.word("write_instead", snippet=f"{key_name}: {meant}"))
        words = [t.key for t in vocab.terms] + [t.zh for t in vocab.terms]
        close = difflib.get_close_matches(str(value), words, n=1, cutoff=0.5)
        suggestion = ""
        if close:
            key = vocab.key_for_label(close[0]) or close[0]
            suggestion = m.word("did_you_mean", x=vocab.shown(key, m.lang))
        return m.error(self.loaded.file, line, col, "unknown-value", field=field, value=value,
                       suggestion=suggestion, allowed=m.word("choices", x=vocab.choices(m.lang, str(value))))

    def _vocab_name(self, path: Path_) -> str | None:
        """The ``$defs`` vocabulary of the value at ``path`` (industry, channel …), by the property that holds it."""
        props: Mapping[str, Any] = self.root.get("properties", {})
        spec: Any = None
        for part in path:
            if isinstance(part, int):
                continue
            spec = props.get(part) if isinstance(props, Mapping) else None
            record = _def_of(spec, self.root)
            props = record.get("properties", {}) if record is not None else {}
        refs = [spec, *(spec.get("anyOf") or []), spec.get("items")] if isinstance(spec, dict) else []
        for r in refs:
            ref = r.get("$ref") if isinstance(r, dict) else None
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return ref.rsplit("/", 1)[1]
        return None
