"""Every `--help`, click's own words and the commands' result lines speak the team's language.

Each command of cli.COMMANDS (and each subcommand of a group) is asked for `--help` in a zh-CN and
in an en repository: the texts shown are the entries of data/catalogue/help.yaml, Chinese under
zh-CN, without a Chinese character under en. Then real runs: the result line of `kehu build` and
the merge driver's conflict message under real `git merge`, in both languages.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from kehu import helptext
from kehu.cli import COMMANDS, main
from kehu.repo.root import team_locale
from kehu.words import catalogue
from kehu.words.catalogue import Locale

from tests.support.customers import TODAY, customer_dict
from tests.support.git import git, git_env
from tests.support.team_repo import TeamRepo

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# en texts that must quote values a user types in Chinese (the schema's complaint categories, amounts in 万)
# import: the exports' own names (纷享销客)
QUOTES_CHINESE_VALUES = {"help.complaint.--category", "help.opp.add.--amount", "help.import"}
LANGS = {"zh": "zh-CN", "en": "en"}


def _documented() -> list[tuple[tuple[str, ...], str, click.Command, click.Option | None]]:
    """(argv to the command, key, command, option) for every command, subcommand and visible option."""
    out = []
    for name in sorted(COMMANDS):
        command = importlib.import_module(f"kehu.commands.{COMMANDS[name]}").command
        for key, owner, option in helptext.documented(command, name):
            words = key.removeprefix("help.").split(".")
            out.append((tuple(words[:-1] if option else words), key, owner, option))
    out += [((), key, main, option) for key, _owner, option in helptext.documented(main, "kehu")]
    return out


DOCUMENTED = _documented()
COMMAND_PATHS = sorted({argv for argv, _key, _cmd, option in DOCUMENTED if option is None})


def _flat(text: str) -> str:
    """Text as it reads once click has wrapped it (wrapping only moves whitespace, and \\b markers go)."""
    return re.sub(r"\s+", "", text.replace("\b", ""))


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for lang, locale in LANGS.items():
        root = tmp_path_factory.mktemp(lang)
        (root / "customers").mkdir()
        (root / "kehu.yaml").write_text(f"locale: {locale}\n", encoding="utf-8")
        out[lang] = root
    return out


def _help(root: Path, argv: tuple[str, ...]) -> click.testing.Result:
    env = {"KEHU_LOCALE": None}
    return CliRunner().invoke(main, ["-C", str(root), *argv, "--help"], env=env, catch_exceptions=False,
                              prog_name="kehu")


@pytest.mark.parametrize("lang", sorted(LANGS))
@pytest.mark.parametrize("argv", COMMAND_PATHS, ids=lambda a: " ".join(a) or "kehu")
def test_every_help_is_the_catalogue_entry_in_the_team_language(repos, argv, lang):
    result = _help(repos[lang], argv)
    assert result.exit_code == 0, result.output
    shown = _flat(result.output)
    texts = [(key, helptext.word(key, lang)) for a, key, _c, _o in DOCUMENTED if a == argv]
    texts.append((helptext.HELP_OPTION, helptext.word(helptext.HELP_OPTION, lang)))
    for key, text in texts:
        assert _flat(text) in shown, f"{key} is not what --help shows"
        if lang == "zh":
            assert CJK.search(text), f"{key} is left in English"
        elif key not in QUOTES_CHINESE_VALUES:
            assert not CJK.search(text), f"{key} holds Chinese under en"
    headings = ("用法：", "选项") if lang == "zh" else ("Usage:", "Options")
    assert all(h in result.output for h in headings)
    if lang == "zh":
        assert not re.search(r"\[(default|required)\b|Show this message|Usage:", result.output)
    else:
        allowed = "".join(helptext.word(k, "en") for k in QUOTES_CHINESE_VALUES)
        assert not set(CJK.findall(result.output)) - set(allowed), result.output


def test_the_command_list_is_the_first_sentence_of_each_help(repos):
    for lang in LANGS:
        shown = _help(repos[lang], ()).output
        for name in COMMANDS:
            line = next(ln for ln in shown.splitlines() if ln.strip().startswith(f"{name} "))
            assert helptext.short_help(name, lang).startswith(line.split(None, 1)[1].removesuffix("…")), name
    assert "命令" in _help(repos["zh"], ()).output and "Commands" in _help(repos["en"], ()).output


def test_every_help_entry_belongs_to_a_command_or_option():
    """No option goes without a help text (localise would fail) and no entry is left over."""
    documented = {key for _a, key, _c, _o in DOCUMENTED} | {helptext.HELP_OPTION}
    entries = {k for k, e in catalogue.entries().items() if e.area == "help" and k.startswith("help.")}
    assert entries == documented


def test_the_help_texts_load_without_yaml_and_as_yaml_reads_them():
    """help.yaml keeps to the plain form (so --help needs no YAML library), read exactly as YAML reads it."""
    for area in catalogue.areas():
        text = (catalogue.FOLDER / f"{area}.yaml").read_text(encoding="utf-8")
        plain = catalogue._plain(text)
        if area == "help":
            assert plain is not None
        if plain is not None:
            assert plain == yaml.safe_load(text)
    assert catalogue._plain('a:\n  zh: "x\\e"\n  en: "y"\n') is None  # a YAML-only escape: YAML decides
    assert catalogue._plain("a:\n  zh: x\n  en: y\n") is None           # plain scalars too


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_usage_errors_are_in_the_team_language(repos, lang):
    result = CliRunner().invoke(main, ["-C", str(repos[lang]), "new", "--bogus"], env={"KEHU_LOCALE": None},
                                prog_name="kehu")
    assert result.exit_code == 2
    words = Locale(LANGS[lang])
    assert words.word("click.error").format(message=words.word("click.no-such-option").format(name="--bogus")) \
        in result.output
    assert words.word("click.try-help").format(command="kehu new", option="--help") in result.output
    missing = CliRunner().invoke(main, ["-C", str(repos[lang]), "opp", "add", "x"], env={"KEHU_LOCALE": None})
    assert words.word("click.missing-argument") in missing.output
    bad_day = CliRunner().invoke(main, ["-C", str(repos[lang]), "--today", "2024-13-01", "due"],
                                 env={"KEHU_LOCALE": None})
    assert bad_day.exit_code == 2 and words.word("click.bad-date").format(value="2024-13-01") in bad_day.output
    if lang == "zh":
        assert "Error" not in result.output and "Missing" not in missing.output


def test_help_follows_the_working_folder_and_kehu_locale(repos, monkeypatch):
    sub = repos["en"] / "customers"
    monkeypatch.chdir(sub)
    assert "Options" in CliRunner().invoke(main, ["--help"], env={"KEHU_LOCALE": None}).output
    assert "选项" in CliRunner().invoke(main, ["--help"], env={"KEHU_LOCALE": "zh-CN"}).output
    monkeypatch.chdir(repos["zh"])
    assert "选项" in CliRunner().invoke(main, ["log", "--help"], env={"KEHU_LOCALE": None}).output
    assert "Options" in CliRunner().invoke(main, ["--repo", str(repos["en"]), "log", "--help"],
                                           env={"KEHU_LOCALE": None}).output


@pytest.mark.parametrize(("text", "locale"), [
    ("locale: en\n", "en"),
    ("site: {title: x}\nlocale: 'en'   # the team's language\n", "en"),
    ('locale: "zh-CN"\n', "zh-CN"),
    ("{locale: en, timezone: UTC}\n", "en"),     # flow style: read by the YAML parser
    ("locale: fr\n", "zh-CN"),                   # not a locale kehu knows: the default, as open_repo does
    ("locale: [unclosed\n", "zh-CN"),            # broken YAML: --help still answers
    ("timezone: UTC\n", "zh-CN"),
])
def test_the_team_locale_is_read_cheaply_and_as_the_repository_reads_it(tmp_path, monkeypatch, text, locale):
    monkeypatch.delenv("KEHU_LOCALE", raising=False)
    (tmp_path / "kehu.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "deeper").mkdir()
    assert team_locale(tmp_path / "deeper") == locale
    assert team_locale(tmp_path / "deeper", upwards=False) == "zh-CN"


# --- result lines of real runs ---------------------------------------------------------------------------


def _template(words: Locale, key: str) -> re.Pattern[str]:
    """A catalogue line with its {fields} as wildcards (a field may be empty: {problems} of a clean book)."""
    parts = re.split(r"\{[a-z_]+\}", words.word(key))
    return re.compile(".*?".join(re.escape(p) for p in parts))


def _subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEHU_", "GIT_"))}
    env.update(KEHU_TODAY=TODAY, NO_MKDOCS_2_WARNING="1", **extra)
    return env


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_the_build_result_line_is_in_the_team_language(make_repo, lang):
    repo: TeamRepo = make_repo()
    repo.set_config(locale=LANGS[lang])
    repo.write_customer(customer_dict())
    run = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), "build", "--internal"],
                         capture_output=True, text=True, env=_subprocess_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    words = Locale(LANGS[lang])
    last = run.stdout.strip().splitlines()[-1]
    assert _template(words, "build.done").fullmatch(last), last
    assert last.startswith(words.word("build.done").split("{out}")[0].format(count=1, problems=""))
    assert last.endswith(words.word("build.internal"))
    assert bool(CJK.search(last)) == (lang == "zh")


BASE = customer_dict(name="上海启明科技有限公司")


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_the_merge_driver_names_the_conflict_in_the_team_language(make_repo, lang):
    from kehu.repo.repository import open_repo
    from kehu.store.dedupe import rules_for

    repo: TeamRepo = make_repo()
    repo.set_config(locale=LANGS[lang])
    env = git_env(_subprocess_env(), config={"user.name": "Li Xia", "user.email": "lixia@example.com"})
    in_repo = partial(git, repo.root, env=env)
    in_repo("init", "-q", "-b", "main")
    (repo.root / ".gitattributes").write_text("customers/*.yaml merge=kehu\n", encoding="utf-8")
    setup = subprocess.run([sys.executable, "-m", "kehu.cli", "init", "--git-only"], cwd=repo.root, env=env,
                           capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr
    assert bool(CJK.search(setup.stdout)) == (lang == "zh"), setup.stdout  # init speaks the clone's locale
    path = repo.write_customer(BASE)
    in_repo("add", "-A")
    in_repo("commit", "-q", "--no-verify", "-m", "base")
    in_repo("checkout", "-q", "-b", "colleague")
    path.write_text(path.read_text(encoding="utf-8").replace("上海启明科技有限公司", "启明科技（上海）有限公司"),
                    encoding="utf-8")
    in_repo("commit", "-q", "--no-verify", "-am", "theirs")
    in_repo("checkout", "-q", "main")
    path.write_text(path.read_text(encoding="utf-8").replace("上海启明科技有限公司", "上海启明科技股份有限公司"),
                    encoding="utf-8")
    in_repo("commit", "-q", "--no-verify", "-am", "ours")
    merge = in_repo("merge", "--no-edit", "colleague", ok=False)
    assert merge.returncode != 0
    words = Locale(LANGS[lang])
    title = rules_for(open_repo(repo.root), "").title("name")
    fields = words.word("merge_driver_sides", field=title, ours="上海启明科技股份有限公司",
                        theirs="启明科技（上海）有限公司")
    message, hint = words.text("merge-driver-conflict", customer=f"{BASE['id']} 上海启明科技股份有限公司",
                               fields=fields)
    assert f"kehu merge-driver: {message} → {hint}" in merge.stderr, merge.stderr
    english = "both sides changed" in merge.stderr
    assert english == (lang == "en")
