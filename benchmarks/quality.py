"""Precision and recall of the duplicate warnings on a repository written by ``synth.make_repo(…, typos=M)``.

A planted slip is found when the checker names its pair — a near-duplicate warning, or a duplicate-name
error for slips that normalise away (a stray space). Every other pair the checker names between two
customers is a false alarm: the corpus holds distinct companies only, however similar their names.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

NAME_CODES = ("near-duplicate-name", "duplicate-name")


@dataclass
class Quality:
    planted: int
    found: int                      # planted pairs the checker named
    alarms: int                     # pairs the checker named that were not planted
    alarm_customers: int            # customers with a warning that names no planted partner
    customers: int
    missed: Counter = field(default_factory=Counter)   # kind -> planted pairs not found
    by_kind: Counter = field(default_factory=Counter)  # kind -> planted pairs

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else float("nan")

    @property
    def precision(self) -> float:
        named = self.found + self.alarms
        return self.found / named if named else float("nan")

    @property
    def alarm_rate(self) -> float:
        return self.alarm_customers / self.customers if self.customers else float("nan")

    def line(self) -> str:
        missed = ", ".join(f"{k} {v}" for k, v in sorted(self.missed.items())) or "none"
        return (f"planted slips {self.planted}: found {self.found} (recall {self.recall:.1%}; missed: {missed}); "
                f"false alarms {self.alarms} pairs on {self.alarm_customers} of {self.customers:,} customers "
                f"({self.alarm_rate:.2%}); precision {self.precision:.1%}")


def measure(repo: Path, problems: list[dict]) -> Quality:
    planted = json.loads((repo / "planted.json").read_text(encoding="utf-8"))
    kinds = {frozenset((p["file"], p["of"])): p["kind"] for p in planted}
    company = {p["file"]: p["of"] for p in planted}  # two slips of one company are the same company too
    named: set[frozenset[str]] = set()
    for p in problems:
        if p["code"] in NAME_CODES:
            named.update(frozenset((p["file"], other)) for other in p.get("related", []))
    false = {pair for pair in named - kinds.keys() if len({company.get(f, f) for f in pair}) == 2}
    n = len(list((repo / "customers").glob("*.yaml")))
    return Quality(planted=len(kinds), found=len(named & kinds.keys()), alarms=len(false),
                   alarm_customers=len({f for pair in false for f in pair}), customers=n,
                   missed=Counter(k for pair, k in kinds.items() if pair not in named),
                   by_kind=Counter(kinds.values()))
