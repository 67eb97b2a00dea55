"""Time ``kehu merge-driver`` on customers with long timelines (it must be linear in list length).

    python -m benchmarks.bench_merge                    # 2,500 and 20,000 interactions added per side
    python -m benchmarks.bench_merge --sizes 1000,5000,20000

For each N: a customer with 200 interactions (the base), ours adds N calls, theirs adds N other
calls (the same days, other colleagues, realistic summaries), and the real command merges them as
git runs it (``kehu merge-driver %O %A %B``), with ``check.max_file_bytes`` raised so the size limit
does not cut the run short. Printed: the wall time, the size of the result, and that every entry of
both sides is in it. Nothing asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOPICS = ["沟通Q{q}续约需求，客户对价格有疑问", "上门演示审批流，客户关注与SAP对接", "发送报价单，客户确认下周回复",
          "电话确认交付时间，客户要求提前一周", "微信沟通合同条款，法务提出两处修改",
          "回访售后问题，客户对响应速度满意"]
PEOPLE = ["lixia", "wangfang", "zhaolei", "chenjing", "liuyang"]


def calls(n: int, seed: int, start: dt.date) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        day = start + dt.timedelta(days=i // 6)
        topic = rnd.choice(TOPICS).format(q=1 + (i // 90) % 4)
        out.append(f"  - date: {day.isoformat()}\n    channel: {rnd.choice(['call', 'visit', 'email', 'wechat'])}\n"
                   f"    by: {rnd.choice(PEOPLE)}\n    summary: {topic}（第{seed}-{i}次）\n")
    return out


def customer(entries: list[str]) -> str:
    return ("id: C20200101001\nname: 上海启明科技有限公司\nindustry: I65\nstage: won\nowner: lixia\n"
            "created: 2020-01-01\ninteractions:\n" + "".join(entries))


def run_one(n: int) -> None:
    base = calls(200, 0, dt.date(2020, 1, 2))
    ours = calls(n, 1, dt.date(2020, 3, 1))
    theirs = calls(n, 2, dt.date(2020, 3, 1))
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "customers").mkdir()
        (repo / "kehu.yaml").write_text("check:\n  max_file_bytes: 1000000000\n", encoding="utf-8")
        (repo / "team.yaml").write_text("members:\n" + "".join(
            f"  - {{handle: {h}, name: {h}, role: sales}}\n" for h in PEOPLE), encoding="utf-8")
        files = {}
        for name, entries in (("O", base), ("A", base + ours), ("B", base + theirs)):
            files[name] = repo / f".merge_file_{name}"
            files[name].write_text(customer(entries), encoding="utf-8")
        env = {**os.environ, "KEHU_TODAY": "2030-01-01"}
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "kehu.cli", "merge-driver", str(files["O"]), str(files["A"]),
                              str(files["B"]), "customers/C20200101001.yaml"], cwd=repo, env=env,
                             capture_output=True, text=True)
        took = time.perf_counter() - start
        result = files["A"].read_text(encoding="utf-8")
        kept = result.count("  - date: ")
        status = "clean" if run.returncode == 0 else f"exit {run.returncode}: {run.stderr.strip()[:200]}"
        print(f"{n:>7,} added per side  {took:7.2f} s  {len(result.encode()) / 1e6:6.1f} MB  "
              f"{kept:,} interactions kept (expected {200 + 2 * n:,})  {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2500,20000")
    args = parser.parse_args()
    print(f"kehu merge-driver, load average {os.getloadavg()[0]:.1f}")
    for n in (int(x) for x in args.sizes.split(",")):
        run_one(n)


if __name__ == "__main__":
    main()
