"""How long `kehu import` takes for a large spreadsheet: ``python -m benchmarks.bench_import [ROWS] [--kind K]``.

``--kind fxiaoke`` (the default) builds a 纷享销客 customer export of about ROWS rows (default 10,000) with
tests/support/exports.py — the generator the import tests use: a merged title row and a group-header row,
万元 amounts written three ways, dates in every form, a 身份证号 column, placeholder contacts, owners who left,
typo duplicates, blank rows and a 合计 footer — and imports it with no mapping file and ``--owner``.

``--kind generic`` builds a customer workbook of ROWS rows the way teams' own sheets look —
Chinese headers, phones written four ways (138-0013-8000, +86 138 0013 8000,
13800138000.0, plain), dates as date cells, Excel serials, 2024/5/10 and 2024年5月10日,
a twentieth of the rows repeating an earlier customer under another legal suffix
(有限公司 / 集团) — imports it into an empty team repository with the real `kehu`
command, then imports it again (which must change nothing), and prints the figures.
The target is under 30 s for 10,000 rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import exports, synth  # the generated CRM exports; the synthetic book's names, phones, team
from tests.support.paths import SCHEMA_SRC

TODAY = synth.TODAY
HEADERS = ["客户名称", "所属行业", "客户类型", "负责人", "联系人", "职务", "联系电话", "邮箱", "客户来源", "企业规模",
           "所在地区", "最近跟进时间", "跟进方式", "跟进内容", "合作金额", "签约日期", "合同编号", "备注"]
STAGE_WORDS = ["潜在客户", "意向客户", "报价", "谈判中", "签约客户", "签约客户"]
SOURCE_WORDS = ["线上推广", "行业展会", "转介绍", "主动拜访", "官网", "电话咨询", "渠道推荐"]
SIZE_WORDS = ["50人以下", "50-200人", "200-500人", "500人以上", "120", "1000人以上"]
CHANNEL_WORDS = ["电话", "微信", "拜访", "邮件", "线上会议"]


def phone_cell(number: str, rng: random.Random) -> object:
    form = rng.randrange(4)
    if form == 0:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if form == 1:
        return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
    if form == 2:
        return float(number)  # what Excel stores for a number typed into a General cell
    return number


def date_cell(when: dt.date, rng: random.Random) -> object:
    form = rng.randrange(4)
    if form == 0:
        return dt.datetime.combine(when, dt.time())
    if form == 1:
        return (when - dt.date(1899, 12, 30)).days  # an Excel serial number
    if form == 2:
        return f"{when.year}/{when.month}/{when.day}"
    return f"{when.year}年{when.month}月{when.day}日"


def build_rows(n: int, seed: int = 7) -> list[list[object]]:
    rng = random.Random(seed)
    unique = n - n // 20
    k = synth.code_size(unique)
    rows = []
    base: list[list[object]] = []
    for i in range(unique):
        city = rng.choice(synth.CITIES)
        trade, industry = rng.choice(synth.TRADES)
        name = f"{city}{synth.brand(i, k)}{trade}{rng.choice(synth.SUFFIXES)}"
        person, _ = synth.person(rng)
        number = synth.phone(i, rng)
        last = TODAY - dt.timedelta(days=rng.randint(1, 400))
        won = rng.random() < 0.3
        row = [name, industry, rng.choice(STAGE_WORDS) if not won else "签约客户", rng.choice(synth.HANDLES[:4]),
               person, rng.choice(synth.TITLES), phone_cell(number, rng), f"c{i}@example.com",
               rng.choice(SOURCE_WORDS), rng.choice(SIZE_WORDS), synth.REGIONS[city], date_cell(last, rng),
               rng.choice(CHANNEL_WORDS),
               f"{rng.choice(synth.ACTS)}{rng.choice(synth.TOPICS)}，{rng.choice(synth.DETAILS)}",
               rng.randint(2, 50) * 10000 if won else None, date_cell(last, rng) if won else None,
               f"HT{i:07d}" if won else None, rng.choice(synth.NOTES)]
        base.append(row)
        rows.append(row)
    for j in range(n - unique):  # the same customer again: another suffix, the phone in another form
        original = base[(j * 37) % unique]
        again = list(original)
        again[0] = str(original[0]).replace("有限公司", "集团") if "有限公司" in str(original[0]) else original[0]
        again[6] = phone_cell(str(original[6]).replace("-", "").replace("+86 ", "").replace(" ", "")
                              .removesuffix(".0"), rng)
        again[13] = f"{rng.choice(synth.ACTS)}{rng.choice(synth.TOPICS)}，{rng.choice(synth.DETAILS)}"
        rows.append(again)
    rng.shuffle(rows)
    return rows


def write_workbook(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户信息表")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def make_repo(root: Path) -> None:
    (root / "customers").mkdir(parents=True)
    shutil.copytree(SCHEMA_SRC, root / "schema")
    shutil.copy(synth.DEFAULTS, root / "kehu.yaml")
    members = "\n".join(f"  - {{handle: {h}, name: {n}, role: {r}}}" for h, n, r in synth.TEAM)
    (root / "team.yaml").write_text(f"members:\n{members}\n", encoding="utf-8")


def make_export_repo(root: Path) -> None:
    """A team repository with the team the generated exports name (tests/support/exports.py)."""
    (root / "customers").mkdir(parents=True)
    shutil.copytree(SCHEMA_SRC, root / "schema")
    shutil.copy(synth.DEFAULTS, root / "kehu.yaml")
    (root / "team.yaml").write_text(exports.TEAM_YAML, encoding="utf-8")


def fxiaoke_export(tmp: Path, n: int) -> tuple[Path, Path, dt.date, tuple[str, ...], int, str]:
    """An empty team repository in ``tmp``/repo and a 纷享销客 export of about ``n`` rows to import into it:
    (repository, workbook, the day to import on, import's options, customer rows, what the workbook is)."""
    root = tmp / "repo"
    make_export_repo(root)
    # about 1.09 rows a company: a twelfth typed again, a blank row a page
    export = exports.fxiaoke(tmp, n=max(8, round(n / 1.09)), seed=11)
    rows = sum(len(c.rows) for c in export.companies)
    what = f"纷享销客 export: {rows} customer rows ({len(export.companies)} companies)"
    return root, export.files[0], exports.TODAY, ("--owner", exports.FALLBACK), rows, what


def run(root: Path, book: Path, today: dt.date, *extra: str, timeout: float = 3600) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, summary line) of ``kehu import``; subprocess.TimeoutExpired past ``timeout``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env["KEHU_TODAY"] = today.isoformat()
    start, cpu0 = time.perf_counter(), _child_cpu()
    proc = subprocess.run([sys.executable, "-m", "kehu.cli", "-C", str(root), "import", str(book), *extra],
                          capture_output=True, text=True, env=env, timeout=timeout)
    elapsed, cpu = time.perf_counter() - start, _child_cpu() - cpu0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kehu import failed ({proc.returncode}):\n{proc.stderr}")
    summary = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith(("导入结果", "Result"))), "")
    return elapsed, cpu, summary


def _child_cpu() -> float:
    """CPU seconds (user + system) of finished children: kehu and its writer processes."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_import")
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--kind", choices=("fxiaoke", "generic"), default="fxiaoke")
    args = parser.parse_args()
    n, kind = args.rows, args.kind
    with tempfile.TemporaryDirectory(prefix="kehu-bench-import-") as tmp:
        root = Path(tmp) / "repo"
        t0 = time.perf_counter()
        extra: tuple[str, ...] = ()
        if kind == "fxiaoke":
            root, book, today, extra, rows, what = fxiaoke_export(Path(tmp), n)
        else:
            make_repo(root)
            book, today = Path(tmp) / "customers.xlsx", TODAY
            write_workbook(book, build_rows(n))
            rows, what = n, f"workbook: {n} rows"
        print(f"{what}, {book.stat().st_size / 1e6:.1f} MB, built in {time.perf_counter() - t0:.1f} s")
        from kehu.io.sheetbounds import check_bounds

        t0 = time.perf_counter()
        check_bounds(book)  # what import does first: sizes, unpacked sizes, each sheet's farthest cell
        print(f"measuring the workbook before reading it: {(time.perf_counter() - t0) * 1000:.0f} ms")
        first, cpu, summary = run(root, book, today, *extra)
        files = len(list((root / "customers").glob("*.yaml")))
        print(f"first import:  {first:6.1f} s wall, {cpu:5.1f} s CPU ({rows / first:,.0f} rows/s), "
              f"{files} customer files  | {summary}")
        second, cpu, summary = run(root, book, today, *extra)
        print(f"second import: {second:6.1f} s wall, {cpu:5.1f} s CPU (must change nothing)  | {summary}")
        load = os.getloadavg()[0]
        print(f"cores: {os.cpu_count()}, load average {load:.1f} (other work on the machine slows the wall time); "
              f"target: {rows} rows in < 30 s -> {'met' if first < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
