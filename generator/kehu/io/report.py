"""What ``kehu import`` says: how each sheet is read (which export it is, each column's field and how its values
are read), a preview, and the report a manager reads — on the terminal (lists cut short) and as a Markdown
file beside the rejects (every item) — in the team's language: customers created, updated and merged (with
both names and rows), rows skipped, values dropped, owners that fell back, placeholder and shared contacts,
possible duplicates, industries to confirm, and what to do about each. Phones and e-mails are masked; an ID
or bank card number is never in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.present import Presenter
from ..core.privacy import mask_email, mask_phone
from ..words.catalogue import Locale
from .columns import LIST_OF, SheetMap
from .drafts import RowRef
from .plan import ImportPlan
from .readers import Sheet
from .sheets import SKIPPED_KINDS

REJECTS_SHOWN = 20   # items of a list the terminal shows (the report file has them all)
ROWS_SHOWN = 12      # row numbers of one item the terminal shows


# --- how each sheet is read ------------------------------------------------------------------------

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
    if smap.export:
        lines[0] += msgs.word("import.recognised", export=msgs.word(f"export.{smap.export}"))
    for col in smap.columns:
        if col.path and not col.derived:
            reading = _reading(col, smap, msgs)
            shown = msgs.word("in_brackets", text=reading) if reading else ""
            lines.append(f"  {col.header} → {target_words(col.path, words)}{shown}")
    if smap.derived:
        lines.append(msgs.word("derived", cols=msgs.word("sep").join(c.header for c in smap.derived)))
    if smap.unmapped:
        lines.append(msgs.word("unmapped", cols=msgs.word("sep").join(c.header for c in smap.unmapped)))
    return lines


def _reading(col: object, smap: SheetMap, msgs: Locale) -> str:
    """How a column's values are read, beside where they go (:func:`target_words`): what a special column does,
    a unit, an order of day and month, a picklist table."""
    from .columns import Column

    assert isinstance(col, Column)
    path = col.path or ""
    special = f"import.path.{path}"
    parts = [msgs.word(special) if msgs.has(special) else ""]
    if col.unit is not None:
        parts.append(msgs.word("import.read.unit", unit=col.unit_word, factor=f"{col.unit:,}"))
    if col.date_order:
        told = msgs.word("import.read.order_told" if col.order_told else "import.read.order_default")
        parts.append(msgs.word(f"import.read.{col.date_order}", how=told))
    if path == "industry" and smap.export:
        parts.append(msgs.word("import.read.industry", export=msgs.word(f"export.{smap.export}")))
    if col.source == "mapping":
        parts.append(msgs.word("import.read.mapping"))
    return msgs.word("hint_sep").join(p for p in parts if p)


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


# --- the report -----------------------------------------------------------------------------------------


@dataclass
class Section:
    """One part of the report: a heading, what to do about it, and its items (one line each)."""

    title: str
    todo: str
    items: list[str] = field(default_factory=list)


def _rows(refs: Iterable[RowRef], msgs: Locale, cut: int | None = None) -> str:
    """Row numbers, grouped by sheet: 客户列表 第 5、9、12 行."""
    by_sheet: dict[str, list[int]] = {}
    for r in refs:
        by_sheet.setdefault(r.sheet, []).append(r.row)
    parts = []
    for sheet, numbers in by_sheet.items():
        shown = numbers if cut is None else numbers[:cut]
        more = "…" if cut is not None and len(numbers) > cut else ""
        parts.append(msgs.word("import.rows_of", sheet=sheet,
                               rows=msgs.word("sep").join(str(n) for n in shown) + more))
    return msgs.word("sep").join(parts)


def _at(ref: RowRef, msgs: Locale) -> str:
    return msgs.word("import.row_of", sheet=ref.sheet, row=ref.row)


def _masked(kind: str, value: str) -> str:
    return mask_email(value) if kind == "email" else mask_phone(value)


def sections(plan: ImportPlan, msgs: Locale, cut: int | None = None) -> list[Section]:
    """The report's parts that have anything to say, in the order a manager acts on them."""
    w, sep = msgs.word, msgs.word("sep")
    out: list[Section] = []
    merged = [m for m in plan.merges if m.cid is None]
    if merged:
        s = Section(w("import.s.merged"), w("import.todo.merged"))
        for m in merged:
            kept = w("with_detail", text=m.name, detail=_at(m.ref, msgs)) if m.ref else m.name
            others = sep.join(w("with_detail", text=n, detail=_at(r, msgs)) for n, r in m.others)
            s.items.append(w("import.merged_item", kept=kept, others=others))
        out.append(s)
    updated = [m for m in plan.merges if m.cid is not None]
    if updated:
        s = Section(w("import.s.updated"), w("import.todo.updated"))
        for m in updated:
            s.items.append(w("import.updated_item", id=m.cid, name=m.name,
                             rows=_rows((r for _, r in m.others), msgs, cut)))
        out.append(s)
    if plan.fallbacks:
        s = Section(w("import.s.fallbacks"), w("import.todo.fallbacks"))
        for f in plan.fallbacks:
            s.items.append(w("import.fallback_item", value=f.value, handle=f.handle, n=len(f.rows),
                             departed=w("import.departed") if f.departed else "", rows=_rows(f.rows, msgs, cut)))
        out.append(s)
    if plan.placeholders:
        s = Section(w("import.s.placeholders"), w("import.todo.placeholders"))
        for p in plan.placeholders:
            companies = {n for n, _ in p.companies}
            s.items.append(w("import.placeholder_item", value=_masked(p.kind, p.value), n=len(companies),
                             why=w("import.dummy") if p.dummy else w("import.shared_by", n=len(companies)),
                             rows=_rows((r for _, r in p.companies), msgs, cut)))
        out.append(s)
    if plan.shared:
        s = Section(w("import.s.shared"), w("import.todo.shared"))
        for c in plan.shared:
            s.items.append(w("import.shared_item", value=_masked(c.kind, c.value),
                             holders=sep.join(w("with_detail", text=n, detail=where) for n, where in c.holders)))
        out.append(s)
    if plan.duplicates:
        s = Section(w("import.s.duplicates"), w("import.todo.duplicates"))
        for d in plan.duplicates:
            s.items.append(w("import.duplicate_item", name=d.name, where=d.where, other_name=d.other_name,
                             other=d.other, why=d.why))
        out.append(s)
    if plan.to_confirm:
        s = Section(w("import.s.to_confirm"), w("import.todo.to_confirm"))
        by_word: dict[str, list[RowRef]] = {}
        for t in plan.to_confirm:
            by_word.setdefault(t.value or w("import.no_industry"), []).append(t.ref)
        for word, refs in by_word.items():
            s.items.append(w("import.to_confirm_item", value=word, n=len(refs), rows=_rows(refs, msgs, cut)))
        out.append(s)
    if plan.sensitive:
        s = Section(w("import.s.sensitive"), w("import.todo.sensitive"))
        for (sheet, column), n in sorted(plan.sensitive.items()):
            s.items.append(w("import.sensitive_item", sheet=sheet, column=column, n=n))
        out.append(s)
    if plan.skipped:
        s = Section(w("import.s.skipped"), w("import.todo.skipped"))
        for kind in SKIPPED_KINDS:
            refs = plan.skipped.get(kind, [])
            if refs:
                s.items.append(w("import.skipped_item", kind=w(f"import.skip.{kind}"), n=len(refs),
                                 rows=_rows(refs, msgs, cut)))
        out.append(s)
    if plan.warnings:
        out.append(Section(w("import.s.warnings"), w("import.todo.warnings"), list(plan.warnings)))
    if plan.dropped:
        s = Section(w("import.s.dropped"), w("import.todo.dropped"))
        s.items = [w("reject_line", sheet=r.ref.sheet, row=r.ref.row, reason=r.reason).strip() for r in plan.dropped]
        out.append(s)
    if plan.rejects:
        s = Section(w("import.s.rejected"), w("import.todo.rejected"))
        s.items = [w("reject_line", sheet=r.ref.sheet, row=r.ref.row, reason=r.reason).strip() for r in plan.rejects]
        out.append(s)
    return out


def totals(plan: ImportPlan, msgs: Locale) -> str:
    """The one line of counts: created, updated, unchanged, rows merged, skipped, rejected, values dropped."""
    skipped = sum(len(v) for v in plan.skipped.values())
    return msgs.word("import.totals", new=plan.count("new"), updated=plan.count("update"), same=plan.count("same"),
                     merged=plan.merged_rows, skipped=skipped, rejected=len(plan.rejects), dropped=len(plan.dropped),
                     fallbacks=sum(len(f.rows) for f in plan.fallbacks), placeholders=len(plan.placeholders),
                     duplicates=len(plan.duplicates))


def summary_lines(plan: ImportPlan, msgs: Locale) -> list[str]:
    """The report on the terminal: the totals, then each part with its first items."""
    lines = [totals(plan, msgs)]
    for s in sections(plan, msgs, cut=ROWS_SHOWN):
        lines.append(msgs.word("import.section_line", title=s.title, n=len(s.items)))
        for item in s.items[:REJECTS_SHOWN]:
            lines.append(f"  {item}")
        if len(s.items) > REJECTS_SHOWN:
            lines.append(msgs.word("more", n=len(s.items) - REJECTS_SHOWN))
    return lines


def markdown_report(plan: ImportPlan, msgs: Locale, files: list[str], today: str, dry_run: bool,
                    mapping: list[str]) -> str:
    """The report as a Markdown file a manager reads: what was read and how, the totals, and every item of
    every part with what to do about it."""
    w = msgs.word
    out = [f"# {w('import.report_title')}", "",
           w("import.report_meta", files=w("sep").join(files), today=today), ""]
    if dry_run:
        out += [w("dry_run"), ""]
    out += [f"## {w('import.s.totals')}", "", totals(plan, msgs), ""]
    written = [o for o in plan.outcomes if o.action in ("new", "update")]
    if written:
        out += [f"## {w('import.s.written')}", ""]
        out += [f"- {w('action.' + o.action)} `{o.cid}` {o.data.get('name')}" for o in written]
        out.append("")
    for s in sections(plan, msgs):
        out += [f"## {s.title}", "", f"> {s.todo}", ""]
        out += [f"- {item}" for item in s.items]
        out.append("")
    out += [f"## {w('import.s.columns')}", "", "```", *mapping, "```", ""]
    return "\n".join(out)
