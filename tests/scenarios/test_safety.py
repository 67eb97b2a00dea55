"""Hostile and careless input (issue 10): nothing deleted, nothing executed, nothing leaked, never a
traceback. Each case has the reported example and at least one sibling of its class; every refused write
leaves every file byte-identical."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.support.commands import assert_refused, kehu, team_repo
from tests.support.customers import other_customer


def assert_rejected(result, *expected: str) -> None:
    """Exit 2 with a one-line error (and at most a hint line) that says ``expected``; never a traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith(("kehu: 错误：", "kehu: error: ")), result.stderr
    assert len(lines) == 1 or lines[1].startswith("    → "), result.stderr
    for text in expected:
        assert text in result.stderr, (text, result.stderr)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (links as their target text), to compare before and after a refusal."""
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if (".git" in path.parts and path.name in ("index", "kehu-cache-key")) or ".kehu-cache" in path.parts:
            continue  # git's index and kehu's own cache (and its key) are not the team's files
        if path.is_symlink():
            out[path.relative_to(root).as_posix()] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


@pytest.fixture
def repo(make_repo):
    return team_repo(make_repo, others=[other_customer()])


@pytest.fixture
def outside(tmp_path):
    """Another team's repository next to ours, with a customer file an argument could reach."""
    other = tmp_path / "elsewhere" / "customers"
    other.mkdir(parents=True)
    victim = other / "C20240501001.yaml"
    victim.write_text("id: C20240501001\nname: 别人的客户\n", encoding="utf-8")
    return victim


# --- customer arguments are confined to customers/ ----------------------------------------------

@pytest.mark.parametrize("how", ["relative", "absolute", "dotdot-id"])
def test_merge_set_log_refuse_a_customer_outside_the_repository(repo, outside, how):
    arg = {"relative": os.path.relpath(outside, repo.root), "absolute": str(outside),
           "dotdot-id": os.path.relpath(outside.with_suffix(""), repo.customers)}[how]
    before, theirs = snapshot(repo.root), outside.read_bytes()
    for args in (("merge", "C20240501001", arg), ("set", arg, "stage", "won"),
                 ("log", arg, "--by", "lixia", "--channel", "call", "--summary", "沟通续约方案，客户要求下周报价")):
        result = kehu(repo, *args)
        assert_refused(result)
        assert outside.read_bytes() == theirs
        assert snapshot(repo.root) == before


def test_a_link_in_customers_is_not_a_customer_for_any_command(repo, outside):
    link = repo.customers / "C20240509001.yaml"
    link.symlink_to(outside)
    before = snapshot(repo.root)
    assert_refused(kehu(repo, "set", "C20240509001", "stage", "won"))
    assert_refused(kehu(repo, "show", "customers/C20240509001.yaml"))
    fmt = kehu(repo, "fmt", str(link))
    assert fmt.exit_code == 2 and "Traceback" not in fmt.stderr
    assert snapshot(repo.root) == before and outside.read_text(encoding="utf-8").startswith("id:")


def test_check_reports_links_folders_and_fifos_without_reading_them(repo, outside):
    (repo.customers / "C20240509001.yaml").symlink_to(outside)
    (repo.customers / "C20240509002.yaml").mkdir()
    os.mkfifo(repo.customers / "C20240509003.yaml")  # reading it would hang
    run = repo.check_json()
    assert run.returncode == 1
    odd = {p["file"] for p in run.problems if p["code"] == "not-regular-file"}
    assert odd == {f"customers/C2024050900{i}.yaml" for i in (1, 2, 3)}
    named = repo.check_json("customers/C20240509003.yaml")  # named on the command line: reported, not opened
    assert [p["code"] for p in named.problems] == ["not-regular-file"]
    fmt = kehu(repo, "fmt")
    assert "Traceback" not in fmt.stderr and "别人的客户" not in fmt.stdout + fmt.stderr
    from kehu.site.generate import generate

    site = generate(repo.open(), internal=True, directory_urls=True, search_pages=True)
    published = "".join(site.pages.values()) + "".join(v.decode("utf-8", "replace") for v in site.files.values())
    assert "别人的客户" not in published and "C20240509001.yaml" in published  # listed as a problem only


def test_check_does_not_read_a_file_outside_the_repository(repo, outside):
    run = repo.check_json(str(outside))
    assert [p["code"] for p in run.problems] == ["not-customer-file"]


# --- kehu build --out never replaces what it did not make ---------------------------------------

@pytest.mark.parametrize("out", [".", "..", "customers", "schema", ".git", "customers/sub", "../.."])
def test_build_out_refuses_the_repository_and_its_sources(repo, out, monkeypatch):
    monkeypatch.chdir(repo.root)  # --out is relative to the working folder
    before = snapshot(repo.root)
    for args in (("build", "--out", out), ("build", "--pages-only", out)):
        result = kehu(repo, *args)
        assert_refused(result, out)
        assert snapshot(repo.root) == before


def test_build_out_refuses_a_foreign_folder_and_replaces_its_own(repo, tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "plan.txt").write_text("mine")
    assert_refused(kehu(repo, "build", "--out", str(mine)))
    assert (mine / "plan.txt").read_text() == "mine"
    pages = tmp_path / "pages"
    assert kehu(repo, "build", "--pages-only", str(pages)).exit_code == 0
    assert kehu(repo, "build", "--pages-only", str(pages)).exit_code == 0  # its own folder: replaced


# --- team.yaml: a forge account is a plain user name ---------------------------------------------

@pytest.mark.parametrize("account", ["lixia\n* @evil", "lixia @evil", "/kehu.yaml @evil", "org/team", "li xia"])
def test_a_forge_account_that_is_not_a_plain_user_name_is_a_check_error(repo, account):
    import yaml

    team = yaml.safe_load((repo.root / "team.yaml").read_text(encoding="utf-8"))
    team["members"][0]["git"] = account
    repo.write("team.yaml", yaml.safe_dump(team, allow_unicode=True))
    run = repo.check_json()
    assert run.returncode == 1
    assert any(p["file"] == "team.yaml" and p["code"] == "bad-pattern" for p in run.problems), run.problems
    before = snapshot(repo.root)
    assert kehu(repo, "codeowners").exit_code == 2
    assert snapshot(repo.root) == before


@pytest.mark.parametrize("account", ["lixia-sales", "@lixia", "li.xia_2"])
def test_plain_forge_user_names_pass(repo, account):
    import yaml

    team = yaml.safe_load((repo.root / "team.yaml").read_text(encoding="utf-8"))
    team["members"][0]["git"] = account
    repo.write("team.yaml", yaml.safe_dump(team, allow_unicode=True))
    assert not [p for p in repo.check_json().problems if p["file"] == "team.yaml"]


# --- the unmasked site never goes into git ---------------------------------------------------------

def test_init_ignores_the_internal_site_and_the_internal_site_ignores_itself(tmp_path, repo):
    from kehu.commands.init import static_files

    assert "/site-internal/" in static_files()[".gitignore"].decode().splitlines()
    out = repo.root / "internal-copy"
    assert kehu(repo, "build", "--internal", "--pages-only", str(out)).exit_code == 0
    assert (out / ".gitignore").read_text().splitlines()[-1] == "*"
    from tests.support.git import git

    git(repo.root, "add", "-A")
    assert "internal-copy" not in git(repo.root, "status", "--porcelain").stdout


# --- kehu.yaml is validated as a whole, at load ----------------------------------------------------

BAD_CONFIG = [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"check": {"phone_region": "XX"}}, "check.phone_region"),
    ({"check": {"max_file_bytes": 0}}, "max_file_bytes"),
    ({"ids": {"template": "C{date:%Y%m%d}{seq:03d"}}, "ids.template"),
    ({"ids": {"template": "C{date:%Y%m%d}"}}, "ids.template"),           # no sequence: every id the same
    ({"ids": {"template": "../C{seq:03d}"}}, "ids.template"),             # a path, not an id
    ({"ids": {"template": "K{seq:04d}"}}, "ids.template"),                # ids.pattern rejects what it makes
    ({"ids": {"pattern": "^C[0-9"}}, "ids.pattern"),
]


@pytest.mark.parametrize(("change", "key"), BAD_CONFIG)
def test_a_bad_config_value_is_one_kehu_yaml_error_naming_the_key(repo, change, key):
    repo.set_config(**change)
    repo.write_customer(other_customer(id="C20240503001", name="苏州星河智能装备有限公司",
                                       contacts=[{"name": "王磊", "phone": "13900139111"}]))
    run = repo.check_json()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    errors = [p for p in run.problems if p["severity"] == "error"]
    assert {p["file"] for p in errors} == {"kehu.yaml"}, errors
    assert any(key in p["message"] for p in errors), [p["message"] for p in errors]
    assert not any(re.search(r"is not a|does not match|Traceback", p["message"]) for p in errors), errors  # English
    before = snapshot(repo.root)
    for args in (("due",), ("show", "C20240501001"), ("build", "--pages-only", str(repo.root / "out")),
                 ("new", "某某有限公司", "--owner", "lixia", "--industry", "I65"),
                 ("set", "C20240501001", "stage", "won")):
        result = kehu(repo, *args)
        assert "Traceback" not in result.stderr
        if args[0] != "due" and args[0] != "show":
            assert result.exit_code == 2, (args, result.stdout, result.stderr)
    assert snapshot(repo.root) == before


def test_good_config_values_pass(repo):
    repo.set_config(timezone="Asia/Hong_Kong", check={"phone_region": "HK"},
                    ids={"pattern": "^K[0-9]{4}$", "template": "K{seq:04d}"})
    assert not [p for p in repo.check_json().problems if p["file"] == "kehu.yaml"]


# --- the checker never touches the network ---------------------------------------------------------

@pytest.fixture
def http_server():
    """A local HTTP server that records every request (none may come)."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _with_region_schema(repo, region: dict) -> None:
    import json

    path = repo.root / "schema" / "customer.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["region"] = region
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.mark.parametrize("shape", ["absolute", "relative-with-id", "dotdot"])
def test_a_schema_ref_outside_schema_is_an_error_and_never_fetched(repo, http_server, shape):
    url, hits = http_server
    region = {"absolute": {"$ref": f"{url}/region.json"},
              "relative-with-id": {"$id": f"{url}/x/", "$ref": "region.json"},
              "dotdot": {"$ref": "../../region.json"}}[shape]
    _with_region_schema(repo, region)
    run = repo.check_json()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert any(p["code"] == "schema-ref-outside" for p in run.problems), run.problems
    for args in (("show", "C20240501001"), ("set", "C20240501001", "stage", "won"), ("fmt",)):
        assert "Traceback" not in kehu(repo, *args).stderr
    assert hits == []


def test_a_schema_ref_to_a_file_in_schema_is_resolved_locally(repo, http_server):
    import json

    _url, hits = http_server
    (repo.root / "schema" / "region.schema.json").write_text(json.dumps({"type": "string", "maxLength": 3}))
    _with_region_schema(repo, {"$ref": "region.schema.json"})
    assert repo.check_json().returncode == 0
    repo.write_customer(other_customer(region="黑龙江省哈尔滨市"))
    run = repo.check_json()
    assert run.returncode == 1 and any("region" in p["message"] for p in run.problems), run.problems
    assert hits == []


# --- a .kehu-cache/ that came with the checkout never decides a verdict ------------------------------

def _forge_cache(root: Path) -> None:
    """What a hostile colleague commits: every verdict in their cache emptied, re-signed in their clone."""
    import json

    from kehu.book.checker import CACHE_DIR, load_cache_json, save_cache_json

    for path in (root / CACHE_DIR).glob("*.json"):
        data = load_cache_json(path)
        assert data is not None
        for entry in data.get("files", {}).values():
            if isinstance(entry, list) and entry and isinstance(entry[0], list):
                entry[0] = []
        data["repo_problems"] = []
        save_cache_json(path, data)
        json.loads(path.read_bytes().partition(b"\n")[2])


def test_a_committed_cache_is_not_trusted_in_a_fresh_clone(make_repo, tmp_path):
    from tests.support.commands import commit
    from tests.support.git import git
    from tests.support.team_repo import TeamRepo

    a = team_repo(make_repo)
    bad = a.write_customer(other_customer(owner="nobody"))
    assert a.kehu("check").returncode == 1            # fills .kehu-cache/ with the true verdict
    _forge_cache(a.root)
    assert a.kehu("check").returncode == 0            # the forger's own clone believes its forgery
    git(a.root, "add", "-f", ".kehu-cache")
    commit(a, "cache")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(a.root), str(origin))
    b_root = tmp_path / "b"
    git(tmp_path, "clone", "-q", str(origin), str(b_root))
    assert (b_root / ".kehu-cache").is_dir()
    b = TeamRepo(b_root)
    run = b.check_json()
    assert run.returncode == 1
    assert any(p["file"] == f"customers/{bad.name}" and p["code"] == "unknown-handle" for p in run.problems)
    # CI keeps its key outside the checkout: a fresh key file does not trust the committed cache either
    ci = b.kehu("check", env={"KEHU_CACHE_KEY_FILE": str(tmp_path / "ci-key")})
    assert ci.returncode == 1


def test_a_cache_file_without_a_valid_mac_is_ignored(repo):
    import json

    from kehu.book.checker import CACHE_DIR

    bad = repo.write_customer(other_customer(id="C20240502009", owner="nobody"))
    assert repo.kehu("check").returncode == 1
    for path in (repo.root / CACHE_DIR).glob("*.json"):
        head, _, body = path.read_bytes().partition(b"\n")
        data = json.loads(body)
        for entry in data.get("files", {}).values():
            entry[0] = []
        data["repo_problems"] = []
        path.write_bytes(head + b"\n" + json.dumps(data, ensure_ascii=False).encode())  # the old MAC
    assert repo.kehu("check").returncode == 1
    (repo.root / CACHE_DIR / "check-v3.json").write_text(json.dumps({"files": {}}))  # no MAC at all
    run = repo.check_json()
    assert any(p["file"] == f"customers/{bad.name}" for p in run.problems)


# --- what goes to a terminal is shown, never obeyed ---------------------------------------------------

ESCAPES = ["\x1b]0;pwned\x07", "\x1b[2J\x1b[H", "\x9b2J", "ok\rFAKE", "\u202eevil"]


@pytest.mark.parametrize("seq", ESCAPES)
def test_escape_sequences_are_never_stored_by_kehu_log(repo, seq):
    before = snapshot(repo.root)
    result = kehu(repo, "log", "C20240501001", "--by", "lixia", "--channel", "call",
                  "--summary", f"沟通续约方案，客户要求下周报价{seq}")
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "\x9b" not in result.stderr
    assert snapshot(repo.root) == before


@pytest.mark.parametrize("seq", ESCAPES)
def test_a_file_holding_escape_sequences_is_an_error_and_printed_harmlessly(repo, seq):
    import json

    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    text = text.replace("summary: 沟通Q2续约需求，客户对售后服务满意",
                        "summary: " + json.dumps("沟通Q2续约需求" + seq, ensure_ascii=True))
    (repo.customers / "C20240501001.yaml").write_text(text, encoding="utf-8")
    run = repo.check_json()
    assert "control-character" in [p["code"] for p in run.problems]
    text_run = repo.kehu("check")
    for result in (kehu(repo, "show", "C20240501001"), kehu(repo, "history", "C20240501001"), text_run):
        out = result.stdout + result.stderr
        assert not any(ch in out for ch in "\x1b\x9b\r\x07\u202e"), repr(out)


def test_terminal_text_keeps_ordinary_text():
    from kehu.words.terminal import terminal_text

    assert terminal_text("上海启明\n\t第二行") == "上海启明\n\t第二行"
    assert terminal_text("a\x1b[31mb") == "a\u241b[31mb"
    assert terminal_text("a\nb", one_line=True) == "a\u240ab"


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u200d\ufeff ", "   ", "\u3164"])
def test_a_name_of_invisible_characters_is_an_error(repo, name):
    repo.write_customer(other_customer(name=name))
    assert "invisible-text" in [p["code"] for p in repo.check_json().problems]


def test_a_tab_inside_a_block_scalar_is_text_not_indentation(repo):
    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    (repo.customers / "C20240501001.yaml").write_text(text + "notes: |\n  代码示例：\n  \tif x:\n", encoding="utf-8")
    assert "tab-indent" not in [p["code"] for p in repo.check_json().problems]
    (repo.customers / "C20240501001.yaml").write_text(text + "notes: 1\n\tregion: 上海\n", encoding="utf-8")
    assert "tab-indent" in [p["code"] for p in repo.check_json().problems]


# --- privacy: one masking routine, free text and every digit form included -------------------------------

WIDE_PHONE = "".join(chr(ord(ch) + 0xFEE0) for ch in "13912345678")   # １３９１２３４５６７８
SECRET_BITS = ["13800138000", "13912345678", "zhang.wei@example.com", "wang.qiang@yunfan.example.com",
               "13700137000", "wangfang@example.com", "lixia@example.com", WIDE_PHONE, "13666666666"]


def _free_text_repo(repo):
    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    text = text.replace("summary: 沟通Q2续约需求，客户对售后服务满意",
                        "summary: 沟通Q2续约需求，客户留了手机13700137000和邮箱 wangfang@example.com")
    text += f"notes: 备用电话 {WIDE_PHONE}，另一个 136-6666-6666\n"
    (repo.customers / "C20240501001.yaml").write_text(text, encoding="utf-8")
    assert repo.check().errors == 0


@pytest.mark.parametrize("fmt", ["csv", "json", "sqlite", "xlsx"])
def test_export_mask_masks_free_text_and_team_emails(repo, fmt, tmp_path):
    _free_text_repo(repo)
    out = tmp_path / ("export" + {"csv": "", "json": ".json", "sqlite": ".sqlite", "xlsx": ".xlsx"}[fmt])
    result = kehu(repo, "export", "--format", fmt, "--mask", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    if fmt == "csv":
        blob = "".join(p.read_text(encoding="utf-8-sig") for p in out.iterdir())
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(out)
        blob = "".join(str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row)
    elif fmt == "sqlite":
        import sqlite3

        db = sqlite3.connect(out)
        blob = "".join(str(v) for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                       for row in db.execute(f"SELECT * FROM {t}") for v in row)
        db.close()
    else:
        blob = out.read_text(encoding="utf-8")
    for secret in SECRET_BITS:
        assert secret not in blob, (secret, fmt)
    assert "137****7000" in blob and "备用电话" in blob


def test_the_masked_site_masks_free_text_full_width_digits_and_the_problems_page(repo):
    from kehu.site.generate import generate

    _free_text_repo(repo)
    repo.write_customer(other_customer(id="C20240502002", name="宁波海曙贸易有限公司",
                                       contacts=[{"name": "陈立", "phone": "1390013900", "email": "chenli@@x"}]))
    site = generate(repo.open(), internal=False, directory_urls=True, search_pages=True)
    blob = "".join(site.pages.values()) + "".join(v.decode("utf-8", "replace") for v in site.files.values())
    for secret in [*SECRET_BITS, "1390013900", "chenli@@x"]:
        assert secret not in blob, secret
    problems = next(text for src, text in site.pages.items() if "problems" in src)
    assert "C20240502002" in problems


def _id_number() -> str:
    from kehu.core.privacy import _ID_CHECK, _ID_WEIGHTS

    first = "11010119900307123"
    return first + _ID_CHECK[sum(int(d) * w for d, w in zip(first, _ID_WEIGHTS, strict=True)) % 11]


@pytest.mark.parametrize("shape", ["plain", "wide", "dashes", "spaces", "glued", "ideographic-space"])
def test_id_numbers_in_any_form_are_refused_by_log_and_check(repo, shape):
    n = _id_number()
    written = {"plain": n, "wide": "".join(chr(ord(ch) + 0xFEE0) for ch in n),
               "dashes": f"{n[:6]}-{n[6:14]}-{n[14:]}", "spaces": f"{n[:6]} {n[6:10]} {n[10:14]} {n[14:]}",
               "glued": f"身份证ID{n}号", "ideographic-space": f"{n[:6]}\u3000{n[6:]}"}[shape]
    before = snapshot(repo.root)
    result = kehu(repo, "log", "C20240501001", "--by", "lixia", "--channel", "call",
                  "--summary", f"客户提供了法人身份证 {written} 用于开票")
    assert_refused(result)
    assert snapshot(repo.root) == before
    repo.write_customer(other_customer(notes=f"法人证件 {written}"))
    assert "national-id" in [p["code"] for p in repo.check_json().problems]


def test_order_numbers_and_phones_are_not_id_or_card_numbers():
    from kehu.core.privacy import find_bank_card, find_national_id

    for text in ("订单 SO2024050100112345", "电话 13800138000 和 13912345678", "合同 HT202405001，金额 120000"):
        assert find_national_id(text) is None and find_bank_card(text) is None


# --- spreadsheets: no cell is ever a formula, and export -> import still round-trips ---------------------

# (a leading tab or CR is quoted too — test_cell_safety_inverts_exactly — but import trims whitespace)
FORMULAS = ["=HYPERLINK(\"http://127.0.0.1/x\",\"点我\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "'已有引号", "＝全角等号"]


def _formula_customers(repo):
    for i, text in enumerate(FORMULAS):
        repo.write_customer(other_customer(
            id=f"C2024051000{i}", name=f"公司{i}{text}有限公司" if i % 2 else f"{text}公司{i}",
            contacts=[{"name": f"{text}联系人", "phone": f"1391234500{i}"}],
            interactions=[{"date": "2024-05-02", "channel": "email", "by": "wangfang",
                           "summary": f"{text} 客户关注私有化部署方案"}]))
    assert repo.check().errors == 0, [p.message for p in repo.check().problems]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_exported_cell_is_a_formula_and_the_export_imports_back(make_repo, tmp_path, fmt):
    from tests.support.spreadsheets import loaded

    repo = make_repo()
    _formula_customers(repo)
    out = tmp_path / ("export.xlsx" if fmt == "xlsx" else "export-csv")
    assert repo.kehu("export", "--format", fmt, "--out", str(out)).returncode == 0
    if fmt == "xlsx":
        from openpyxl import load_workbook

        cells = [c for s in load_workbook(out).worksheets for row in s.iter_rows() for c in row]
        assert not [c.value for c in cells if c.data_type == "f"]
        texts = [c.value for c in cells if isinstance(c.value, str)]
    else:
        import csv

        texts = [v for p in out.iterdir() for row in csv.reader(p.read_text(encoding="utf-8-sig").splitlines())
                 for v in row]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r", "＝"))]
    empty = make_repo()
    imported = empty.kehu("import", str(out))
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert loaded(empty) == loaded(repo)


def test_cell_safety_inverts_exactly():
    from kehu.io.cells import from_cell, to_cell

    for text in [*FORMULAS, "\tTAB开头", "\r回车", "普通文本", "", "''", "'", "a=b", 5, None]:
        assert from_cell(to_cell(text)) == text
    assert to_cell("\t=1").startswith("'") and to_cell("\r=1").startswith("'")
    assert from_cell("'普通") == "'普通"   # an apostrophe kehu did not add stays


def test_outputs_never_go_over_the_repository_sources(repo, tmp_path, monkeypatch):
    monkeypatch.chdir(repo.root)
    before = snapshot(repo.root)
    for target in ("kehu.yaml", "customers/C20240501001.yaml", "team.yaml", ".git/config", "schema/x.json"):
        assert_refused(kehu(repo, "export", "--format", "json", "--out", target), target)
    sheet = tmp_path / "in.csv"
    sheet.write_text("客户名称,手机号\n宁波海曙贸易有限公司,13900001111\n,\n", encoding="utf-8")
    assert_rejected(kehu(repo, "import", str(sheet), "--owner", "lixia", "--rejects", "kehu.yaml"), "kehu.yaml")
    assert snapshot(repo.root) == before


# --- SIGTERM leaves no temporary file -----------------------------------------------------------------------

def test_sigterm_during_a_write_leaves_the_old_file_and_no_temporary(tmp_path):
    import signal
    import subprocess
    import sys

    target = tmp_path / "C20240501001.yaml"
    target.write_bytes(b"id: C20240501001\n")
    script = (
        "import os, signal, sys\n"
        "from kehu.util import atomic\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGTERM)\n"  # the signal arrives mid-write
        "atomic.atomic_write(sys.argv[1], 'id: changed\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGTERM, proc.stderr
    assert target.read_bytes() == b"id: C20240501001\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_kehu_import_terminated_leaves_no_temporary_files(make_repo, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    repo = make_repo()
    sheet = tmp_path / "big.csv"
    rows = ["客户名称,手机号,所属行业,负责人"]
    rows += [f"测试{i:05d}号科技有限公司,139{i:08d},I65,lixia" for i in range(800)]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEHU_")}
    env["KEHU_TODAY"] = "2024-06-01"
    proc = subprocess.Popen([sys.executable, "-m", "kehu.cli", "-C", str(repo.root), "import", str(sheet),
                             "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and not any(repo.customers.glob("*.yaml")) and time.monotonic() < deadline:
        time.sleep(0.01)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the command and its writer processes, as a terminal would
    proc.wait(timeout=120)
    while time.monotonic() < deadline:  # the writer processes end too
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    assert [p.name for p in repo.customers.iterdir() if not p.name.endswith(".yaml")] == []
    assert all(p.read_bytes().startswith(b"# yaml-language-server") or p.read_bytes().startswith(b"id:")
               for p in repo.customers.glob("*.yaml"))


# --- crashes and misleading messages ---------------------------------------------------------------------

@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", ".NaN", "1.0e+400"])
def test_infinite_numbers_are_one_clear_error(repo, number):
    text = (repo.customers / "C20240501001.yaml").read_text(encoding="utf-8")
    (repo.customers / "C20240501001.yaml").write_text(text.replace("budget: 200000", f"budget: {number}"),
                                                      encoding="utf-8")
    run = repo.check_json()
    codes = [p["code"] for p in run.problems if p["file"] == "customers/C20240501001.yaml"]
    assert codes == ["not-finite"], run.problems


@pytest.mark.parametrize("day", ["0000-01-01", "0001-05-01", "1899-12-31"])
def test_dates_before_1900_are_errors(repo, day):
    repo.write_customer(other_customer(created=day))
    repo.write_customer(other_customer(id="C20240502002", name="宁波海曙贸易有限公司",
                                       contacts=[{"name": "陈立", "phone": "13900139001"}],
                                       next_action={"date": day, "action": "回访"}))
    codes = [(p["file"], p["code"]) for p in repo.check_json().problems if p["code"] == "implausible-date"]
    assert ("customers/C20240502001.yaml", "implausible-date") in codes
    assert ("customers/C20240502002.yaml", "implausible-date") in codes


@pytest.mark.parametrize(("field", "value"), [("annual_value", "-5"), ("repurchase_rate", "-0.5"),
                                              ("annual_value", "-1e3")])
def test_set_with_a_negative_number_is_refused_as_a_value_not_an_option(repo, field, value):
    before = snapshot(repo.root)
    result = kehu(repo, "set", "C20240501001", field, value)
    assert_refused(result)
    assert "No such option" not in result.stderr
    assert snapshot(repo.root) == before


@pytest.mark.parametrize("content", ["", "\ufeff", "客户名称,手机号\n", "客户名称,手机号\n,\n , \n"])
def test_an_empty_or_header_only_import_is_an_error(repo, tmp_path, content):
    sheet = tmp_path / "in.csv"
    sheet.write_text(content, encoding="utf-8")
    before = snapshot(repo.root)
    assert_rejected(kehu(repo, "import", str(sheet), "--owner", "lixia"))
    assert snapshot(repo.root) == before


@pytest.mark.parametrize("owner", ["nobody", "王五"])
def test_import_owner_unknown_names_the_members_not_the_mapping_file(repo, tmp_path, owner):
    sheet = tmp_path / "in.csv"
    sheet.write_text("客户名称,手机号\n宁波海曙贸易有限公司,13900001111\n", encoding="utf-8")
    before = snapshot(repo.root)
    result = kehu(repo, "import", str(sheet), "--owner", owner)
    assert_rejected(result, "--owner", "lixia")
    assert "映射" not in result.stderr and "mapping" not in result.stderr
    assert snapshot(repo.root) == before


def test_show_and_history_mask_free_text_unless_internal(repo):
    """`kehu show` is for the team (unmasked) and masks with --mask, for sharing a screen (issue 15);
    `kehu history` masks unless --internal. Either way free text and full-width digits are masked too."""
    from tests.support.commands import commit

    _free_text_repo(repo)
    commit(repo, "notes with numbers")
    for args in (("show", "C20240501001", "--mask"), ("history", "C20240501001")):
        masked = kehu(repo, *args)
        assert masked.exit_code == 0, masked.stderr
        for secret in ("13700137000", "wangfang@example.com", "13800138000", WIDE_PHONE):
            assert secret not in masked.stdout, (args, secret)
    internal = kehu(repo, "show", "C20240501001")
    assert "13700137000" in internal.stdout and "13800138000" in internal.stdout


def test_masking_twice_reveals_nothing():
    from kehu.core.privacy import mask_email, mask_phone, mask_tree

    assert mask_phone(mask_phone("13800138000")) == "138****8000"
    assert mask_email(mask_email("zhang.wei@example.com")) == "z***@example.com"
    data = {"contacts": [{"phone": "13800138000", "email": "a@b.cn"}], "notes": "电话 13912345678"}
    assert mask_tree(mask_tree(data)) == mask_tree(data)


@pytest.mark.parametrize("bad_id", ["../../x/C20240501009", "/tmp/C20240501009", ".C20240501009", "a/b"])
def test_an_id_from_a_spreadsheet_or_renumber_never_becomes_a_path(repo, tmp_path, bad_id):
    repo.set_config(ids={"pattern": None})
    sheet = tmp_path / "in.csv"
    sheet.write_text(f"客户编号,客户名称,手机号\n{bad_id},宁波海曙贸易有限公司,13900001111\n", encoding="utf-8")
    kehu(repo, "import", str(sheet), "--owner", "lixia")
    written = [p for p in Path("/tmp").glob("C20240501009*")] + list(tmp_path.rglob("C20240501009*"))
    written += [p for p in repo.root.rglob("*.yaml") if p.parent != repo.customers and ".git" not in p.parts
                and p.name not in ("kehu.yaml", "team.yaml")]
    assert written == []
    before = snapshot(repo.root)
    assert_rejected(kehu(repo, "renumber", "C20240501001", bad_id))
    assert snapshot(repo.root) == before
