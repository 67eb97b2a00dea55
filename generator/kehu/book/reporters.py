"""Reporters turn a CheckResult into text for people, JSON for machines, or
GitHub annotations for pull requests. Chosen from ``REPORTERS`` by name."""

from __future__ import annotations

import json
from collections.abc import Callable

import click

from ..util.problems import Severity
from ..words.catalogue import Locale
from ..words.terminal import terminal_text
from .checker import CheckResult


def text_report(result: CheckResult, msgs: Locale, color: bool = False, show_warnings: bool = True) -> str:
    lines = []
    for p in result.problems:
        if p.severity is Severity.WARNING and not show_warnings:
            continue
        label = str(p.severity)
        if color:
            label = click.style(label, fg="red" if p.severity is Severity.ERROR else "yellow", bold=True)
        where = terminal_text(f"{p.file}:{p.line}:{p.col}", one_line=True)
        lines.append(f"{where}: {label}[{p.code}]: {terminal_text(p.message, one_line=True)}")
        if p.hint:
            lines.append(f"    → {terminal_text(p.hint, one_line=True)}")
    lines.append(summary(result, msgs))
    return "\n".join(lines)


def summary(result: CheckResult, msgs: Locale) -> str:
    e, w, n = result.errors, result.warnings, result.files_checked
    errors, warnings = msgs.counted("unit.error", e), msgs.counted("unit.warning", w)
    if e:
        return msgs.word("check.summary_failed", errors=errors, warnings=warnings, n=n, bad=result.files_with_errors)
    if w:
        return msgs.word("check.summary_ok_warnings", n=n, warnings=warnings)
    return msgs.word("check.summary_ok", n=n)


def json_report(result: CheckResult, msgs: Locale, color: bool = False, show_warnings: bool = True) -> str:
    return json.dumps({
        "ok": result.errors == 0,
        "summary": {"errors": result.errors, "warnings": result.warnings, "files_checked": result.files_checked,
                    "files_total": result.files_total, "cached": result.cached},
        "problems": [p.as_dict() for p in result.problems
                     if show_warnings or p.severity is Severity.ERROR],
    }, ensure_ascii=False, indent=2)


def command_data(text: str) -> str:
    """The message of a workflow command, escaped as GitHub's toolkit escapes it: a line break or "%" in a
    customer value (or a file name) can never end the command and start one of its own (``::stop-commands::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A property of a workflow command (``file=…``), escaped as the toolkit does: also ":" and ","."""
    return command_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(result: CheckResult, msgs: Locale, color: bool = False, show_warnings: bool = True) -> str:
    lines = [f"::{p.severity} file={command_property(p.file)},line={p.line},col={p.col},"
             f"title={command_property(p.code)}::{command_data(p.message + ' — ' + p.hint)}"
             for p in result.problems if show_warnings or p.severity is Severity.ERROR]
    lines.append(terminal_text(summary(result, msgs), one_line=True))
    return "\n".join(lines)


REPORTERS: dict[str, Callable[..., str]] = {"text": text_report, "json": json_report, "github": github_report}
