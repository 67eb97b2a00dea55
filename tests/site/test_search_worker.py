"""kehu's search worker (site_templates/static/assets/kehu/search-worker.js) run by Node on the index kehu writes:
a large book's index, whose crowded starts of terms are split over more shards (the ids, the pinyin of names:
``kehu.site.search.split_routes``), answers every query as the same book's index in one shard does, while no
shard is much larger than asked. The browser tests (test_site_browser.py) run the same worker in Chromium."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from kehu.site.search import build_index, make_entry, segmenter
from kehu.words.pinyin import syllables

from tests.support.paths import PROJECT

WORKER = PROJECT / "site_templates" / "static" / "assets" / "kehu" / "search-worker.js"
NODE = shutil.which("node") or shutil.which("nodejs")

HARNESS = r"""
const fs = require("fs"), path = require("path"), vm = require("vm");
const [dir, worker] = process.argv.slice(-2);
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
let handler = null, waiting = null, loaded = [];
const ctx = {
  self: { location: { href: "http://127.0.0.1/assets/javascripts/workers/search.js" },
          addEventListener: (type, f) => { handler = f; } },
  fetch: (url) => {
    const name = url.split("/search/kehu/")[1];
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return Promise.resolve({ ok: false });
    const text = fs.readFileSync(file, "utf8");
    loaded.push([name, Buffer.byteLength(text)]);
    return Promise.resolve({ ok: true, json: () => Promise.resolve(JSON.parse(text)) });
  },
  postMessage: (m) => { const w = waiting; waiting = null; if (w) w(m); },
  URL, Promise, Map, Set, Math, Object, String, Array, JSON, Buffer,
};
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(worker, "utf8"), ctx);
function ask(message) { return new Promise((resolve) => { waiting = resolve; handler({ data: message }); }); }
(async () => {
  await ask({ type: 0, data: { docs: [] } });
  const answers = [];
  for (const q of queries) {
    loaded = [];
    vm.runInContext("files = {};", ctx);  // each query as the first: what it alone loads
    const m = await ask({ type: 2, data: q });
    answers.push({ locations: m.data.items.map((i) => i[0].location), loaded: loaded });
  }
  process.stdout.write(JSON.stringify(answers));
})();
"""

TRADES = ["科技", "贸易", "环保", "生物医药", "信息技术", "新能源", "食品", "机械", "电子", "商务咨询"]
CITIES = ["上海", "北京", "杭州", "长沙", "重庆", "苏州", "南京", "厦门", "大连", "西安"]
BRANDS = ["启明", "星河", "智联", "安泰", "恒生", "宏华", "祥天", "云帆", "北辰", "鑫源", "新航", "信达"]
FORMS = ["有限公司", "股份有限公司", "集团有限公司"]
WORDS = ["对接", "报价", "演示", "续约", "回款", "验收", "招标", "试用", "培训", "接口"]


def book(n: int, seed: int = 7) -> list:
    rnd = random.Random(seed)
    split = segmenter("rjieba")
    entries = []
    for i in range(n):
        name = rnd.choice(CITIES) + rnd.choice(BRANDS) + rnd.choice(BRANDS) + rnd.choice(TRADES) + rnd.choice(FORMS)
        cid = f"C20{19 + i % 6}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        text = [" ".join(rnd.sample(WORDS, 3)), f"联系人{rnd.choice(BRANDS)}"]
        phone = f"138****{rnd.randint(0, 9999):04d}"
        entries.append(make_entry(f"customers/{cid}/", name, text, split, [phone], key=cid))
    return entries


def queries(entries: list) -> list[str]:
    asked = ["启", "明", "公", "有限", "启明", "星河智联", "科技有限", "对接", "接", "报价 演示",
             "xi", "xin", "xiang", "shanghai", "sh", "shqm", "qiming", "zl", "gongsi", "c2", "c20", "c2019",
             "c202201", "1234", "8888", "没有的词", "zzz"]
    for e in entries[::37]:
        sy = syllables(e.title)
        asked += [e.title, e.title[2:6], "".join(sy[1:3]), "".join(s[0] for s in sy[:3]), e.location.split("/")[1]]
    return asked


def run_worker(files: dict[str, bytes], folder: Path, asked: list[str]) -> list[dict]:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    done = subprocess.run([NODE or "node", "-e", HARNESS, "--", str(folder), str(WORKER)], input=json.dumps(asked),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="Node.js runs the worker outside a browser; the browser tests run it too")
def test_a_split_index_answers_as_one_shard_does(tmp_path: Path) -> None:
    entries = book(1200)
    asked = queries(entries)
    whole = build_index(entries, phone_tail=4, shard_bytes=10**12)
    split = build_index(entries, phone_tail=4, shard_bytes=3000)
    whole_manifest, split_manifest = json.loads(whole["manifest.json"]), json.loads(split["manifest.json"])
    assert whole_manifest["shards"] == 1 and "deep" not in whole_manifest
    deep = split_manifest["deep"]
    # the ids' start (all ids begin "c20"), and a crowded start of pinyin
    assert deep["c2"] == "0" and "c20" in deep and any(k.startswith("x") for k in deep)

    one = run_worker(whole, tmp_path / "whole", asked)
    many = run_worker(split, tmp_path / "split", asked)
    assert [a["locations"] for a in many] == [a["locations"] for a in one]
    assert sum(1 for a in one if a["locations"]) > len(asked) * 3 // 4  # the queries find things
    assert [a["locations"][:1] for a in many[-5 * (len(entries[::37])):][4::5]] == \
        [[e.location] for e in entries[::37]]  # an id finds its customer first

    for query in ("启", "公", "xi", "sh", "c2", "c20"):  # as short as a split start: still one shard
        loaded = many[asked.index(query)]["loaded"]
        assert len([name for name, _ in loaded if name.startswith("t")]) == 1, (query, loaded)

    shards = {n: len(d) for n, d in split.items() if n.startswith("t")}
    assert max(shards.values()) < 3 * 3000  # no crowded shard: the limit, give or take a term's postings
    whole_largest = max(len(d) for n, d in whole.items() if n.startswith("t"))
    assert max(shards.values()) < whole_largest / 20


def test_a_start_is_split_only_when_crowded() -> None:
    entries = book(60)
    small = json.loads(build_index(entries, phone_tail=4)["manifest.json"])
    assert "deep" not in small  # a small book's index is as before: one shard a leading character
