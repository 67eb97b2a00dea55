"""审批 as review rules: which changes of a pull request need a manager's approving review.

kehu.yaml lists the kinds of change (``approval.rules``); this module says, for one customer file before and after
a change, which rules the change triggers — one :class:`Trigger` each, naming the customer and what triggered it.
`kehu diff` names them beside the change (``kehu.git.review``), and the review job decides with them
(``kehu.git.approval``): the pull request may merge once a member with an approving role has approved it.

The kinds:

* ``won_moved_back`` — a won customer moved to an earlier stage of the funnel;
* ``lost`` — a customer marked lost;
* ``class_override`` — a class set by hand (``to: [core]``: only to those classes);
* ``deal_above`` — a deal of at least ``amount`` added, or an existing one raised to it;
* ``owner_change`` — the customer's owner changed (a handover, a claim);
* ``customer_deleted`` — a customer's file removed (deleted, merged into another, erased).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..repo.config import ApprovalRule
from .identity import identity_of

KINDS = ("won_moved_back", "lost", "class_override", "deal_above", "owner_change", "customer_deleted")


@dataclass(frozen=True, slots=True)
class Trigger:
    """One rule one change triggers."""

    rule: str           # the rule's kind
    customer: str       # the customer's id
    values: tuple[str, ...] = ()   # what triggered it: the stages, the class, the deal and its amount, the owners

    @property
    def key(self) -> str:
        """The same trigger in two versions of a pull request has the same key (an approval covers what it saw)."""
        return "\x1f".join((self.rule, self.customer, *self.values))


def _amount(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _deals(data: dict[str, Any] | None) -> dict[Any, dict[str, Any]]:
    return {identity_of("deals", d): d for d in (data or {}).get("deals") or [] if isinstance(d, dict)}


def triggers(rules: Iterable[ApprovalRule], cid: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
             stages: Sequence[str]) -> list[Trigger]:
    """The rules a change of customer ``cid`` from ``old`` to ``new`` (None: absent) triggers."""
    out: list[Trigger] = []
    before, after = old or {}, new or {}
    for rule in rules:
        kind = rule.kind
        if kind == "customer_deleted":
            if old is not None and new is None:
                out.append(Trigger(kind, cid))
            continue
        if new is None:
            continue
        if kind == "won_moved_back":
            was, now = str(before.get("stage")), str(after.get("stage"))
            if (old is not None and was == "won" and now in stages and "won" in stages
                    and stages.index(now) < stages.index("won")):
                out.append(Trigger(kind, cid, (was, now)))
        elif kind == "lost":
            if after.get("stage") == "lost" and before.get("stage") != "lost":
                out.append(Trigger(kind, cid, (str(after.get("lost_from") or before.get("stage") or ""),)))
        elif kind == "class_override":
            klass = after.get("class")
            if klass and klass != before.get("class") and (not rule.to or klass in rule.to):
                out.append(Trigger(kind, cid, (str(klass),)))
        elif kind == "deal_above":
            limit = rule.amount or 0.0
            was_deals = _deals(old)
            for ident, deal in _deals(new).items():
                amount = _amount(deal.get("amount"))
                prior = was_deals.get(ident)
                if amount >= limit and (prior is None or _amount(prior.get("amount")) < limit):
                    name = str(deal.get("contract") or deal.get("product") or "")
                    out.append(Trigger(kind, cid, (name, f"{amount:g}", f"{limit:g}")))
        elif kind == "owner_change" and old is not None and before.get("owner") != after.get("owner"):
            out.append(Trigger(kind, cid, (str(before.get("owner") or ""), str(after.get("owner") or ""))))
    return out
