"""Company names: what identifies a company, and THE policy for "the same company typed differently".

A Chinese company name is built as 行政区划 + 字号 + 行业 + 组织形式 — region, trade name, industry,
legal form: 武汉 · 智联华信 · 餐饮管理 · 有限公司. Two companies in one city and trade often share
most characters (武汉智联华信餐饮管理 / 武汉安泰华信餐饮管理), so raw edit distance says nothing.
What people really do when they type the same customer twice is one slip:

=============  ==========================================
missing        a character left out (上海启明科技 / 上海启科技)
doubled        a character typed twice (启明明)
swapped        two neighbours swapped (启明 / 明启)
homophone      the pinyin input method's wrong candidate (启明 / 启鸣)
traditional    the traditional form (華信 / 华信)
lookalike      a character that looks the same (己 / 已, 技 / 枝)
spacing        a stray space or punctuation mark
legal-form     a broken legal suffix (有限公 / 有限司 / 有线公司 / 股技有限公司)
=============  ==========================================

A company is also often written once in Chinese and once in English (上海启明科技有限公司 / Shanghai Qiming
Technology Co., Ltd.; 华信 / Huaxin): ``translation`` pairs a Chinese name with a Latin-script one whose words,
without legal form and industry words (data/industries_en.txt), are the pinyin of its trade name, in the
same city (or neither naming one). Such pairs are flagged as possible duplicates, never merged by themselves.

:func:`typo_kind` says which of these turns one name into the other, or None; any other
difference — another trade name, another city, another industry — is another company.
Latin-script names (Acme Trading Ltd) keep the plain edit-distance rule (``near_duplicate_distance``).
The checker (``rules.near_duplicates``), ``kehu new`` and ``kehu dedupe`` all ask this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, cast

from ..words.input_words import chars, section

FEW = 50  # selected names compared one by one with every name (more: through one-deletion buckets)
TYPO_KINDS = ("missing", "doubled", "swapped", "homophone", "traditional", "lookalike", "spacing", "legal-form",
              "edit", "translation")

_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class _Parts:
    """The parts of a company name kehu knows (company_names: in data/input_words.yaml), built once.

    A name's region prefix is a place of data/regions.txt (provinces and the cities a sales team meets
    most), optionally with a region ending (省 / 市 / 自治区 …, nested: 广东省深圳市); its industry words are
    those of data/industries.txt."""

    separators: re.Pattern[str]      # spaces and punctuation between the parts of a name
    brackets: re.Pattern[str]        # any bracket
    region_in_brackets: re.Pattern[str]
    region_endings: tuple[str, ...]  # tried in this order
    legal_forms: tuple[str, ...]     # always recognised, besides check.company_suffixes
    slipped: frozenset[str]          # in the default suffixes, but a slip of a legal form
    legal_form_last: tuple[str, ...]  # how a slipped legal form can end


@lru_cache(maxsize=1)
def _parts() -> _Parts:
    words = section("company_names")
    opening, closing = chars(words["brackets"]["open"]), chars(words["brackets"]["close"])
    slipped = frozenset(words["slipped_legal_forms"])
    return _Parts(re.compile(rf"[\s{chars(words['separators'])}]+"), re.compile(f"[{opening}{closing}]"),
                  re.compile(f"[{opening}]([^{opening}{closing}]{{1,12}})[{closing}]"),
                  tuple(words["region_endings"]), tuple(words["legal_forms"]), slipped,
                  tuple(words["legal_form_last"]))


@dataclass(frozen=True, slots=True)
class NameKey:
    """What identifies a company in its name: the comparable core and how it was written."""

    core: str             # region + trade name + industry: simplified, no spaces or punctuation, no legal form
    region: str           # the region prefix as a place name (上海市 -> 上海), '' when none
    trade: str            # the trade name (字号) as far as it can be told apart
    form_broken: bool     # the legal suffix is a slip of a known one (有限公, 有线公司)
    traditional: bool     # written with traditional characters
    latin: bool           # no Han character: compared by edit distance
    words: str = ""       # a Latin name's words without legal form and industry words ("shanghai qiming")

    def as_list(self) -> list[Any]:
        return [self.core, self.region, self.trade, self.form_broken, self.traditional, self.latin, self.words]

    @classmethod
    def from_list(cls, v: list[Any]) -> NameKey:
        return cls(str(v[0]), str(v[1]), str(v[2]), bool(v[3]), bool(v[4]), bool(v[5]),
                   str(v[6]) if len(v) > 6 else "")


@lru_cache(maxsize=1)
def _t2s() -> Any:  # opencc.OpenCC, whose methods are not annotated
    import opencc  # imported on first use: only names with a candidate partner pay for it

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters in their simplified form (OpenCC's t2s table)."""
    if text.isascii():
        return text
    converted: str = _t2s().convert(text)
    return converted


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, int]:
    """Character -> its group of look-alike characters (data/lookalike.txt, one group a line)."""
    groups: dict[str, int] = {}
    text = resources.files("kehu").joinpath("data/lookalike.txt").read_text(encoding="utf-8")
    for n, line in enumerate(text.splitlines()):
        line = line.split("#", 1)[0].strip()
        for ch in line.replace(" ", ""):
            groups.setdefault(ch, n)
    return groups


def lookalike(a: str, b: str) -> bool:
    groups = _lookalikes()
    return a in groups and groups.get(b) == groups[a]


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, str]:
    """pypinyin's character table (code point -> readings with tones), read without importing pypinyin:
    its package loads the phrase dictionary, most of a second, which a character comparison never needs."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("pypinyin")
    table = Path(next(iter(spec.submodule_search_locations or []), "")) / "pinyin_dict.json" if spec else None
    if table is not None and table.is_file():
        readings: dict[str, str] = json.loads(table.read_text(encoding="utf-8"))
        return readings
    from pypinyin.pinyin_dict import pinyin_dict  # another layout: the module itself

    return {str(k): v for k, v in pinyin_dict.items()}


@lru_cache(maxsize=65536)
def _readings(ch: str) -> frozenset[str]:
    raw = _pinyin_table().get(str(ord(ch)))
    if not raw:
        return frozenset()
    # the reading the input method offers first: rare readings (达 as tà) would make most characters homophones
    first = unicodedata.normalize("NFD", raw.split(",")[0])
    toneless = "".join(c for c in first if not unicodedata.combining(c) or c == "\u0308")  # keep ü apart from u
    return frozenset({unicodedata.normalize("NFC", toneless)})


def homophone(a: str, b: str) -> bool:
    """Two Han characters one pinyin syllable can type (tones ignored, as the input method ignores them)."""
    return bool(_HAN.match(a) and _HAN.match(b) and _readings(a) & _readings(b))


@lru_cache(maxsize=16)
def _forms(suffixes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the legal forms in the names' normal form, longest first; the Han ones of at least 3 characters)."""
    parts = _parts()
    separators = parts.separators
    folded = sorted({separators.sub("", unicodedata.normalize("NFKC", s).casefold())
                     for s in (*suffixes, *parts.legal_forms)}, key=len, reverse=True)
    han = [s for s in folded if s and _HAN.match(s[0]) and len(s) >= 3 and s not in parts.slipped]
    return [s for s in folded if s], han


def _strip_form(text: str, suffixes: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` without its legal form(s), and whether the last one was broken (a one-character slip)."""
    forms, han = _forms(suffixes)
    exact = next((s for s in forms if text.endswith(s) and len(text) > len(s)), None)
    if exact is None or len(exact) < 3:  # 公司 or nothing: first see whether it is a slip in a longer form
        cut = _broken_tail(text, han)
        if cut:
            return _strip_form(text[:-cut], suffixes)[0], True
    if exact is None:
        return text, False
    cut = _slip_before(text, exact, han)
    if cut:
        return _strip_form(text[:-cut], suffixes)[0], True
    rest, broken = _strip_form(text[: -len(exact)], suffixes)
    # 有限公 is in the default list so that it counts as an exact duplicate, but it is a slip
    return rest, broken or exact in _parts().slipped


def _broken_tail(text: str, han: list[str]) -> int:
    """How many closing characters of ``text`` are a slip of a legal form (有限司, 有线公司, 有限), else 0."""
    from rapidfuzz.distance import OSA

    last = _parts().legal_form_last
    for s in han:
        for cut in (len(s) - 1, len(s), len(s) + 1):
            tail = text[-cut:]
            if cut < len(text) - 1 and tail != s and tail.endswith(last) \
                    and OSA.distance(tail, s, score_cutoff=1) <= 1:
                return cut
    for s in han:  # cut short: 有限, 股份有限
        for cut in range(2, len(s)):
            if text.endswith(s[:cut]) and len(text) > cut + 1 and s[:cut] not in _industries()[0]:
                return cut
    return 0


def _slip_before(text: str, exact: str, han: list[str]) -> int:
    """How many closing characters of ``text`` are a slip of a longer legal form that ends in the form ``exact``
    it ends in (股技有限公司 for 股份有限公司: 有限公司 is written right, 股份 is not), else 0. A trade name must
    remain (four characters: a city and a name), so that a name ending in such a character keeps it."""
    from rapidfuzz.distance import OSA

    for s in han:
        if len(s) <= len(exact) or not s.endswith(exact):
            continue
        for cut in (len(s), len(s) - 1, len(s) + 1):
            tail = text[-cut:]
            if len(text) - cut >= 4 and tail != s and OSA.distance(tail, s, score_cutoff=1) <= 1:
                return cut
    return 0


def _words(file: str) -> list[str]:
    text = resources.files("kehu").joinpath(f"data/{file}").read_text(encoding="utf-8")
    return [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]


@lru_cache(maxsize=1)
def _industries() -> tuple[frozenset[str], dict[str, list[str]]]:
    """The industry words, and by their last character (longest first): one dict look-up per step."""
    words = frozenset(_words("industries.txt"))
    by_last: dict[str, list[str]] = {}
    for w in sorted(words, key=len, reverse=True):
        by_last.setdefault(w[-1], []).append(w)
    return words, by_last


@lru_cache(maxsize=1)
def _regions() -> dict[str, list[str]]:
    """The place names by their first character, longest first."""
    by_first: dict[str, list[str]] = {}
    for place in sorted(set(_words("regions.txt")), key=len, reverse=True):
        by_first.setdefault(place[0], []).append(place)
    return by_first


def _region_prefix(text: str) -> tuple[str, str]:
    """(region, rest): the most specific of the place names at the start of ``text`` (广东省深圳市 -> 深圳)."""
    region, endings = "", _parts().region_endings
    while True:
        for place in _regions().get(text[:1], ()):
            if text.startswith(place) and len(text) > len(place) + 1:
                rest = text[len(place):]
                for tail in endings:
                    if rest.startswith(tail) and len(rest) > len(tail) + 1:
                        rest = rest[len(tail):]
                        break
                region, text = place, rest
                break
        else:
            return region, text


def name_key(name: str, suffixes: Iterable[str]) -> NameKey:
    """The :class:`NameKey` of a company name (``suffixes``: check.company_suffixes of kehu.yaml)."""
    return _name_key(str(name), tuple(suffixes))


@lru_cache(maxsize=1 << 16)  # an import asks for each row's name several times (its keys, its merges, its report)
def _name_key(name: str, suffixes: tuple[str, ...]) -> NameKey:
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    parts = _parts()
    if not _HAN.search(text):
        spaced = parts.brackets.sub(" ", text)
        core = _strip_form(parts.separators.sub("", spaced), tuple(suffixes))[0]
        return NameKey(core, "", core, False, False, True, _latin_words(spaced, tuple(suffixes)))
    simple = simplified(text)
    traditional = simple != text
    region = ""
    inner = parts.region_in_brackets.search(simple)  # 启明（上海）科技: the region in brackets after the trade name
    if inner and _region_prefix(inner.group(1) + "xx")[0]:
        region = _region_prefix(inner.group(1) + "xx")[0]
        simple = simple[: inner.start()] + simple[inner.end():]
    flat = parts.separators.sub("", parts.brackets.sub("", simple))
    flat, broken = _strip_form(flat, tuple(suffixes))
    prefix, rest = _region_prefix(flat)
    region = prefix + region
    trade = rest
    changed = True
    while changed:
        changed = False
        for word in _industries()[1].get(trade[-1:], ()):
            if trade.endswith(word) and len(trade) - len(word) >= 2:
                trade, changed = trade[: -len(word)], True
                break
    return NameKey(region + rest, region, trade, broken, traditional, False)


def writing_flaws(name: str, suffixes: Iterable[str]) -> int:
    """How badly a company name is written, 0 for a clean one: a broken legal form (有限公, 股技有限公司), a space or
    punctuation mark inside a Chinese name (杭州泰和网络科技有限公 司), traditional characters. When rows name one
    company several ways, import keeps the best-written name."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    if not _HAN.search(text):
        return 0
    key = name_key(text, suffixes)
    inner = re.search(r"[\u3400-\u9fff][\s\u3000]+[\u3400-\u9fff]", text)
    return 2 * key.form_broken + bool(inner) + key.traditional


# --- Chinese and English names of one company ---------------------------------------------------------


@lru_cache(maxsize=1)
def _latin_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(legal-form words, industry words) of Latin-script company names: the words of the legal forms
    (company_names.latin_legal_words in input_words.yaml) and data/industries_en.txt."""
    legal = frozenset(w.casefold() for w in section("company_names")["latin_legal_words"])
    return legal, frozenset(w.casefold() for w in _words("industries_en.txt"))


def _latin_words(text: str, suffixes: tuple[str, ...]) -> str:
    """The words of a Latin-script name that can be a transliteration: without legal-form words (also those
    of ``suffixes``) and industry words ("Shanghai Qiming Technology Co., Ltd." -> "shanghai qiming")."""
    legal, industry = _latin_vocabulary()
    suffix_words = {w for s in suffixes if s.isascii() for w in re.findall(r"[a-z0-9]+", s.casefold())}
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(w for w in words if w not in legal and w not in suffix_words and w not in industry)


def _sound(text: str) -> str:
    """The pinyin a Chinese name is spelled with in English, phrase-aware (启明 -> qiming, 长安 -> changan, 重庆 ->
    chongqing); digits and letters as they are."""
    from ..words.pinyin import syllables

    return "".join(syllables(text))


def _translation(han: NameKey, latin: NameKey, min_length: int) -> bool:
    """A Chinese name and a Latin one of the same company: the Latin words hold the pinyin of the trade name, and
    whatever else they hold is the Chinese name's city (or nothing, when it names none)."""
    sound = _sound(han.trade)
    words = latin.words.split()
    if len(sound) < min_length or not words:
        return False
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 4) + 1):
            if "".join(words[i:j]) == sound:
                rest = "".join(words[:i] + words[j:])
                return rest == (_sound(han.region) if han.region else "")
    return False


def typo_kind(a: NameKey, b: NameKey, latin_distance: int = 2, min_length: int = 4) -> str | None:
    """Which one slip turns name ``a`` into name ``b`` (a kind from TYPO_KINDS), or None: another company."""
    if a.latin != b.latin:
        if latin_distance <= 0:
            return None
        han, latin = (b, a) if a.latin else (a, b)
        return "translation" if _translation(han, latin, min_length) else None
    if a.latin or b.latin:
        if min(len(a.core), len(b.core)) < min_length or latin_distance <= 0:
            return None
        from rapidfuzz.distance import Levenshtein

        if a.core == b.core:
            return "spacing"
        return "edit" if Levenshtein.distance(a.core, b.core, score_cutoff=latin_distance) <= latin_distance else None
    x, y = a.core, b.core
    if max(len(x), len(y)) < min_length or min(len(x), len(y)) < 2 or latin_distance <= 0:
        return None
    if x == y:
        if a.form_broken != b.form_broken:
            return "legal-form"
        if a.traditional != b.traditional:
            return "traditional"
        return "spacing"
    if a.region != b.region or abs(len(x) - len(y)) > 1:
        return None  # another city (or one without a city) is another company, or a branch of it
    if len(x) != len(y):
        short, long_ = (x, y) if len(x) < len(y) else (y, x)
        i = 0
        while i < len(short) and short[i] == long_[i]:
            i += 1
        if long_[i + 1:] != short[i:]:
            return None
        extra = long_[i]
        return "doubled" if (i > 0 and long_[i - 1] == extra) or (i + 1 < len(long_) and long_[i + 1] == extra) \
            else "missing"
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]:
        return "swapped"
    if len(diff) != 1:
        return None
    p, q = x[diff[0]], y[diff[0]]
    if lookalike(p, q):
        return "lookalike"
    if homophone(p, q):
        return "homophone"
    return None


def _deletions(core: str) -> set[str]:
    return {core} | {core[:i] + core[i + 1:] for i in range(len(core))}


def similar_pairs(keys: list[NameKey | None], selected: Iterable[int] | None = None, latin_distance: int = 2,
                  min_length: int = 4) -> list[tuple[int, int, str]]:
    """Index pairs (i < j, with i or j in ``selected``; all when None) of names :func:`typo_kind` calls the
    same company, with the kind.

    Every kind is at most one deletion on each side (a substitution or a swap deletes to the same
    string, a missing or doubled character is one deletion of the longer name), so names that share a
    one-deletion variant are all the candidates there can be; Latin names are compared by edit
    distance through rapidfuzz."""
    out: dict[tuple[int, int], str] = {}
    chosen = None if selected is None else set(selected)
    if chosen is not None and len(chosen) <= FEW:
        # a few names (a pre-commit run on one file): each against every name is cheaper than bucketing all;
        # typo_kind rejects another city or length at once
        for i in sorted(chosen):
            a = keys[i]
            if a is None or not a.core:
                continue
            for j, b in enumerate(keys):
                if j != i and b is not None and b.core and (b.latin or abs(len(b.core) - len(a.core)) <= 1
                                                             or a.latin):  # Latin: by distance or translation
                    kind = typo_kind(a, b, latin_distance, min_length)
                    if kind:
                        out[(min(i, j), max(i, j))] = kind
        return sorted((i, j, kind) for (i, j), kind in out.items())
    buckets: defaultdict[str, list[int]] = defaultdict(list)
    latin: list[int] = []
    for i, k in enumerate(keys):
        if k is None or not k.core:
            continue
        if k.latin:
            latin.append(i)
            continue
        for v in _deletions(k.core):
            buckets[v].append(i)
    named = cast("list[NameKey]", keys)  # read below only at the indexes of buckets and latin: a key is there
    for members in buckets.values():
        if len(members) < 2:
            continue
        if chosen is not None and not chosen.intersection(members):
            continue
        for n, i in enumerate(members):
            for j in members[n + 1:]:
                if i == j or (i, j) in out or (chosen is not None and i not in chosen and j not in chosen):
                    continue
                kind = typo_kind(named[i], named[j], latin_distance, min_length)
                if kind:
                    out[(min(i, j), max(i, j))] = kind
    if len(latin) > 1 and latin_distance > 0:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        cores = [named[i].core for i in latin]
        for n, i in enumerate(latin):
            if chosen is not None and i not in chosen:
                continue
            for _, _, m in process.extract(cores[n], cores, scorer=Levenshtein.distance, score_cutoff=latin_distance,
                                           limit=None):
                j = latin[m]
                if i != j:
                    kind = typo_kind(named[i], named[j], latin_distance, min_length)
                    if kind:
                        out[(min(i, j), max(i, j))] = kind
    if latin and len(latin) < len(keys) and latin_distance > 0:
        _translations(keys, latin, chosen, latin_distance, min_length, out)
    return sorted((i, j, kind) for (i, j), kind in out.items())


def _translations(keys: list[NameKey | None], latin: list[int], chosen: set[int] | None, latin_distance: int,
                  min_length: int, out: dict[tuple[int, int], str]) -> None:
    """Chinese names whose trade name's pinyin is a run of one to three words of a Latin name: the candidates of
    ``translation`` pairs, one look-up per Chinese name (pinyin is made only when a book has both kinds)."""
    runs: defaultdict[str, list[int]] = defaultdict(list)
    for i in latin:
        words = cast("NameKey", keys[i]).words.split()
        for x in range(len(words)):
            for y in range(x + 1, min(len(words), x + 3) + 1):
                runs["".join(words[x:y])].append(i)
    if not runs:
        return
    for j, k in enumerate(keys):
        if k is None or k.latin or not k.trade:
            continue
        for i in runs.get(_sound(k.trade), ()):
            if chosen is not None and i not in chosen and j not in chosen:
                continue
            kind = typo_kind(k, cast("NameKey", keys[i]), latin_distance, min_length)
            if kind:
                out[(min(i, j), max(i, j))] = kind
