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
from ..git.review import CustomerReview, code, md, review
from ..repo.gitinfo import authors_of_files, changed_customer_files, is_git_repo, resolve_range
from ..repo.repository import Repo
from ..store.transaction import require_sound_repo
from ..util.errors import CommandError, refuse
from ._common import RunOptions, repo_from

MARKDOWN_LIMIT = 60_000  # a GitHub comment holds 65,536 characters
def summary_counts(reviews: list[CustomerReview], words: Presenter) -> str:
    parts = []
    for status in ("created", "changed", "deleted", "merged", "forgotten"):
        n = sum(1 for r in reviews if r.status == status)
        if n:
            parts.append(words.t(f"chg.n.{status}", n=n))
    past = sum(r.past_changes for r in reviews)
    line = words.t("chg.counts", n=len(reviews), parts=words.join(parts))
    return line + (f" · {words.t('chg.n.history', n=past)}" if past else "")


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
        "customers": [{"id": r.id, "name": r.name, "path": r.path, "status": r.status, "authors": r.authors,
                       "merged_into": r.merged_into or None,
                       "changes": [{"kind": p.kind, "field": p.field or None, "text": p.text, "past_record": p.past}
                                   for p in r.phrases]} for r in reviews],
    }, ensure_ascii=False, indent=2)


RENDER = {"text": as_text, "markdown": as_markdown, "json": as_json}


def range_reviews(repo: Repo, spec: str | None, internal: bool) -> tuple[list[CustomerReview], str]:
    """The reviews of a range and how the range is written in the summary."""
    from ..git.forget import forgotten_ids

    if not is_git_repo(repo.root):
        raise refuse(repo.msgs, "cli-not-git", root=repo.root.name)
    try:
        base, head = resolve_range(repo.root, spec)
    except ValueError as e:
        raise refuse(repo.msgs, "cli-bad-revision", rev=str(e)) from None
    try:
        pairs = changed_customer_files(repo.root, base, head)
    except (OSError, ValueError) as e:
        raise CommandError(str(e)) from None
    authors = authors_of_files(repo.root, base, head, repo.team)
    label = spec or f"{base[:7]}...{Presenter.of(repo).t('chg.uncommitted')}"
    return review(repo, pairs, authors, internal, forgotten_ids(repo, head)), label


@click.command("diff")
@click.argument("revisions", required=False, metavar="[BASE...HEAD]")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDER)), default="text", show_default=True)
@click.option("--internal", is_flag=True)
@click.pass_obj
def command(obj: RunOptions, revisions: str | None, fmt: str, internal: bool) -> None:
    repo = repo_from(obj)
    require_sound_repo(repo)
    reviews, label = range_reviews(repo, revisions, internal)
    click.echo(RENDER[fmt](reviews, Presenter.of(repo), label))
