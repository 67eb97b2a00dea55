"""kehu import: a messy real-world workbook in, exactly the right customer files out.

The fixture is built here, the way teams' spreadsheets look: a title row above the
headers, Chinese headers, phones and dates in every form Excel produces, one
customer twice under two legal suffixes, blank rows, a total row, an ID number in
a note (dropped alone, never stored), an unknown owner, and a follow-up sheet. Every test runs the real command
against a real repository on disk; "today" is pinned.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.support.customers import TODAY, customer_dict
from tests.support.spreadsheets import write_workbook

ID_NUMBER = "11010519491231002X"  # a well-formed mainland ID number (valid check digit), fictional

HEADERS = ["客户名称", "联系人", "联系电话", "邮箱", "所属行业", "客户类型", "负责人", "最近跟进时间", "跟进内容",
           "合作金额", "签约日期", "合同编号", "备注", "内部编码"]


def customer_rows() -> list[list[object]]:
    return [
        ["客户信息登记表"],                                                                   # row 1: a title
        HEADERS,                                                                             # row 2
        ["  上海启明科技有限公司\u3000", "张伟", "138-0013-8000", "zhang.wei@example.com", "软件和信息技术服务业",
         "签约客户", "李霞", dt.datetime(2024, 5, 10), "沟通Q2续约，客户对价格有疑问", 120000, "2024/5/20",
         "HT202405001", "老客户", "A-17"],                                                    # row 3
        [None] * 5,                                                                          # row 4: blank
        ["上海启明科技集团", "李娜", 13900139000.0, "-", "I65", "意向客户", "wangfang", "2024年5月12日",
         "电话确认报价细节", None, None, None, None, "A-17"],                                    # row 5: same customer
        ["北京天成商贸有限公司", "王经理", "+86 137 0013 7000", None, "零售行业", "潜在客户", "lixia", 45400,
         "上门拜访介绍产品", None, None, None, None, None],                                      # row 6: serial date
        ["深圳宏远电子有限公司", "赵总", "1.38001E+10", None, "制造业", "潜在客户", "lixia", None, None, None,
         None, None, None, None],                                                            # row 7: lossy phone
        [None, "孙", 13600136000, None, "制造业", "潜在客户", "lixia", None, None, None, None, None, None,
         None],                                                                              # row 8: no name
        ["广州恒泰物流有限公司", "周敏", "13500135000", None, "物流", "潜在客户", "lixia", None, None, None, None,
         None, f"法人身份证 {ID_NUMBER}", None],                                               # row 9: ID number
        ["杭州云帆网络科技有限公司", "陈静", "021-64381234", None, "互联网", "潜在客户", "李经理", None, None,
         None, None, None, None, None],                                                      # row 10: unknown owner
        ["合计", None, None, None, None, None, None, None, None, 120000, None, None, None, None],  # row 11
    ]


def followup_rows() -> list[list[object]]:
    return [
        ["客户名称", "跟进日期", "跟进方式", "跟进内容", "跟进人"],
        ["上海启明科技", "2024-05-15", "电话", "确认合同条款，客户同意签约", "lixia"],             # row 2
        ["北京天成商贸有限公司", "2024/5/20", "上门拜访", "现场演示产品，客户关注数据安全", "王芳"],  # row 3
        ["不存在的公司", "2024-05-15", "拜访", "介绍产品", "lixia"],                            # row 4
        ["北京天成商贸有限公司", "2024-07-01", "电话", "约定下月回访", "lixia"],                   # row 5: future
        ["上海启明科技有限公司", "2024-05-15", "电话", "确认合同条款，客户同意签约", "lixia"],       # row 6: repeat
    ]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "客户表.xlsx", {"客户信息表": customer_rows(), "跟进记录": followup_rows()})


def load(repo, cid: str) -> dict:
    return yaml.safe_load((repo.customers / f"{cid}.yaml").read_text(encoding="utf-8"))


def files(repo) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(repo.customers.glob("*.yaml"))}


def rejects_of(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# --- the messy workbook ---------------------------------------------------------------------


def test_messy_workbook_imports_exactly_what_it_should(repo, workbook):
    run = repo.kehu("import", str(workbook))
    assert run.returncode == 1, run.stderr  # some rows were rejected
    # the lossy phone of row 7 drops only that phone, the ID number in row 9's note only that note: both
    # customers are imported without them
    assert sorted(files(repo)) == ["C20240418LX01.yaml", "C20240510LX01.yaml", "C20240601LX01.yaml",
                                   "C20240601LX02.yaml"]
    hongyuan = load(repo, "C20240601LX01")
    assert hongyuan["name"] == "深圳宏远电子有限公司" and hongyuan["contacts"] == [{"name": "赵总"}]
    hengtai = load(repo, "C20240601LX02")
    assert hengtai["name"] == "广州恒泰物流有限公司" and "notes" not in hengtai

    qiming = load(repo, "C20240510LX01")  # created from its earliest record: ids spread over the days
    assert qiming["name"] == "上海启明科技有限公司"  # trimmed, incl. the full-width space
    assert qiming["industry"] == "I65" and qiming["stage"] == "won" and qiming["owner"] == "lixia"
    assert str(qiming["created"]) == "2024-05-10"
    assert qiming["contacts"] == [
        {"name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.com"},
        {"name": "李娜", "phone": "13900139000"},
    ]
    assert [(str(i["date"]), i["channel"], i["by"], i["summary"]) for i in qiming["interactions"]] == [
        ("2024-05-10", "other", "lixia", "沟通Q2续约，客户对价格有疑问"),
        ("2024-05-12", "call", "wangfang", "电话确认报价细节"),   # by the row's owner; channel named in the text
        ("2024-05-15", "call", "lixia", "确认合同条款，客户同意签约"),  # from the follow-up sheet, once
    ]
    assert qiming["deals"] == [{"contract": "HT202405001", "product": "待确认", "amount": 120000,
                                "signed": dt.date(2024, 5, 20)}]
    # the duplicate row's differing values are kept in the notes, not lost and not multiplied
    # (上海启明科技集团 is the same name with another legal form: the merge is in the report, not a note)
    assert qiming["notes"].splitlines() == ["老客户", "〔导入〕客户阶段: 接洽", "〔导入〕负责人: 王芳"]

    tiancheng = load(repo, "C20240418LX01")
    assert tiancheng["industry"] == "F" and tiancheng["stage"] == "lead"
    assert tiancheng["contacts"] == [{"name": "王经理", "phone": "13700137000"}]
    assert [(str(i["date"]), i["channel"], i["by"]) for i in tiancheng["interactions"]] == [
        ("2024-04-18", "visit", "lixia"),   # Excel serial 45400, channel from 上门拜访 in the text
        ("2024-05-20", "visit", "wangfang"),  # 王芳 is wangfang in team.yaml
    ]
    assert repo.check().errors == 0


def test_rejects_name_row_and_reason_and_never_copy_the_id_number(repo, workbook):
    run = repo.kehu("import", str(workbook))
    report = workbook.with_name("客户表.rejects.csv")
    rejected = rejects_of(report)
    assert [(r["工作表"], r["行号"]) for r in rejected] == [
        ("客户信息表", "7"), ("客户信息表", "8"), ("客户信息表", "9"), ("客户信息表", "10"),
        ("跟进记录", "4"), ("跟进记录", "5")]
    reasons = [r["原因"] for r in rejected]
    assert "1.38001E+10" in reasons[0] and "科学计数法" in reasons[0]
    assert reasons[0].startswith("只丢弃了这一个值")  # row 7 was imported without its phone
    assert reasons[1].startswith("缺少客户名称")
    assert reasons[2].startswith("“备注”列含有身份证号（已隐去）：此值未导入")  # row 9 without its note
    assert rejected[2]["备注"] == "***"  # the row as written, the number masked
    assert "李经理" in reasons[3] and "team.yaml" in reasons[3] and "--owner" in reasons[3]
    assert "不存在的公司" in reasons[4]
    assert "2024-07-01" in reasons[5]
    assert rejected[0]["客户名称"] == "深圳宏远电子有限公司"  # the original cells, to fix and import again
    for text in (report.read_text(encoding="utf-8-sig"), run.stdout,
                 workbook.with_name("客户表.import-report.md").read_text(encoding="utf-8"),
                 *(p.read_text(encoding="utf-8") for p in repo.customers.glob("*.yaml"))):
        assert ID_NUMBER not in text
    assert "拒绝 4 行；丢弃单个取值 2 个" in run.stdout and "合并重复行 1 行" in run.stdout
    assert "跳过 3 行" in run.stdout  # the title row, a blank row and the total row (合计), each named
    assert "标题行 1 行：客户信息表 第 1 行" in run.stdout and "合计行 1 行：客户信息表 第 11 行" in run.stdout


def test_importing_the_same_file_twice_changes_nothing(repo, workbook):
    repo.kehu("import", str(workbook))
    before = files(repo)
    again = repo.kehu("import", str(workbook))
    assert files(repo) == before
    assert "新建客户 0 个，更新 0 个，不变 4 个" in again.stdout


def test_dry_run_prints_mapping_and_preview_and_writes_nothing(repo, workbook):
    run = repo.kehu("import", str(workbook), "--dry-run")
    assert files(repo) == {}
    assert not workbook.with_name("客户表.rejects.csv").exists()
    assert "第 2 行为表头" in run.stdout
    assert "联系电话 → 联系人 · 手机" in run.stdout and "最近跟进时间 → 最后联系" in run.stdout
    assert "未识别的列" in run.stdout and "内部编码" in run.stdout
    assert "新建  C20240510LX01  上海启明科技有限公司" in run.stdout
    assert "试运行" in run.stdout


def test_a_mapping_file_maps_columns_owners_and_defaults(repo, workbook, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {内部编码: ignore}\nowners: {李经理: lixia}\n", encoding="utf-8")
    run = repo.kehu("import", str(workbook), "--mapping", str(mapping))
    assert "未识别的列" not in run.stdout  # 内部编码 is ignored on purpose now
    yunfan = [p for p in repo.customers.glob("*.yaml") if "杭州云帆" in p.read_text(encoding="utf-8")]
    assert len(yunfan) == 1
    data = yaml.safe_load(yunfan[0].read_text(encoding="utf-8"))
    assert data["owner"] == "lixia" and data["industry"] == "I64"
    assert data["contacts"][0]["phone"] == "+862164381234"  # a Shanghai landline, repaired to +E.164
    assert repo.check().errors == 0


def test_a_bad_mapping_file_is_refused_with_one_line(repo, workbook, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {内部编码: colour}\n", encoding="utf-8")
    run = repo.kehu("import", str(workbook), "--mapping", str(mapping))
    assert run.returncode == 2 and files(repo) == {}
    assert "colour" in run.stderr and "Traceback" not in run.stderr


def test_english_headers_and_the_default_owner(repo, tmp_path):
    book = write_workbook(tmp_path / "en.xlsx", {"Sheet1": [
        ["Company", "Contact", "Mobile", "E-mail", "Industry", "Stage", "Created", "Notes"],
        ["Acme Robotics Co., Ltd.", "Li Lei", "13800138000", "li.lei@example.com", "Manufacturing", "Lead",
         "2024-05-03", "met at the fair"],
    ]})
    run = repo.kehu("import", str(book), "--owner", "wangfang")
    assert run.returncode == 0, run.stdout + run.stderr
    data = load(repo, "C20240503WF01")  # the id from kehu.yaml's template and the row's creation date
    assert data["owner"] == "wangfang" and data["industry"] == "C" and data["stage"] == "lead"


def test_a_row_without_an_industry_is_to_be_confirmed_unless_a_default_is_given(repo, tmp_path):
    book = write_workbook(tmp_path / "x.xlsx", {"客户": [["客户名称", "负责人"], ["苏州精益机械有限公司", "lixia"]]})
    run = repo.kehu("import", str(book))
    assert run.returncode == 0, run.stdout  # never a refused row: recorded as to be confirmed, listed to collect
    assert load(repo, "C20240601LX01")["industry"] == "待确认"
    assert "行业待确认（1）" in run.stdout and repo.check().errors == 0
    (repo.customers / "C20240601LX01.yaml").unlink()
    mapping = tmp_path / "map.yaml"
    mapping.write_text("defaults: {industry: C34}\n", encoding="utf-8")
    run = repo.kehu("import", str(book), "--mapping", str(mapping))
    assert run.returncode == 0
    assert load(repo, "C20240601LX01")["industry"] == "C34"


# --- encodings ----------------------------------------------------------------------------------

CSV_TEXT = "客户名称,联系人,手机号,所属行业,客户来源,负责人\r\n华为技术有限公司,张伟,13800138000,通信,展会,李霞\r\n"


@pytest.mark.parametrize(("encoding", "detected"), [("gbk", "gb18030"), ("utf-8-sig", "utf-8-sig"),
                                                    ("utf-8", "utf-8")])
def test_csv_encodings_are_detected(repo, tmp_path, encoding, detected):
    from kehu.io.encoding import detect_encoding

    path = tmp_path / "customers.csv"
    path.write_bytes(CSV_TEXT.replace("通信", "I63").encode(encoding))
    assert detect_encoding(path.read_bytes()) == detected
    run = repo.kehu("import", str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    data = load(repo, "C20240601LX01")
    assert data["name"] == "华为技术有限公司" and data["source"] == "trade_show" and data["owner"] == "lixia"


def test_short_gbk_text_is_read_as_gbk_not_big5():
    from kehu.io.encoding import decode, detect_encoding

    raw = "名称\n华为\n".encode("gbk")
    assert detect_encoding(raw) == "gb18030"
    assert decode(raw)[0] == "名称\n华为\n"


def test_an_unreadable_file_is_one_line_and_exit_2(repo, tmp_path):
    missing = repo.kehu("import", str(tmp_path / "nope.xlsx"))
    assert missing.returncode == 2 and missing.stderr.startswith("kehu: 错误：") and "Traceback" not in missing.stderr
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    run = repo.kehu("import", str(bad))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    nameless = write_workbook(tmp_path / "n.xlsx", {"客户": [["联系人", "手机号"], ["张伟", "13800138000"]]})
    run = repo.kehu("import", str(nameless))
    assert run.returncode == 2 and "客户名称" in run.stderr


def test_an_ods_file_is_read(repo, tmp_path):
    """OpenDocument spreadsheets (LibreOffice, WPS) go through the same reader."""
    path = tmp_path / "customers.ods"
    write_ods(path, [["客户名称", "所属行业", "负责人", "手机号"],
                     ["成都天府软件有限公司", "I65", "lixia", "13800138000"]])
    run = repo.kehu("import", str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert load(repo, "C20240601LX01")["name"] == "成都天府软件有限公司"


def write_ods(path: Path, rows: list[list[str]]) -> None:
    """A minimal valid .ods: a zip with the mimetype first (stored) and a content.xml."""
    def cell(v: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in r)}</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="客户">{body}</table:table>'
        '</office:spreadsheet></office:body></office:document-content>')
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


# --- against the repository ----------------------------------------------------------------------


def test_a_row_for_an_existing_customer_updates_it_and_a_second_import_changes_nothing(repo, workbook):
    repo.write_customer(customer_dict())  # 上海启明科技有限公司, phone 13800138000, one interaction
    run = repo.kehu("import", str(workbook))
    assert "更新 1" in run.stdout
    data = load(repo, "C20240501001")
    assert len(data["interactions"]) == 4  # its own call plus the three new ones
    assert {c["name"] for c in data["contacts"]} == {"张伟", "李娜"}
    assert data["stage"] == "negotiating"  # the file's value stays; the sheet's is noted
    assert "〔导入〕客户阶段: 签约" in data["notes"]
    assert not (repo.customers / "C20240510LX01.yaml").exists()  # merged, not multiplied
    before = files(repo)
    repo.kehu("import", str(workbook))
    assert files(repo) == before
    assert repo.check().errors == 0


def test_a_phone_another_company_has_never_merges_the_row_into_it(repo, tmp_path):
    repo.write_customer(customer_dict())
    repo.write_customer(customer_dict(id="C20240502001", name="北京天成商贸有限公司", contacts=[
        {"name": "王强", "phone": "13700137000"}]))
    book = write_workbook(tmp_path / "x.xlsx", {"客户": [
        ["客户名称", "联系人", "手机号", "所属行业", "负责人"],
        ["上海启明科技有限公司", "赵敏", "13700137000", "I65", "lixia"]]})
    run = repo.kehu("import", str(book))
    assert run.returncode == 0, run.stdout
    # the row is 上海启明 by its name; 北京天成's phone is reported as shared, never a reason to merge
    assert {c["name"] for c in load(repo, "C20240501001")["contacts"]} == {"张伟", "赵敏"}
    assert [c["name"] for c in load(repo, "C20240502001")["contacts"]] == ["王强"]
    assert "两家公司共用的联系方式（未合并）（1）" in run.stdout
    assert "北京天成商贸有限公司（C20240502001）" in run.stdout
    assert repo.check().errors == 0


def test_a_row_matching_two_different_customers_is_rejected(repo, tmp_path):
    repo.write_customer(customer_dict())
    repo.write_customer(customer_dict(id="C20240502001", name="北京天成商贸有限公司", notes="原编号：K-17", contacts=[
        {"name": "王强", "phone": "13700137000"}]))
    book = write_workbook(tmp_path / "x.xlsx", {"客户": [  # its name is 上海启明's, its former id 北京天成's
        ["客户名称", "客户编号", "所属行业", "负责人"], ["上海启明科技有限公司", "K-17", "I65", "lixia"]]})
    before = files(repo)
    run = repo.kehu("import", str(book))
    assert run.returncode == 1 and files(repo) == before
    assert "C20240501001" in run.stdout and "C20240502001" in run.stdout


def test_a_customer_that_would_fail_the_check_is_never_written(repo, tmp_path):
    long_name = "很长" * 120 + "有限公司"  # over the schema's 200 characters: only the checker knows
    book = write_workbook(tmp_path / "x.xlsx", {"客户": [
        ["客户名称", "所属行业", "负责人"], [long_name, "I65", "lixia"], ["南京长青环保科技有限公司", "N77", "lixia"]]})
    run = repo.kehu("import", str(book))
    assert run.returncode == 1
    assert [yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in repo.customers.glob("*.yaml")] == \
        ["南京长青环保科技有限公司"]
    assert "kehu check" in run.stdout


def test_a_follow_up_sheet_alone_adds_to_existing_customers(repo, tmp_path):
    repo.write_customer(customer_dict())
    book = write_workbook(tmp_path / "f.xlsx", {"Sheet1": [
        ["客户编号", "日期", "方式", "内容", "跟进人"],
        ["C20240501001", "2024-05-20", "微信", "发送报价单，客户确认下周回复", "lixia"]]})
    run = repo.kehu("import", str(book))
    assert run.returncode == 0, run.stdout
    data = load(repo, "C20240501001")
    assert data["interactions"][-1]["channel"] == "wechat"
    assert str(data["interactions"][-1]["date"]) == "2024-05-20"


# --- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "stored"), [
    ("138-0013-8000", "13800138000"), ("+86 138 0013 8000", "13800138000"), (13800138000.0, "13800138000"),
    ("13800138000.0", "13800138000"), ("0086 13800138000", "13800138000"), ("(+86)138 0013 8000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("手机：13800138000", "13800138000"), ("021-64381234", "+862164381234"),
    ("+44 20 7946 0958", "+442079460958"), ("13800138000 / 13900139000", "13800138000"),
])
def test_phone_forms_become_one_form(cell, stored):
    from kehu.core.values import parse_phone_cell

    assert parse_phone_cell(cell, "CN")[0] == stored


@pytest.mark.parametrize("cell", ["1.38001E+10", "12345", "138001380001", "电话待补充", 13800138000.5])
def test_phones_that_cannot_be_repaired(cell):
    from kehu.core.values import CellError, parse_phone_cell

    with pytest.raises(CellError):
        parse_phone_cell(cell, "CN")


@pytest.mark.parametrize("cell", ["2024-05-10", "2024/5/10", "2024.5.10", "2024年5月10日", "20240510", 45422,
                                  "45422", dt.datetime(2024, 5, 10, 14, 30), dt.date(2024, 5, 10),
                                  "2024-05-10 14:30:00", " 2024 年 5 月 10 日 "])
def test_date_forms_become_iso(cell):
    from kehu.core.values import parse_date

    assert parse_date(cell) == dt.date(2024, 5, 10)


@pytest.mark.parametrize("cell", ["2024-02-30", "五月十日", "5/10", "2024年5月", ""])
def test_dates_that_are_not_dates(cell):
    from kehu.core.values import CellError, parse_date

    with pytest.raises(CellError):
        parse_date(cell)


@pytest.mark.parametrize(("vocab", "word", "key"), [
    ("stage", "签约客户", "won"), ("stage", "潜在客户", "lead"), ("stage", "意向客户", "contacted"),
    ("stage", "谈判", "negotiating"), ("stage", "Closed Won", "won"), ("channel", "电话", "call"),
    ("channel", "拜访", "visit"), ("channel", "上门拜访", "visit"), ("channel", "WeChat", "wechat"),
    ("source", "转介绍", "referral"), ("source", "线上推广", "online_ads"), ("class", "A类-重点客户", "key"),
    ("complaint_status", "已处理", "resolved"), ("tag", "预算敏感", "价格敏感"),
])
def test_spreadsheet_words_become_schema_keys(vocab, word, key):
    from kehu.core.values import Resolver
    from kehu.repo.schema import SchemaSet

    assert Resolver(SchemaSet(None).vocabularies[vocab]).key(word) == key


def test_unknown_words_are_not_guessed():
    from kehu.core.values import Resolver
    from kehu.repo.schema import SchemaSet

    assert Resolver(SchemaSet(None).vocabularies["stage"]).key("高价值客户") is None


@pytest.mark.parametrize(("word", "key"), [("I65", "I65"), ("I65 软件和信息技术服务业", "I65"), ("制造业", "C"),
                                           ("零售行业", "F"), ("互联网", "I64"),
                                           ("制造业-计算机、通信和其他电子设备制造业", "C39"), ("服务", None)])
def test_industry_cells(word, key):
    from kehu.core.values import Resolver, industry_key
    from kehu.repo.schema import SchemaSet

    assert industry_key(word, Resolver(SchemaSet(None).vocabularies["industry"])) == key


@pytest.mark.parametrize(("word", "key"), [("50人以下", "<50"), ("120", "50-200"), ("200-500人", "200-500"),
                                           ("500-1000人", ">500"), ("1000人以上", ">500"), ("很多", None)])
def test_company_sizes(word, key):
    from kehu.core.values import Resolver, size_key
    from kehu.repo.schema import SchemaSet

    assert size_key(word, Resolver(SchemaSet(None).vocabularies["size"])) == key


def test_text_is_trimmed_of_full_width_and_invisible_spaces():
    from kehu.core.values import clean_text, is_empty

    assert clean_text("\u3000 上海启明\xa0\u200b ") == "上海启明"
    assert clean_text(13800138000.0) == "13800138000"
    assert clean_text("#N/A") is None
    assert is_empty("-") and is_empty("  ") and not is_empty("0")


def test_amounts():
    from kehu.core.values import CellError, parse_number

    assert parse_number("120,000") == 120000 and parse_number("12万") == 120000
    assert parse_number("¥1.5万元") == 15000 and parse_number(99.5) == 99.5
    with pytest.raises(CellError):
        parse_number("面议")


def test_today_is_pinned():
    assert TODAY == "2024-06-01"


# --- opportunities (商机) -------------------------------------------------------------------------------


def test_a_customer_row_with_expected_amount_and_close_date_is_an_opportunity(repo, tmp_path):
    sheet = write_workbook(tmp_path / "商机.xlsx", {"客户": [
        ["客户名称", "所属行业", "负责人", "客户类型", "商机名称", "预计金额", "预计成交日期", "赢单概率"],
        ["上海启明科技有限公司", "I65", "lixia", "报价客户", "年度SaaS续约", "12万", "2024-06-30", "70%"],
        ["北京天成商贸有限公司", "F", "lixia", "潜在客户", None, 50000, None, None],  # no close date: no opportunity
    ]})
    run = repo.kehu("import", str(sheet))
    assert run.returncode == 1, run.stdout + run.stderr  # the half opportunity is reported, the customer imported
    assert "预计成交日期为空" in run.stdout
    by_name = {yaml.safe_load(p.read_text(encoding="utf-8"))["name"]: yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in repo.customers.glob("*.yaml")}
    [opp] = by_name["上海启明科技有限公司"]["opportunities"]
    assert (opp["what"], opp["amount"], str(opp["close"]), opp["probability"], opp["stage"]) == \
        ("年度SaaS续约", 120000, "2024-06-30", 0.7, "quoted")  # where the customer stands
    assert re.fullmatch(r"O20240630-[0-9a-f]{4}", opp["id"])
    assert "opportunities" not in by_name["北京天成商贸有限公司"]
    assert repo.check().errors == 0
    before = files(repo)
    again = repo.kehu("import", str(sheet))
    assert files(repo) == before  # the same opportunity is found again by its id
    assert "新建客户 0 个" in again.stdout


def test_an_opportunity_sheet_joins_its_customers(repo, tmp_path):
    sheet = write_workbook(tmp_path / "客户与商机.xlsx", {
        "客户信息": [["客户名称", "所属行业", "负责人"], ["上海启明科技有限公司", "I65", "lixia"]],
        "商机": [["客户名称", "名称", "金额", "阶段", "预计成交日期", "负责人"],
                ["上海启明科技有限公司", "定制开发", "30万", "谈判", "2024-08-15", "王芳"],
                ["不存在的公司", "培训", 1000, "接洽", "2024-08-15", "lixia"]]})
    run = repo.kehu("import", str(sheet))
    assert "商机（商机" in run.stdout or "（商机，" in run.stdout
    [data] = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in repo.customers.glob("*.yaml")]
    assert [(o["what"], o["amount"], o["stage"], o["owner"]) for o in data["opportunities"]] == \
        [("定制开发", 300000, "negotiating", "wangfang")]
    assert "不存在的公司" in run.stdout
