"""The forms a salesperson fills on a phone: 记录跟进, 新客户, 投诉, 满意度 — as GitHub issue forms and GitLab issue
templates, the links that open them pre-filled, and the reading of a submitted issue back into field values.

One definition per form (:data:`FORMS`) serves every side: ``kehu forms`` / ``kehu init`` write the files from it
(dropdowns from the schema's vocabularies with the team's labels, labels from the schema's titles and the
catalogue), the site and the reminders make their links from it, and ``kehu intake`` reads the issue with it.
The field ids are the GitHub field ids, the URL parameters that pre-fill them and the keys the GitLab block
may use; what a person sees is always the label in the team's language. Reading accepts the labels of both
languages, so an issue opened before a team switched ``locale`` is still read.

The forge's address is ``site.repo_url`` in kehu.yaml, else MkDocs' own ``repo_url`` in mkdocs.yml; without one
there are no links (never a dead one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import yaml

from ..core.present import Presenter
from ..repo.repository import Repo
from ..words.catalogue import Locale

GITHUB_DIR = ".github/ISSUE_TEMPLATE"
GITLAB_DIR = ".gitlab/issue_templates"
MKDOCS_FILE = "mkdocs.yml"
MARKER = "kehu"                 # the first line of a GitLab block: `kehu: log`
NO_RESPONSE = "_No response_"   # what GitHub writes for a field left empty
INPUT_MAX = 200                 # characters of a one-line field (a name, a date, a handle)
TEXT_MAX = 2000                 # characters of a text field the checker sets no limit of its own for
SCORES = ("5", "4", "3", "2", "1")


@dataclass(frozen=True)
class Field:
    """One field of a form. ``label``: where its label comes from — ``schema:<def>.<property>`` (the schema's
    title, so a team's own wording shows), ``schema:<property>`` (a top-level field) or a catalogue key."""

    id: str
    kind: str                       # input | textarea | dropdown
    label: str
    required: bool = False
    vocab: str | None = None        # a dropdown of the schema's vocabulary …
    scores: bool = False            # … or of the scores 5 … 1
    about: str | None = None        # catalogue key of the help line under the label
    leave_out: tuple[str, ...] = ()  # vocabulary keys not offered (a new customer is never lost)

    @property
    def max_chars(self) -> int:
        return INPUT_MAX if self.kind == "input" else TEXT_MAX


@dataclass(frozen=True)
class Form:
    kind: str                       # log | new | complaint | survey
    fields: tuple[Field, ...]

    @property
    def file(self) -> str:
        return f"kehu-{self.kind}"

    @property
    def github_path(self) -> str:
        return f"{GITHUB_DIR}/{self.file}.yml"

    @property
    def gitlab_path(self) -> str:
        return f"{GITLAB_DIR}/{self.file}.md"

    @property
    def label(self) -> str:
        """The label the GitHub form puts on its issues (the workflow and `kehu intake` know a form by it)."""
        return self.file

    def field(self, fid: str) -> Field:
        return next(f for f in self.fields if f.id == fid)


_CUSTOMER = Field("customer", "input", "form.field.customer", True, about="form.about.customer")
_DATE = Field("date", "input", "form.field.date", about="form.about.date")
FORMS: tuple[Form, ...] = (
    Form("log", (
        _CUSTOMER,
        Field("channel", "dropdown", "schema:interaction.channel", True, vocab="channel"),
        Field("summary", "textarea", "schema:interaction.summary", True, about="form.about.summary"),
        Field("outcome", "textarea", "schema:interaction.outcome"),
        Field("contact", "input", "schema:interaction.contact"),
        Field("next_date", "input", "form.field.next_date", about="form.about.next_date"),
        Field("next_action", "input", "form.field.next_action"),
        _DATE,
        Field("by", "input", "schema:interaction.by", about="form.about.by"),
    )),
    Form("new", (
        Field("name", "input", "schema:name", True, about="form.about.name"),
        Field("industry", "dropdown", "schema:industry", True, vocab="industry"),
        Field("owner", "input", "schema:owner", about="form.about.owner"),
        Field("stage", "dropdown", "schema:stage", vocab="stage", leave_out=("lost",)),
        Field("source", "dropdown", "schema:source", vocab="source"),
        Field("size", "dropdown", "schema:size", vocab="size"),
        Field("region", "input", "schema:region"),
        Field("needs", "textarea", "schema:needs"),
        Field("contact_name", "input", "form.field.contact_name"),
        Field("title", "input", "schema:contact.title"),
        Field("phone", "input", "schema:contact.phone"),
        Field("email", "input", "schema:contact.email"),
    )),
    Form("complaint", (
        _CUSTOMER,
        Field("category", "dropdown", "schema:complaint.category", vocab="complaint_category"),
        Field("content", "textarea", "schema:complaint.content", True),
        Field("handler", "input", "schema:complaint.handler", about="form.about.handler"),
        _DATE,
    )),
    Form("survey", (
        _CUSTOMER,
        Field("quality", "dropdown", "schema:survey.quality", scores=True),
        Field("attitude", "dropdown", "schema:survey.attitude", scores=True),
        Field("response", "dropdown", "schema:survey.response", scores=True),
        Field("after_sales", "dropdown", "schema:survey.after_sales", scores=True),
        Field("comment", "textarea", "schema:survey.comment"),
        _DATE,
    )),
)
BY_KIND = {f.kind: f for f in FORMS}


# --- the words of a form, in one language ----------------------------------------------------------------


class FormWords:
    """Labels, help lines and dropdown options of the forms in one language, for one repository's schema."""

    def __init__(self, repo: Repo, lang: str | None = None) -> None:
        self.repo = repo
        self.words = Presenter(repo.schemas, lang or repo.msgs.code, repo.config, repo.team)
        self.msgs = Locale(lang or repo.msgs.code)

    def t(self, key: str, **args: object) -> str:
        return self.msgs.word(key, **args)

    def label(self, field: Field) -> str:
        if field.label.startswith("schema:"):
            path = field.label[len("schema:"):]
            within, _, name = path.rpartition(".")
            return self.words.field(name, within or None)
        return self.t(field.label)

    def title(self, form: Form) -> str:
        return self.t(f"form.{form.kind}.name")

    def about(self, form: Form) -> str:
        return self.t(f"form.{form.kind}.about")

    def options(self, field: Field) -> list[str]:
        """What the dropdown offers: each term's label in this language; ``key label`` for every term of a
        vocabulary where two terms share a label (industries: 'I65 软件和信息技术服务业')."""
        if field.scores:
            return list(SCORES)
        vocab = self.repo.schemas.vocabularies[str(field.vocab)]
        terms = [t for t in vocab.terms if t.key not in field.leave_out]
        labels = [t.label(self.words.locale) for t in terms]
        if len(set(labels)) < len(labels):
            return [f"{t.key} {label}" if label != t.key else t.key for t, label in zip(terms, labels, strict=True)]
        return labels


def option_key(repo: Repo, field: Field, text: str) -> str:
    """The vocabulary key an option stands for ('I65 软件和信息技术服务业' → I65); anything else is handed on as
    it was typed, for the command line's own reading (a label, a key, a synonym) or its refusal."""
    if field.vocab is None:
        return text
    vocab = repo.schemas.vocabularies[field.vocab]
    head, _, rest = text.strip().partition(" ")
    if head in vocab and rest.strip() and vocab.key_for_label(rest) == head:
        return head
    return text.strip()


# --- the files: GitHub issue forms and GitLab issue templates --------------------------------------------


def github_form(repo: Repo, form: Form) -> str:
    w = FormWords(repo)
    body: list[dict[str, object]] = [{"type": "markdown", "attributes": {"value": w.about(form)}}]
    for f in form.fields:
        attributes: dict[str, object] = {"label": w.label(f)}
        if f.about:
            attributes["description"] = w.t(f.about)
        if f.kind == "dropdown":
            attributes["options"] = w.options(f)
        item: dict[str, object] = {"type": f.kind, "id": f.id, "attributes": attributes}
        if f.required:
            item["validations"] = {"required": True}
        body.append(item)
    data = {"name": w.title(form), "description": w.about(form), "title": w.t("form.issue_title", form=w.title(form)),
            "labels": [form.label], "body": body}
    head = w.t("form.generated", command="kehu forms")
    return f"# {head}\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def gitlab_template(repo: Repo, form: Form, values: Mapping[str, str] | None = None,
                    words: FormWords | None = None) -> str:
    """The GitLab issue template: what to do, a fenced ``yaml`` block of ``label: value`` lines that
    ``kehu intake`` reads (``values`` pre-filled), and the choices of each dropdown below it."""
    w = words or FormWords(repo)
    values = values or {}
    lines = [f"<!-- {w.t('form.generated', command='kehu forms')} -->", "", w.about(form), "",
             w.t("form.gitlab_howto"), "", "```yaml", f"{MARKER}: {form.kind}"]
    for f in form.fields:
        value = " ".join(str(values.get(f.id, "")).split())
        lines.append(f"{w.label(f)}: {value}".rstrip())
    lines += ["```", ""]
    for f in form.fields:
        mark = w.t("form.required") if f.required else ""
        detail = [w.t(f.about)] if f.about else []
        if f.kind == "dropdown":
            detail.append(w.msgs.join(w.options(f)))
        text = f"**{w.label(f)}**{mark}"
        lines.append("- " + (w.msgs.colon(text, w.t("hint_sep").join(detail)) if detail else text))
    return "\n".join(lines) + "\n"


def form_files(repo: Repo) -> dict[str, bytes]:
    """Every form file `kehu forms` writes, by path in the repository."""
    out: dict[str, bytes] = {}
    for form in FORMS:
        out[form.github_path] = github_form(repo, form).encode("utf-8")
        out[form.gitlab_path] = gitlab_template(repo, form).encode("utf-8")
    return out


# --- where the forge is, and the links that open a form pre-filled ----------------------------------------

_REPO_URL_LINE = re.compile(r"^repo_url:[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|([^\s#'\"][^\s#]*))[ \t]*(?:#.*)?$", re.M)
_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%+@/-]*)?$")  # nothing to escape


def forge_address(repo: Repo) -> str | None:
    """The forge's web address of the team repository: kehu.yaml's ``site.repo_url``, else ``repo_url`` in
    mkdocs.yml. mkdocs.yml is not parsed (it may hold MkDocs' Python tags): its one top-level ``repo_url:``
    line is read as text. Only a plain http(s) address counts; anything else gives no address."""
    url = repo.config.site.repo_url
    if not url:
        path = repo.root / MKDOCS_FILE
        try:
            text = path.read_text(encoding="utf-8")[:1_000_000] if path.is_file() else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        found = _REPO_URL_LINE.search(text)
        url = next((g for g in found.groups() if g), None) if found else None
    url = (url or "").strip().rstrip("/")
    return url if _SAFE_URL.match(url) else None


def forge_kind(repo: Repo, url: str) -> str:
    """github or gitlab: ``site.forge`` in kehu.yaml when set, else the address's host (a self-managed GitLab
    on a host of its own: set ``site.forge: gitlab``)."""
    chosen = repo.config.site.forge
    if chosen in ("github", "gitlab"):
        return chosen
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return "github" if "github" in host else "gitlab"


class FormLinks:
    """Makes the links that open a form pre-filled on the team's forge."""

    def __init__(self, repo: Repo, base: str, forge: str) -> None:
        self.repo, self.base, self.forge = repo, base, forge
        self.words = FormWords(repo)

    @classmethod
    def of(cls, repo: Repo) -> FormLinks | None:
        """None without a forge address: no button, never a dead link."""
        base = forge_address(repo)
        return cls(repo, base, forge_kind(repo, base)) if base else None

    def link(self, kind: str, values: Mapping[str, str], subject: str = "") -> str:
        form = BY_KIND[kind]
        w = self.words
        title = w.t("form.issue_title", form=w.title(form)) + subject
        known = {k: " ".join(str(v).split()) for k, v in values.items() if v and any(f.id == k for f in form.fields)}
        if self.forge == "github":
            query = urlencode({"template": f"{form.file}.yml", "title": title, **known}, quote_via=quote)
            return f"{self.base}/issues/new?{query}"
        # GitLab appends issue[description] to the template issuable_template names: a short block of the known
        # values after the template's own (intake reads every block, the first value given for a field counts)
        block = "\n".join(["```yaml", f"{MARKER}: {form.kind}",
                           *(f"{w.label(f)}: {known[f.id]}" for f in form.fields if f.id in known), "```"])
        query = urlencode({"issuable_template": form.file, "issue[title]": title, "issue[description]": block},
                          quote_via=quote)
        return f"{self.base}/-/issues/new?{query}"

    def log(self, customer_id: str, by: str | None, name: str = "") -> str:
        """记录跟进 for one customer, by one member (their handle)."""
        return self.link("log", {"customer": customer_id, "by": by or ""}, name)


# --- reading a submitted issue ------------------------------------------------------------------------------


def _labels(repo: Repo, form: Form) -> dict[str, str]:
    """Every label a field of ``form`` may carry in either language, and its id, folded -> id."""
    out: dict[str, str] = {}
    for lang in ("zh-CN", "en"):
        w = FormWords(repo, lang)
        for f in form.fields:
            out[_fold(w.label(f))] = f.id
    for f in form.fields:
        out[_fold(f.id)] = f.id
    return out


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def read_github_body(repo: Repo, form: Form, body: str) -> dict[str, str]:
    """The field values of an issue made by the GitHub form: a ``### label`` heading, then the value, per field,
    in the form's order; ``_No response_`` is an empty field. A heading is looked for only after the previous
    field's, so a value that holds a later field's heading cannot take that field's place."""
    labels = _labels(repo, form)
    heads = [(m.start(), m.end(), labels.get(_fold(m.group(1)))) for m in re.finditer(r"^###[ \t]+(.+?)[ \t]*$",
                                                                                         body, re.M)]
    out: dict[str, str] = {}
    order = [f.id for f in form.fields]
    at, pos = 0, 0
    found: list[tuple[str, int, int]] = []
    for start, end, fid in heads:
        if fid is None or start < pos or fid not in order[at:]:
            continue
        at = order.index(fid) + 1
        found.append((fid, start, end))
        pos = end
    for i, (fid, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(body)
        value = body[end:stop].strip()
        out[fid] = "" if value == NO_RESPONSE else value
    return out


def gitlab_block(body: str) -> tuple[str, str] | None:
    """(form kind, the text of its blocks) of the fenced blocks that start with ``kehu: KIND`` — the template's
    own, and the one a pre-filled link appended — in the order they stand, the first line of each left out."""
    kind, texts = None, []
    for m in re.finditer(r"^[ \t]*```[ \t]*(?:ya?ml)?[ \t]*\n(.*?)^[ \t]*```[ \t]*$", body, re.M | re.S):
        lines = m.group(1).splitlines()
        while lines and not lines[0].strip():
            lines.pop(0)
        head = re.match(rf"^\s*{MARKER}\s*[:\uff1a]\s*([a-z]+)\s*$", lines[0]) if lines else None
        if head and head.group(1) in BY_KIND and kind in (None, head.group(1)):
            kind = head.group(1)
            texts.append("\n".join(lines[1:]))
    return (kind, "\n\n".join(texts)) if kind else None


def read_gitlab_block(repo: Repo, form: Form, text: str) -> dict[str, str]:
    """``label: value`` lines (a full-width colon too, as phones type it); a line that starts with no known label
    continues the value above it, so a summary may run over several lines. The first value given for a field
    counts (what the salesperson typed in the template's block, then what a link appended)."""
    labels = _labels(repo, form)
    out: dict[str, str] = {}
    current: str | None = None
    for line in text.splitlines():
        m = re.match(r"^\s*([^:\uff1a]{1,40}?)\s*[:\uff1a][ \t]?(.*)$", line)
        fid = labels.get(_fold(m.group(1))) if m else None
        if m and fid is not None:
            current = fid if not out.get(fid) else None
            if current is not None:
                out[fid] = m.group(2).strip()
        elif current is not None and line.strip():
            out[current] = (out[current] + "\n" + line.strip()).strip()
    return out


def kind_of_github_issue(repo: Repo, labels: Iterable[str], body: str) -> str | None:
    """Which form made the issue: its label, else the form whose every required field's heading is in the body
    (a label exists only once someone created it in the repository). GitHub writes every field of a form, the
    empty ones too."""
    for form in FORMS:
        if form.label in labels:
            return form.kind
    for form in FORMS:
        got = read_github_body(repo, form, body)
        if all(f.id in got for f in form.fields):
            return form.kind
    return None
