"""kehu dedupe — likely duplicate customers (撞单), best match first."""

from __future__ import annotations

import json

import click

from ..words.terminal import echo
from ._common import RunOptions, repo_from


@click.command("dedupe")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def command(obj: RunOptions, min_score: float, fmt: str) -> None:
    from ..core.privacy import mask_email, mask_phone
    from ..store.dedupe import find_pairs, repo_entries

    repo = repo_from(obj)
    msgs = repo.msgs
    pairs = [p for p in find_pairs(repo_entries(repo), repo.config) if p.score >= min_score]

    def reason(kind: str, detail: str) -> str:
        if kind == "phone":
            return msgs.word("dedupe.reason.phone", value=mask_phone(detail))
        if kind == "email":
            return msgs.word("dedupe.reason.email", value=mask_email(detail))
        if kind == "near":
            return msgs.word("dedupe.reason.near", d=msgs.word(f"typo.{detail}"))
        return msgs.word("dedupe.reason.name")

    if fmt == "json":
        echo(json.dumps([{"score": p.score, "a": {"id": p.a.id, "name": p.a.name, "file": p.a.file},
                                "b": {"id": p.b.id, "name": p.b.name, "file": p.b.file},
                                "reasons": [{"kind": k, "text": reason(k, d)} for k, d in p.reasons]}
                               for p in pairs], ensure_ascii=False, indent=2))
        return
    if not pairs:
        echo(msgs.word("dedupe.none"))
        return
    sep = msgs.word("hint_sep")
    for p in pairs:
        echo(f"{p.score:.2f}  {p.a.id} {p.a.name}  ↔  {p.b.id} {p.b.name}  "
                   f"{sep.join(reason(k, d) for k, d in p.reasons)}")
