"""The numbers after a team's first day are true: a Zoho CRM export (Accounts with each company's own Annual
Revenue, Contacts, Deals in every stage — tests/support/exports.py) imported with no mapping file, the site built,
and the pipeline read off the dashboard, the funnel and forecast pages, `kehu forecast` and `kehu due`: one open
pipeline (在途金额) and one weighted pipeline (加权在途金额), each the figure of the deals the old system had open
— never the companies' turnover."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support import exports
from tests.support.commands import kehu
from tests.support.exports import Export
from tests.support.site import (
    DASHBOARD,
    FORECAST,
    FUNNEL,
    PERIOD,
    Shown,
    as_shown,
    book_figures,
    disagreements,
    page_figures,
)
from tests.support.team_repo import TeamRepo

TODAY = exports.TODAY.isoformat()


class Moved:
    def __init__(self, repo: TeamRepo, export: Export) -> None:
        self.repo, self.export = repo, export

    def figures(self, command: str, *args: str) -> dict[str, float | int | None]:
        run = kehu(self.repo, command, *args, "--format", "json", today=TODAY)
        assert run.exit_code == 0, run.stderr
        figures: dict[str, float | int | None] = json.loads(run.stdout)["figures"]
        return figures

    def page(self, src: str) -> str:
        return (self.repo.root / "site" / src / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Moved:
    folder: Path = tmp_path_factory.mktemp("zoho")
    repo = TeamRepo.create(folder / "team", team=exports.TEAM_YAML)
    export = exports.zoho(folder, n=24, seed=21)
    run = kehu(repo, "import", *map(str, export.files), "--owner", exports.FALLBACK, today=TODAY)
    assert run.exit_code in (0, 1), run.stderr
    built = repo.kehu("build", today=TODAY, env={"NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stderr
    return Moved(repo, export)


def open_deals(export: Export) -> tuple[int, float]:
    """How many deals the old system had open, and their total in yuan: what the pipeline must be."""
    amounts = [amount for c in export.companies for _, amount, stage in c.opportunities
               if stage not in ("won", "lost")]
    return len(amounts), float(sum(amounts))


def test_every_screen_shows_one_pipeline_of_the_imported_book(moved: Moved) -> None:
    book = book_figures(moved.repo, TODAY)  # kehu forecast's, and the dashboard's period block as kehu report counts
    screens: dict[str, tuple[Shown, set[str]]] = {
        "dashboard": (page_figures(moved.page(".")), DASHBOARD | PERIOD),
        "funnel page": (page_figures(moved.page("funnel")), FUNNEL),
        "forecast page": (page_figures(moved.page("forecast")), FORECAST),
        "kehu due --all": (as_shown(moved.figures("due", "--all")), FUNNEL | FORECAST | DASHBOARD),
    }
    assert disagreements(screens, book) == []
    count, amount = open_deals(moved.export)
    assert count > 0  # the generated export has open deals: the comparison below is of numbers, not two zeros
    assert (book["pipeline_count"], book["pipeline_open"]) == (count, amount)
    weighted = book["pipeline_weighted"]
    assert isinstance(weighted, float) and 0 < weighted < amount  # weighted by each stage's win probability


def test_the_companies_turnover_is_no_figure_of_ours(moved: Moved) -> None:
    turnover = float(sum(c.turnover or 0 for c in moved.export.companies))
    book = moved.figures("forecast")
    shown = [v for src in (".", "funnel", "forecast") for values in page_figures(moved.page(src)).values()
             for v in values]
    assert turnover > 0 and turnover not in shown and turnover not in book.values()


def test_kehu_forecast_states_the_same_pipeline(moved: Moved) -> None:
    book = moved.figures("forecast")
    run = kehu(moved.repo, "forecast", today=TODAY)
    assert run.exit_code == 0, run.stderr
    text = re.sub(r"\s+", " ", run.stdout)
    assert f"在途金额(元)：{book['pipeline_open']:,.0f}" in text
    assert f"加权在途金额(元)：{book['pipeline_weighted']:,.0f}" in text
