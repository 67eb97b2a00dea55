"""Three-way merge of customer files, on the data rather than on lines.

Git's line merge fails on the commonest edit in a team: two colleagues each
append an interaction to the same customer on the same day. Both insert lines at
the same place, so git calls it a conflict. Here the three versions (base, ours,
theirs) are merged as data:

- a field only one side changed takes that side's value; both sides making the same
  change is no conflict;
- timelines (interactions, surveys, complaints) are unions: entries added on either
  side are kept, identical entries once, in date order; an entry edited on one side
  keeps the edit, an entry deleted on one side and untouched on the other is deleted;
- contacts and deals are matched by identity (contact name or phone, deal contract)
  and merged field by field;
- lists of plain values (tags, risks) are merged as sets;
- ``next_action`` changed on both sides (each colleague logged a call and planned the
  next step) keeps the sooner date and both plans, so no follow-up is lost;
- both sides changing the same scalar differently is a real conflict: the result
  keeps ours and records theirs, and the caller writes conflict markers.

The merge mutates *ours* (a ruamel round-trip map), so its comments and key order
survive.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from ..core.identity import RECORD_IDENTITY, Identity, plain

if TYPE_CHECKING:
    from ..repo.repository import Repo

MISSING: Any = object()  # a key absent from one version (distinct from an explicit null)


def same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    equal: bool = plain(a) == plain(b)
    return equal


def _key(value: Any) -> str:
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False)


def _field(item: Any, name: str) -> Any:
    return plain(item.get(name)) if isinstance(item, Mapping) else None


# --- how each list is merged ------------------------------------------------------------------


@dataclass(frozen=True)
class ListPolicy:
    identity: Identity          # which entries are "the same record" (possibly edited)
    entity: bool = False        # entries added on both sides with one identity are one record
    by_date: bool = False       # a timeline: the canonical layout keeps it in date order


POLICIES: dict[str, ListPolicy] = {
    "interactions": ListPolicy(RECORD_IDENTITY["interactions"], by_date=True),
    "surveys": ListPolicy(RECORD_IDENTITY["surveys"], by_date=True),
    "complaints": ListPolicy(RECORD_IDENTITY["complaints"], by_date=True),
    "contacts": ListPolicy(RECORD_IDENTITY["contacts"], entity=True),
    "deals": ListPolicy(RECORD_IDENTITY["deals"], entity=True),
    # an opportunity is known by its id (random part: two clones never pick the same), so a stage
    # moved on one side and a close date on the other merge field by field
    "opportunities": ListPolicy(RECORD_IDENTITY["opportunities"], entity=True),
}
GENERIC = ListPolicy(_key)  # a team's own list of records: whole-entry identity, union

ATOMIC_PLANS = {"next_action"}  # a {date, action} pair is one plan, never mixed field by field


def same_customer(ours: Any, theirs: Any, suffixes: tuple[str, ...]) -> bool:
    """Two versions of a file added on both sides describe one customer: the same company name in the checker's
    normal form, or one typing slip apart (``core.names.typo_kind``: 有限公 for 有限公司, a homophone …). A
    contact detail in common decides only when a side has no name: two differently named companies are never
    one because they share a phone or an e-mail (a switchboard, a placeholder 13800000000, one agent for two
    firms) — that is two customers under one id, kept apart whole, never blended field by field."""
    from ..core.names import name_key, typo_kind
    from ..core.normalize import normalize_company

    def name(doc: Any) -> str:
        return str(doc.get("name") or "").strip() if isinstance(doc, Mapping) else ""

    def reach(doc: Any) -> set[str]:
        contacts = doc.get("contacts") if isinstance(doc, Mapping) else None
        out = set()
        for c in contacts if isinstance(contacts, list) else []:
            if isinstance(c, Mapping):
                out |= {str(c[k]).strip().casefold() for k in ("phone", "email") if c.get(k)}
        return out

    a, b = name(ours), name(theirs)
    if a and b:
        if normalize_company(a, suffixes) == normalize_company(b, suffixes):
            return True
        return typo_kind(name_key(a, suffixes), name_key(b, suffixes)) is not None
    return bool(reach(ours) & reach(theirs))


# --- results -------------------------------------------------------------------------------------


@dataclass
class Conflict:
    """Both sides changed ``container[key]`` differently; ours is in place, theirs is kept here."""

    path: str
    container: Any
    key: Any
    theirs: Any  # MISSING when theirs deleted the key

    def swap(self) -> None:
        """Put the other version in place (called twice, restores the original)."""
        box = self.container
        ours = box.get(self.key, MISSING) if isinstance(box, Mapping) else box[self.key]
        _assign(self.container, self.key, self.theirs)
        self.theirs = ours


@dataclass
class MergeResult:
    data: Any
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _assign(container: Any, key: Any, value: Any) -> None:
    if isinstance(container, MutableMapping):
        if value is MISSING:
            container.pop(key, None)
        else:
            container[key] = value
    else:
        container[key] = value


def _copy(value: Any) -> Any:
    from ..store.write import deep_copy

    return value if value is MISSING else deep_copy(value)


# --- the merge ------------------------------------------------------------------------------------


def merge_documents(base: Any, ours: Any, theirs: Any) -> MergeResult:
    """Merge *theirs* into *ours* (mutated) with *base* as the common ancestor."""
    result = MergeResult(ours)
    base_map = base if isinstance(base, Mapping) else {}
    if not isinstance(ours, Mapping) or not isinstance(theirs, Mapping):
        raise TypeError("a customer file is a mapping")
    _merge_map(base_map, ours, theirs, "", result.conflicts, top=True)
    return result


def _merge_map(base: Mapping[Any, Any], ours: Any, theirs: Mapping[Any, Any], path: str, conflicts: list[Conflict],
               top: bool = False) -> None:
    keys = list(ours.keys()) + [k for k in theirs if k not in ours] + [k for k in base if k not in ours
                                                                       and k not in theirs]
    for key in keys:
        o, a, b = base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING)
        if same(a, b) or same(o, b):
            continue  # nobody changed it, both made the same change, or only ours changed it
        if same(o, a):
            _take(ours, key, b, theirs)  # only theirs changed it
            continue
        _merge_both_changed(ours, key, o, a, b, f"{path}{key}" if top else f"{path}.{key}", conflicts, top)


def _merge_both_changed(ours: Any, key: Any, o: Any, a: Any, b: Any, path: str, conflicts: list[Conflict],
                        top: bool) -> None:
    if top and key in ATOMIC_PLANS:
        ours[key] = _merge_plans(a, b)
    elif isinstance(a, list) and isinstance(b, list):
        policy = POLICIES.get(key, GENERIC) if top else GENERIC
        _merge_list(o if isinstance(o, list) else [], a, b, policy, path, conflicts)
    elif isinstance(a, Mapping) and isinstance(b, Mapping):
        _merge_map(o if isinstance(o, Mapping) else {}, a, b, path, conflicts)
    else:
        conflicts.append(Conflict(path, ours, key, _copy(b)))


def _take(ours: Any, key: Any, value: Any, theirs: Mapping[Any, Any]) -> None:
    """Set ours[key] to theirs' value, placing a new key after the key theirs has before it."""
    if value is MISSING:
        ours.pop(key, None)
        return
    if key in ours or not isinstance(ours, CommentedMap):
        ours[key] = _copy(value)
        return
    order = list(theirs.keys())
    before = [k for k in order[: order.index(key)] if k in ours]
    pos = list(ours.keys()).index(before[-1]) + 1 if before else 0
    ours.insert(pos, key, _copy(value))


def _merge_plans(a: Any, b: Any) -> Any:
    """Two new next actions: the sooner date wins, and neither plan is lost — the later one keeps its date in
    the text (``安排技术交流；2024-06-10 发送合同草稿``), so plans merged from several colleagues still say when each
    step was meant, not all on the sooner day."""
    plans = [p for p in (a, b) if isinstance(p, Mapping) and p.get("action")]
    if not plans:
        return _copy(a) if a is not MISSING else None
    if len(plans) == 1:
        return plans[0] if plans[0] is a else _copy(plans[0])
    first, second = sorted(plans, key=lambda p: str(_field(p, "date")))  # stable: ours first on equal dates
    merged: Any = a if first is a else _copy(first)
    texts = [str(first["action"])]
    if str(second["action"]) not in texts[0]:
        later = _field(second, "date")
        same_day = later is MISSING or later is None or str(later) == str(_field(first, "date"))
        texts.append(str(second["action"]) if same_day else f"{later} {second['action']}")
    merged["action"] = "；".join(texts)
    return merged


def _match(base: Sequence[Any], side: Sequence[Any], identity: Identity) -> dict[int, int]:
    """base index -> side index: identical entries first, then entries with the same identity.
    Each side entry is matched at most once, to the first base entry that claims it (linear: by hash)."""
    out: dict[int, int] = {}
    free: dict[str, deque[int]] = defaultdict(deque)
    for si, item in enumerate(side):
        free[_key(item)].append(si)
    used: set[int] = set()
    for bi, item in enumerate(base):
        queue = free.get(_key(item))
        if queue:
            si = queue.popleft()
            out[bi] = si
            used.add(si)
    by_identity: dict[str, deque[int]] = defaultdict(deque)
    for si, item in enumerate(side):
        if si not in used:
            by_identity[_key(identity(item))].append(si)
    for bi, item in enumerate(base):
        if bi in out:
            continue
        queue = by_identity.get(_key(identity(item)))
        if queue:
            out[bi] = queue.popleft()
    return out


def _merge_list(base: list[Any], ours: list[Any], theirs: list[Any], policy: ListPolicy, path: str,
                conflicts: list[Conflict]) -> None:
    if all(not isinstance(x, (Mapping, list)) for x in (*base, *ours, *theirs)):
        _merge_set(base, ours, theirs)
        return
    a_match = _match(base, ours, policy.identity)
    b_match = _match(base, theirs, policy.identity)
    doomed: list[int] = []
    added: list[int] = [j for j in range(len(theirs)) if j not in set(b_match.values())]
    for bi, o in enumerate(base):
        ai, bj = a_match.get(bi), b_match.get(bi)
        if ai is None:  # ours deleted it: an edit on theirs still survives
            if bj is not None and not same(theirs[bj], o):
                added.append(bj)
        elif bj is None:  # theirs deleted it: gone unless ours edited it
            if same(ours[ai], o):
                doomed.append(ai)
        elif not same(ours[ai], theirs[bj]) and not same(o, theirs[bj]):
            if same(o, ours[ai]):
                ours[ai] = _copy(theirs[bj])
            else:
                _merge_both_changed(ours, ai, o, ours[ai], theirs[bj], f"{path}[{ai}]", conflicts, top=False)
    for ai in sorted(set(doomed), reverse=True):
        del ours[ai]
    have = {_key(x) for x in ours}
    entities = {_key(policy.identity(x)): i for i, x in enumerate(ours)} if policy.entity else {}
    for bj in sorted(set(added)):
        _add(ours, theirs[bj], policy, path, conflicts, have, entities)


def _add(ours: list[Any], item: Any, policy: ListPolicy, path: str, conflicts: list[Conflict], have: set[str],
         entities: dict[str, int]) -> None:
    """Add an entry theirs added, unless ours already holds it (or, for entities, the same record).
    Dated lists get the entry at the end: the canonical layout (``store.dump``) sorts them by date,
    stably, so it lands after ours' entries of the same day — in one sort, not one scan per entry."""
    k = _key(item)
    if k in have:
        return  # added identically on both sides: one copy
    if policy.entity:
        i = entities.get(_key(policy.identity(item)))
        if i is not None and isinstance(ours[i], Mapping) and isinstance(item, Mapping):
            _merge_map({}, ours[i], item, f"{path}[{i}]", conflicts)
            return
    ours.append(_copy(item))
    have.add(k)
    if policy.entity:
        entities[_key(policy.identity(item))] = len(ours) - 1


def _merge_set(base: list[Any], ours: list[Any], theirs: list[Any]) -> None:
    removed = {_key(x) for x in base} - {_key(x) for x in theirs}
    for i in range(len(ours) - 1, -1, -1):
        if _key(ours[i]) in removed:
            del ours[i]
    have = {_key(x) for x in ours}
    base_keys = {_key(x) for x in base}
    for x in theirs:
        k = _key(x)
        if k not in have and k not in base_keys:
            ours.append(_copy(x))
            have.add(k)


def describe_conflicts(repo: Repo, result: MergeResult) -> str:
    """The fields both sides changed, for a person: labels and values in the team's language
    (客户阶段（我方：签约，对方：流失）)."""
    from ..store.dedupe import rules_for

    rules = rules_for(repo, "")
    msgs = repo.msgs

    def shown(top: str, value: Any) -> str:
        return msgs.word("merge_driver_deleted") if value is MISSING else rules.show(top, plain(value))

    parts = []
    for c in result.conflicts:
        ours = c.container.get(c.key, MISSING) if isinstance(c.container, Mapping) else c.container[c.key]
        top = c.path.split(".")[0].split("[")[0]
        parts.append(msgs.word("merge_driver_sides", field=rules.title(top) + c.path[len(top):],
                               ours=shown(top, ours), theirs=shown(top, c.theirs)))
    return msgs.word("sep").join(parts)


# --- conflict markers -------------------------------------------------------------------------------


def with_markers(ours_text: str, theirs_text: str, size: int = 7, ours_label: str = "ours",
                 theirs_label: str = "theirs") -> str:
    """One document where the lines that differ are wrapped in git's conflict markers."""
    a = ours_text.splitlines(keepends=True)
    b = theirs_text.splitlines(keepends=True)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(a[i1:i2])
            continue
        out.append(f"{'<' * size} {ours_label}\n")
        out.extend(_ended(a[i1:i2]))
        out.append(f"{'=' * size}\n")
        out.extend(_ended(b[j1:j2]))
        out.append(f"{'>' * size} {theirs_label}\n")
    return "".join(out)


def whole_file_conflict(ours_text: str, theirs_text: str, size: int = 7) -> str:
    """Both versions as one conflict: for two records that must not be blended line by line."""
    return "".join([f"{'<' * size} ours\n", *_ended(ours_text.splitlines(keepends=True)), f"{'=' * size}\n",
                    *_ended(theirs_text.splitlines(keepends=True)), f"{'>' * size} theirs\n"])


def _ended(lines: list[str]) -> list[str]:
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def render_conflicts(result: MergeResult, dump: Callable[[Any], str], size: int = 7) -> str:
    """The merged document with ours at each conflict, and markers showing theirs beside it."""
    ours_text = dump(result.data)
    for c in result.conflicts:
        c.swap()
    try:
        theirs_text = dump(result.data)
    finally:
        for c in reversed(result.conflicts):
            c.swap()
    return with_markers(ours_text, theirs_text, size)
