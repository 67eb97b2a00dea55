"""kehu diff [BASE...HEAD] — what a pull request changes, per customer, in business words.

    ### 上海启明科技有限公司（C20240501001）
    提交人：李霞、王芳
    - 客户阶段：报价 → 谈判
    - 新增跟进记录：2024-05-21 电话 王芳：沟通二期报价…

One ``git diff`` lists the changed customer files, one ``git cat-file`` reads both versions
of all of them, one ``git log`` says who committed what: a pull request touching hundreds
of customers is summarised in about a second. Markdown is for pull-request comments and job
summaries (every value escaped, so a customer's name cannot inject links or mentions).
"""

from __future__ import annotations

import json

import click

from ..core.present import Presenter
from ..git.review import CustomerReview, code, md, range_reviews
from ..store.transaction import require_sound_repo
from ..util.errors import refuse
from ._common import RunOptions, repo_from

MARKDOWN_LIMIT = 60_000  # a GitHub comment holds 65,536 characters


def summary_counts(reviews: list[CustomerReview], words: Presenter) -> str:
    parts = []
    for status in ("created", "changed", "deleted", "merged", "forgotten"):
        n = sum(1 for r in reviews if r.status == status)
        if n:
            parts.append(words.t(f"chg.n.{status}", n=n))
    past = sum(r.past_changes for r in reviews)
    needs = sum(len(r.approvals) for r in reviews)
    line = words.t("chg.counts", n=len(reviews), parts=words.join(parts))
    line += f" · {words.t('chg.n.history', n=past)}" if past else ""
    return line + (f" · {words.t('approval.n', n=needs)}" if needs else "")


def heading(r: CustomerReview, words: Presenter) -> str:
    return words.t("name_id", name=r.name, id=r.id)


def as_text(reviews: list[CustomerReview], words: Presenter, label: str) -> str:
    if not reviews:
        return words.t("chg.none")
    lines = [f"{words.t('chg.title')} {label}", summary_counts(reviews, words)]
    for r in reviews:
        lines.append("")
        lines.append(heading(r, words))
        if r.authors:
            lines.append("  " + words.t("chg.by", who=words.join(r.authors)))
        for p in r.phrases:
            lines.append(f"  {'⚠ ' if p.past else '- '}{p.text}")
        lines += [f"  ⚑ {text}" for text in r.approval_texts]
    return "\n".join(lines)


def as_markdown(reviews: list[CustomerReview], words: Presenter, label: str, limit: int = MARKDOWN_LIMIT) -> str:
    head = [f"## {words.t('chg.title')} {code(label)}", ""]
    if not reviews:
        return "\n".join([*head, words.t("chg.none")])
    head.append(md(summary_counts(reviews, words)))
    body: list[str] = []
    size = sum(len(x) + 1 for x in head)
    for k, r in enumerate(reviews):
        block = ["", f"### {md(heading(r, words))}"]
        if r.authors:
            block.append(md(words.t("chg.by", who=words.join(r.authors))))
        block.append("")
        block.extend(f"- {'**⚠** ' if p.past else ''}{md(p.text)}" for p in r.phrases)
        block.extend(f"- **⚑** {md(text)}" for text in r.approval_texts)
        cost = sum(len(x) + 1 for x in block)
        if size + cost > limit:
            rest = len(reviews) - k
            body += ["", f"… +{rest} ({code('kehu diff ' + label)})"]
            break
        body += block
        size += cost
    return "\n".join(head + body)


def as_json(reviews: list[CustomerReview], words: Presenter, label: str) -> str:
    return json.dumps({
        "range": label,
        "summary": summary_counts(reviews, words) if reviews else words.t("chg.none"),
        "past_records_changed": sum(r.past_changes for r in reviews),
        "needs_approval": [{"customer": r.id, "rule": t.rule, "values": list(t.values), "text": text}
                           for r in reviews for t, text in zip(r.approvals, r.approval_texts, strict=True)],
        "customers": [{"id": r.id, "name": r.name, "path": r.path, "status": r.status, "authors": r.authors,
                       "merged_into": r.merged_into or None,
                       "changes": [{"kind": p.kind, "field": p.field or None, "text": p.text, "past_record": p.past}
                                   for p in r.phrases],
                       "needs_approval": [t.rule for t in r.approvals]} for r in reviews],
    }, ensure_ascii=False, indent=2)


RENDER = {"text": as_text, "markdown": as_markdown, "json": as_json}


@click.command("diff")
@click.argument("revisions", required=False, metavar="[BASE...HEAD]")
@click.option("--against", metavar="BASE")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDER)), default="text", show_default=True)
@click.option("--internal", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, revisions: str | None, against: str | None, fmt: str, internal: bool) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    if against is not None and revisions is not None:
        raise refuse(repo.msgs, "cli-diff-against-and-range", against=against, revisions=revisions)
    reviews, label = range_reviews(repo, against if against is not None else revisions, internal)
    click.echo(RENDER[fmt](reviews, Presenter.of(repo), label))
