"""A team repository on disk: where it is, its configuration, team and customer files."""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..util.problems import Problem
from ..words.catalogue import Locale
from ..words.terminal import text_fault
from .config import CONFIG_FILE, CUSTOMERS_DIR, SCHEMA_DIR, TEAM_FILE, Config, ConfigValueError
from .idscheme import code_clashes, scheme_problem, template_fields
from .model import Team, team_from
from .root import find_root
from .schema import SchemaSet
from .workflows import remind_env_problems
from .yamlload import LoadedYaml, load_yaml_bytes

# what kehu reads to do its work: no output may be written over or inside these
SOURCES = (CUSTOMERS_DIR, SCHEMA_DIR, ".git", CONFIG_FILE, TEAM_FILE, "mkdocs.yml", ".github", ".gitlab",
           ".gitlab-ci.yml", ".pre-commit-config.yaml", ".gitattributes", ".vscode")


def is_plain_file(path: Path) -> bool:
    """A regular file, not a symbolic link (lstat: a link is never followed)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):  # ValueError: a NUL byte in the name
        return False


@dataclass
class Repo:
    root: Path
    config: Config
    schemas: SchemaSet
    team: Team | None
    msgs: Locale
    problems: list[Problem] = field(default_factory=list)  # problems of kehu.yaml and team.yaml
    config_ok: bool = True
    config_text: str = ""
    team_text: str = ""
    # what the floors above build once per repository and share for a run (the wording object,
    # kehu.core.present.Presenter.of): kept here so that the repository floor need not know them
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def customers_dir(self) -> Path:
        return self.root / CUSTOMERS_DIR

    def customer_file(self, path: Path | str) -> Path | None:
        """THE confinement of a customer argument: ``path`` (relative to the working folder) as a customer
        file of this repository, or None when it is anything else — outside customers/, in a sub-folder,
        a link, a folder or a special file. Every command that reads or writes a named customer file asks
        here first, so no argument (``../``, an absolute path, a link) reaches a file outside customers/."""
        candidate = Path(path)
        if candidate.suffix not in (".yaml", ".yml") or not candidate.name.isprintable() \
                or not is_plain_file(candidate):
            return None
        folder = self.customers_dir
        if folder.is_symlink() or not folder.is_dir():
            return None
        try:
            if candidate.absolute().parent.resolve() != folder.resolve():
                return None
        except (OSError, ValueError):
            return None
        return folder / candidate.name

    def path_for_id(self, cid: str) -> Path | None:
        """Where the customer file of id ``cid`` goes, or None when the id is no plain file name (a '/',
        '..', a leading '.' or a control character would put it elsewhere or hide it)."""
        if not cid or cid.startswith(".") or any(ch in cid for ch in "/\\\0") or not cid.isprintable():
            return None
        return self.customers_dir / f"{cid}.yaml"

    def source_of(self, path: Path | str) -> str | None:
        """Which of the repository's own sources ``path`` is or lies in (None: none of them): an output
        (`kehu build --out`, `kehu export --out`, `kehu import --rejects`) must never replace one. The
        repository itself and every folder above it count as sources too ("." once deleted .git)."""
        target = Path(os.path.abspath(path))
        root = self.root.resolve()
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            resolved = target
        if resolved == root or resolved in root.parents or target in root.parents:
            return "."
        for name in SOURCES:
            source = root / name
            if resolved == source or source in resolved.parents:
                return name
        return None

    @property
    def handles(self) -> frozenset[str] | None:
        return frozenset(self.team.handles) if self.team is not None else None

    @property
    def inactive(self) -> frozenset[str]:
        """Members who left (``active: false``): their past records stay valid; what they still hold is handed over."""
        return frozenset(m.handle for m in self.team.members if not m.active) if self.team is not None else frozenset()


def open_repo(root: Path | None = None, today: dt.date | None = None, locale: str | None = None) -> Repo:
    """Load kehu.yaml and team.yaml, collecting their problems instead of raising. ``today``: the date to
    work on (``kehu --today``); None: today in the team's time zone. ``locale``: the language of this run,
    chosen where the run starts (KEHU_LOCALE, read by the command line and the site plugin); None: kehu.yaml's
    ``locale``."""
    root = find_root(root)
    schemas = SchemaSet(root / SCHEMA_DIR if (root / SCHEMA_DIR).is_dir() else None)
    problems: list[Problem] = []
    config_data: dict[str, Any] = {}
    config_ok = True
    config_path = root / CONFIG_FILE
    config_text = ""
    loaded: LoadedYaml | None = None
    boot = Locale(locale or "zh-CN")
    schema_problems = schemas.problems(boot)
    if schema_problems:  # nothing can be validated against a broken schema
        problems.extend(schema_problems)
        config_ok = False
    elif config_path.is_file():
        raw = config_path.read_bytes()
        config_text = raw.decode("utf-8", "replace")
        loaded = load_yaml_bytes(CONFIG_FILE, raw, boot)
        probe_locale = (loaded.data or {}).get("locale") if isinstance(loaded.data, dict) else None
        if probe_locale in ("zh-CN", "en") and not locale:
            boot = Locale(probe_locale)
            loaded = load_yaml_bytes(CONFIG_FILE, raw, boot)
        if not loaded.problems:
            loaded.problems = schemas.validate("config", loaded, boot)
        if loaded.problems:
            problems.extend(loaded.problems)
            config_ok = False
        else:
            config_data = loaded.data or {}
    try:
        config = Config.build(config_data, today=today)
    except ConfigValueError as e:  # a value that cannot be used (site.chart_months: "twelve", timezone: Mars/Olympus)
        problems.append(_type_problem(e, boot, loaded))
        config, config_ok = Config.build({}, today=today), False
    msgs = Locale(locale or config.locale)
    config_loaded = loaded if config_path.is_file() else None
    if config_ok:
        stage_problems = _stage_problems(config, schemas, msgs, config_loaded)
        stage_problems += _id_scheme_problems(config, msgs, config_loaded)
        problems.extend(stage_problems)
        config_ok = not stage_problems
        if not config_ok:  # every command then works from the defaults and refuses to write
            config = Config.build({}, today=config.today)
    team = None
    team_text = ""
    team_path = root / TEAM_FILE
    if not schema_problems and team_path.is_file():
        raw = team_path.read_bytes()
        team_text = raw.decode("utf-8", "replace")
        loaded = load_yaml_bytes(TEAM_FILE, raw, msgs)
        if not loaded.problems:
            loaded.problems = schemas.validate("team", loaded, msgs)
        if not loaded.problems:
            loaded.problems = _team_text_problems(loaded, msgs)
        if not loaded.problems:
            team = team_from(loaded)
            first: dict[str, int] = {}
            for mem in team.members:
                if mem.handle in first:
                    problems.append(msgs.error(TEAM_FILE, mem.line, 1, "team-duplicate-handle",
                                               handle=mem.handle, first=first[mem.handle]))
                first.setdefault(mem.handle, mem.line)
            problems.extend(_target_problems(config, team, msgs, config_loaded if config_ok else None))
            if "member" in template_fields(config.ids.template):
                for mem, other, shared in code_clashes(team):
                    problems.append(msgs.error(TEAM_FILE, mem.line, 1, "team-code-clash", handle=mem.handle,
                                               name=msgs.word("name_id", name=mem.name, id=mem.handle),
                                               other=msgs.word("name_id", name=other.name, id=other.handle),
                                               letters=shared))
        problems.extend(loaded.problems)
        if team is not None:
            problems.extend(remind_env_problems(root, loaded, msgs, config.report.to_roles))
    elif not schema_problems:
        hint = (msgs.word("repo.create_team_yaml"))
        problems.append(msgs.error(TEAM_FILE, 1, 1, "missing-file", name=TEAM_FILE, hint=hint))
    if not schema_problems:
        problems.extend(schemas.editor_problems(msgs))  # warnings: what editors read is behind the terms
    return Repo(root, config, schemas, team, msgs, problems, config_ok, config_text, team_text)


def _target_problems(config: Config, team: Team, msgs: Locale, loaded: LoadedYaml | None) -> list[Problem]:
    """A target names a member of team.yaml (a member who left stays there, ``active: false``)."""
    out: list[Problem] = []
    known = team.handles
    for period, targets in config.targets.items():
        for handle in targets.members:
            if handle not in known:
                where = loaded.pos(("targets", period, "members", handle)) if loaded is not None else (1, 1)
                out.append(msgs.error(CONFIG_FILE, *where, "config-target-handle", period=period, handle=handle,
                                      known=msgs.join(sorted(known))))
    return out


def _team_text_problems(loaded: LoadedYaml, msgs: Locale) -> list[Problem]:
    """Every value of team.yaml is one line people read — a name on the site and in the review comment, an
    address in a mail header, a number in a chat mention: no control character (a line break in an address
    adds mail headers; a bidirectional override shows "\\u202e霞李" as 李霞), no value of invisible characters
    only. The rule customer files follow (``words.terminal.text_fault``), with line breaks refused too."""
    out: list[Problem] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), loaded.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, str(k)), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, str):
            fault = text_fault(value, one_line=True)
            if fault is not None:
                field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
                out.append(msgs.error(TEAM_FILE, *loaded.pos(path), fault[0], field=field, char=fault[1]))
    return sorted(out, key=Problem.sort_key)


def _type_problem(e: ConfigValueError, msgs: Locale, loaded: LoadedYaml | None) -> Problem:
    """A value of the wrong type for its key, worded as the schema's own type errors are."""
    path = tuple(int(p) if p.isdigit() else p for p in e.path.replace("[", ".").replace("]", "").split("."))
    line, col = loaded.pos(path) if loaded is not None else (1, 1)
    if e.detail:  # the right type, but no value that works (timezone: Mars/Olympus)
        return msgs.error(CONFIG_FILE, line, col, "config-bad-value", key=e.path, value=e.value,
                          detail=msgs.word(e.detail, **e.args_of_detail))
    found = ("null" if e.value is None else "boolean" if isinstance(e.value, bool) else "integer"
             if isinstance(e.value, int) else "number" if isinstance(e.value, float) else "string"
             if isinstance(e.value, str) else "array" if isinstance(e.value, list) else "object")
    shown = "" if isinstance(e.value, dict | list) else f"({e.value!r})"
    return msgs.error(CONFIG_FILE, line, col, "wrong-type", field=e.path, expected=msgs.word(e.expected),
                      found=msgs.word(found), value=shown, hint=msgs.word("type_hint", what=msgs.word(e.expected)))


def _id_scheme_problems(config: Config, msgs: Locale, loaded: LoadedYaml | None) -> list[Problem]:
    """ids.template and ids.pattern must be able to make ids (else `kehu new` could only fail)."""
    template, pattern = config.ids.template, config.ids.pattern
    reason = scheme_problem(template, pattern)
    if reason is None:
        return []
    key = "pattern" if reason == "pattern-invalid" else "template"
    given = loaded is not None and isinstance((loaded.data or {}).get("ids"), dict) and key in loaded.data["ids"]
    line, col = loaded.pos(("ids", key)) if given and loaded is not None else (1, 1)
    return [msgs.error(CONFIG_FILE, line, col, f"ids-{reason}", template=template, pattern=pattern or "")]


def _stage_problems(config: Config, schemas: SchemaSet, msgs: Locale, loaded: LoadedYaml | None) -> list[Problem]:
    """kehu.yaml's funnel order must list exactly the schema's stages (except lost): a stage missing
    there would silently drop its customers out of the funnel and every report built on it."""
    vocab = schemas.vocabularies.get("stage")
    if vocab is None:
        return []
    order = config.stages
    keys = [k for k in vocab.keys() if k != "lost"]  # noqa: SIM118 (a Vocabulary, not a dict)

    def at(*path: str | int) -> tuple[int, int]:
        return loaded.pos(("stages", *path)) if loaded is not None and "stages" in (loaded.data or {}) else (1, 1)

    out = [msgs.error(CONFIG_FILE, *at(i), "config-stage-unknown", stage=stage)
           for i, stage in enumerate(order) if stage not in keys]
    out += [msgs.error(CONFIG_FILE, *at(), "config-stage-missing", stage=stage) for stage in keys if stage not in order]
    return out

