"""What ``kehu import`` prints: the column mapping per sheet, a preview, the totals and the
rejected rows — the same text for a dry run and a real one."""

from __future__ import annotations

from ..core.present import Presenter
from ..words.catalogue import Locale
from .columns import LIST_OF, SheetMap
from .plan import ImportPlan
from .readers import Sheet

REJECTS_SHOWN = 20


def target_words(path: str, words: Presenter | None) -> str:
    """Where a column goes, as a person says it: ``contact.phone`` → 联系人 · 手机, ``name`` → 客户名称."""
    if words is None:
        return path
    head, _, rest = path.partition(".")
    if head in LIST_OF:
        inner = words.field(rest, head) if rest and rest != "info" else words.t("import.target.info") if rest else ""
        return words.t("field_sep").join(x for x in (words.field(LIST_OF[head]), inner) if x)
    if words.words_of.has(f"import.target.{path}"):
        return words.t(f"import.target.{path}")
    return words.field_path(path)


def mapping_lines(sheet: Sheet, smap: SheetMap, msgs: Locale, words: Presenter | None = None) -> list[str]:
    rows = sum(1 for r in sheet.rows[smap.header_row:] if any(c not in (None, "") for c in r))
    enc = msgs.word("encoding", enc=sheet.encoding) if sheet.encoding else ""
    lines = [msgs.word("sheet", name=sheet.label, kind=msgs.word(f"kind.{smap.kind}"), header=smap.header_row,
                  rows=rows, encoding=enc)]
    for col in smap.columns:
        if col.path and not col.derived:
            lines.append(f"  {col.header} → {target_words(col.path, words)}")
    if smap.derived:
        lines.append(msgs.word("derived", cols=msgs.word("sep").join(c.header for c in smap.derived)))
    if smap.unmapped:
        lines.append(msgs.word("unmapped", cols=msgs.word("sep").join(c.header for c in smap.unmapped)))
    return lines


def preview_lines(plan: ImportPlan, msgs: Locale, n: int, words: Presenter | None = None) -> list[str]:
    shown = [o for o in plan.outcomes if o.action != "same"][:n] or plan.outcomes[:n]
    if not shown:
        return []
    lines = [msgs.word("preview", n=len(shown))]
    for o in shown:
        d = o.data
        counts = msgs.word("counts", contacts=len(d.get("contacts") or []),
                      interactions=len(d.get("interactions") or []), deals=len(d.get("deals") or []))
        rows = msgs.word("sep").join(f"{r.sheet}:{r.row}" for r in o.draft.rows[:6])
        if len(o.draft.rows) > 6:
            rows += "…"
        owner = words.who(d.get("owner")) if words is not None else d.get("owner")
        stage = words.stage(d.get("stage")) if words is not None else d.get("stage")
        lines.append(f"  {msgs.word('action.' + o.action)}  {o.cid}  {d.get('name')}  {owner}  "
                     f"{stage}  {counts}  {msgs.word('rows', rows=rows)}")
    return lines


def summary_lines(plan: ImportPlan, msgs: Locale) -> list[str]:
    lines = list(plan.warnings)
    lines.append(msgs.word("summary", new=plan.count("new"), updated=plan.count("update"),
                      same=plan.count("same"), merged=plan.merged_rows, rejected=len(plan.rejects)))
    if plan.dropped:
        lines[-1] += msgs.word("dropped_count", n=len(plan.dropped))
    for title, listed in (("rejected", plan.rejects), ("dropped", plan.dropped)):
        if not listed:
            continue
        lines.append(msgs.word(title))
        for r in listed[:REJECTS_SHOWN]:
            lines.append(msgs.word("reject_line", sheet=r.ref.sheet, row=r.ref.row, reason=r.reason))
        if len(listed) > REJECTS_SHOWN:
            lines.append(msgs.word("more", n=len(listed) - REJECTS_SHOWN))
    return lines
