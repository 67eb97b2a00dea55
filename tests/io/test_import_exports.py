"""A team's first day: the standard exports of 纷享销客, 销售易, 钉钉 CRM, 企业微信, Zoho CRM (Accounts, Contacts,
Deals), Salesforce and HubSpot (Companies, Deals), generated the way those systems write them
(tests/support/exports.py: random companies, placeholder contacts several companies share, 万元 amounts written
three ways, every date form, owners who left, a 身份证号 column, a 合计 footer), imported with no mapping file and
`--owner` for the customers of people who left. For every company: it is in the book under its own name, never
swallowed by another; its owner, created date, last follow-up, deal (in yuan), industry and stage are what the old
system said; no ID number is anywhere on disk; and the report counts exactly what happened.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import exports
from tests.support.commands import kehu
from tests.support.exports import Company, Export
from tests.support.team_repo import TeamRepo

TODAY = exports.TODAY.isoformat()
FUNNEL = ["lead", "contacted", "quoted", "negotiating", "won"]


class Imported:
    """An export imported into a fresh team repository, and what the import said."""

    def __init__(self, kind: str, repo: TeamRepo, export: Export, stdout: str, exit_code: int) -> None:
        self.kind, self.repo, self.export, self.stdout, self.exit_code = kind, repo, export, stdout, exit_code
        self.files = {p.name: p.read_text(encoding="utf-8") for p in sorted(repo.customers.glob("*.yaml"))}
        self.by_name = {}
        for text in self.files.values():
            data = yaml.safe_load(text)
            self.by_name[data["name"]] = data
        first = export.files[0]
        self.report = first.with_name(f"{first.stem}.import-report.md").read_text(encoding="utf-8")
        rejects = first.with_name(f"{first.stem}.rejects.csv")
        self.rejects = rejects.read_text(encoding="utf-8-sig") if rejects.exists() else ""


def import_export(folder: Path, kind: str, **kw: Any) -> Imported:
    repo = TeamRepo.create(folder / "team", team=exports.TEAM_YAML)
    export = exports.KINDS[kind](folder, **kw)
    run = kehu(repo, "import", *map(str, export.files), "--owner", exports.FALLBACK, today=TODAY)
    return Imported(kind, repo, export, run.stdout, run.exit_code)


@pytest.fixture(scope="module", params=sorted(exports.KINDS))
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return import_export(tmp_path_factory.mktemp(request.param), request.param)


# --- what each company must be after the import -------------------------------------------------------------


def expected_stage(c: Company) -> str | None:
    """Where the customer stands: its own stage, or further where one of its opportunities is (won: won)."""
    stages = [s for _, _, s in c.opportunities if s in FUNNEL] + ([c.stage] if c.stage in FUNNEL else [])
    return max(stages, key=FUNNEL.index) if stages else c.stage


def company_problems(result: Imported, c: Company) -> list[str]:
    """Everything about one company that is not as the old system had it (empty: all is well)."""
    data = result.by_name.get(c.name)
    if data is None:
        return [f"{c.name}: not in the book (swallowed, or imported under another name)"]
    out = []
    notes = str(data.get("notes") or "")

    def expect(what: str, got: Any, want: Any) -> None:
        if got != want:
            out.append(f"{c.name}: {what} is {got!r}, the old system said {want!r}")

    expect("owner", data["owner"], c.owner)
    if c.created:
        expect("created", data["created"], c.created)
    if c.last_contact:
        expect("the last follow-up", data.get("imported_last_contact"), c.last_contact)
    if c.deal:
        expect("the deal in yuan", [d["amount"] for d in data.get("deals", [])], [c.deal])
    if c.industry:
        expect("industry", data["industry"], c.industry)
    if expected_stage(c):
        expect("stage", data["stage"], expected_stage(c))
    stored = {str(x.get("phone")) for x in data.get("contacts", []) if x.get("phone")}
    for phone in c.phones:
        if phone not in stored:
            out.append(f"{c.name}: phone {phone} not kept (has {sorted(stored)})")
    names = {x["name"] for x in data.get("contacts", [])}
    for person in c.contacts:
        if person not in names:
            out.append(f"{c.name}: contact {person} missing (has {sorted(names)})")
    for old in c.old_ids:
        if old not in data.get("former_ids", []):
            out.append(f"{c.name}: the old system's id {old} is not kept (former_ids: {data.get('former_ids')})")
    if c.turnover is not None:
        expect("annual value (the customer's own revenue must not be it)", data.get("annual_value"), None)
        if f"{c.turnover:,}" not in notes:
            out.append(f"{c.name}: its revenue {c.turnover:,} is not kept in the notes")
    if c.opportunities:
        expect("opportunities", sorted((o["what"], o["amount"], o["stage"]) for o in data.get("opportunities", [])),
               sorted(c.opportunities))
        won = {o["id"] for o in data.get("opportunities", []) if o["stage"] == "won"}
        expect("deals of won opportunities", {d.get("opportunity") for d in data.get("deals", [])} & won, won)
    for variant in c.variants:
        if variant in result.by_name:
            out.append(f"{c.name}: its variant {variant!r} became a customer of its own")
    return out


def test_every_company_comes_through_as_the_old_system_had_it(imported: Imported) -> None:
    export = imported.export
    problems = [p for c in export.companies for p in company_problems(imported, c)]
    assert problems == [], "\n".join(problems)
    assert len(imported.files) == len(export.companies)  # none swallowed, none multiplied
    assert imported.repo.check(today=TODAY).errors == 0


def test_the_last_follow_up_is_the_customers_last_contact_and_no_made_up_interaction(imported: Imported) -> None:
    from kehu.book.loader import open_book
    from kehu.core.derive import contact_days

    book = open_book(imported.repo.open(TODAY))
    facts = {c.name: book.facts[c.id] for c in book.customers}
    loaded = {c.name: c for c in book.customers}
    from_before = 0
    for c in imported.export.companies:
        if c.last_contact is None:
            continue
        f = facts[c.name]
        # a sale is contact too (a deal signed, an opportunity won): the newer of it and the old system's follow-up
        sales = [d for d in contact_days(loaded[c.name]) if d <= exports.TODAY]
        newest = max([c.last_contact, *sales])
        assert (f.last_contact, f.last_contact_imported) == (newest, c.last_contact not in sales and
                                                             newest == c.last_contact), c.name
        from_before += f.last_contact_imported
        if f.status != "lost":  # dormant exactly when the last contact is 90 days old
            assert (f.status == "dormant") == ((exports.TODAY - newest).days >= 90), c.name
    if any(c.last_contact for c in imported.export.companies):  # an export that has the column: some stay the old's
        assert from_before > 0
    interactions = sum(len(yaml.safe_load(t).get("interactions") or []) for t in imported.files.values())
    assert interactions == 0  # no export has a follow-up's content: no conversation is made up


def test_no_id_number_anywhere_on_disk(imported: Imported) -> None:
    numbers = imported.export.id_numbers
    where = [imported.repo.root, imported.export.files[0].parent]
    texts = [p.read_bytes().decode("utf-8", "replace") for folder in where for p in folder.rglob("*")
             if p.is_file() and p.suffix in (".yaml", ".json", ".md", ".csv") and p not in imported.export.files]
    texts.append(imported.stdout)
    leaks = [n for n in numbers for t in texts if n in t]
    assert leaks == []


def test_placeholder_contacts_are_stored_on_no_customer(imported: Imported) -> None:
    stored = [str(c.get(k)) for d in imported.by_name.values() for c in d.get("contacts", [])
              for k in ("phone", "email")]
    assert not imported.export.placeholders & set(stored)


def totals(text: str) -> list[int]:
    line = next(ln for ln in text.splitlines() if ln.startswith("导入结果："))
    return [int(n) for n in re.findall(r"\d+", line)]


def test_the_report_counts_what_happened(imported: Imported) -> None:
    export = imported.export
    rows = sum(len(c.rows) for c in export.companies)
    flagged = sum(1 for c in export.companies if c.flagged_with)
    # created, updated, unchanged, rows merged, skipped, rejected, values dropped, owner fallbacks, placeholders,
    # possible duplicates
    assert totals(imported.report) == [len(export.companies), 0, 0, rows - len(export.companies),
                                       sum(export.skipped.values()), 0, export.dropped, export.fallback_rows,
                                       len(export.placeholders), flagged]
    assert totals(imported.report) == totals(imported.stdout)
    assert imported.exit_code == (1 if export.dropped else 0)
    for c in export.companies:
        for variant in c.variants:  # every merge names both names
            assert re.search(rf"{re.escape(c.name)}（[^）]*）.*← .*{re.escape(variant)}（", imported.report), variant
        if c.flagged_with:
            line = next(ln for ln in imported.report.splitlines() if c.name in ln and "≈" in ln)
            assert c.flagged_with in line
    if export.fallback_rows:
        assert "负责人不在团队中，已转交" in imported.report and f"→ {exports.FALLBACK}" in imported.report
    for kind, n in export.skipped.items():
        word = {"title": "标题行", "group_header": "分组表头", "blank": "空行", "summary": "合计行"}[kind]
        assert f"{word} {n} 行" in imported.report


def test_a_possible_duplicate_is_flagged_by_the_checker_too(imported: Imported) -> None:
    pairs = [(c.name, c.flagged_with) for c in imported.export.companies if c.flagged_with]
    run = imported.repo.check_json(today=TODAY)
    near = [p["message"] for p in run.problems if p["code"] == "near-duplicate-name"]
    for name, other in pairs:
        assert any(name in m and other in m for m in near), (name, other, near)
    assert len(near) == 2 * len(pairs)  # one warning in each file of a pair, and nothing else flagged


RECOGNISED = {"fxiaoke": ["纷享销客 客户导出"], "neocrm": ["销售易 客户导出"], "dingtalk": ["钉钉 CRM 客户导出"],
              "wecom": ["企业微信 客户联系导出"], "salesforce": ["Salesforce 客户（Accounts）导出"],
              "zoho": ["Zoho CRM 客户（Accounts）导出", "Zoho CRM 联系人（Contacts）导出",
                       "Zoho CRM 商机（Deals）导出"],
              "hubspot": ["HubSpot 公司（Companies）导出", "HubSpot 商机（Deals）导出"]}


def test_the_preview_says_which_export_each_file_is(imported: Imported) -> None:
    said = re.findall(r"：识别为 (.+)$", imported.stdout, re.M)
    assert said == RECOGNISED[imported.kind]


# --- one kind under many seeds (a property) --------------------------------------------------------------------


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=10, max_value=10_000), n=st.integers(min_value=8, max_value=30))
def test_any_fxiaoke_export_comes_through(tmp_path_factory: pytest.TempPathFactory, seed: int, n: int) -> None:
    result = import_export(tmp_path_factory.mktemp("fx"), "fxiaoke", n=n, seed=seed)
    problems = [p for c in result.export.companies for p in company_problems(result, c)]
    assert problems == [], "\n".join(problems)
    assert len(result.files) == len(result.export.companies)
    for number in result.export.id_numbers:
        assert number not in result.report and number not in result.rejects
        assert all(number not in t for t in result.files.values())


def test_importing_the_same_export_again_changes_nothing(tmp_path: Path) -> None:
    result = import_export(tmp_path, "fxiaoke", n=20, seed=5)
    again = kehu(result.repo, "import", *map(str, result.export.files), "--owner", exports.FALLBACK, today=TODAY)
    assert {p.name: p.read_text(encoding="utf-8") for p in result.repo.customers.glob("*.yaml")} == result.files
    assert totals(again.stdout)[:3] == [0, 0, len(result.export.companies)]
    # the same rows say the same again: merged, skipped, rejected, dropped, handed over, placeholders — a
    # company's contact in the book is no other company sharing it
    assert totals(again.stdout)[3:9] == totals(result.stdout)[3:9]
