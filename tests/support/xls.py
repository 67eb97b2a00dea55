"""The rows of tests/io/data/legacy_customers.xls, and the script that wrote that file once.

Old CRMs and Excel 97-2003 still hand out ``.xls`` (BIFF8) files. No maintained Python package
writes them, so the test file is committed; it was made with xlwt 1.3.0, the last release of the
library that wrote BIFF8 (unmaintained since 2017, hence not a test dependency). To make it again
after changing ``SHEETS``::

    pip install --target some-folder xlwt==1.3.0
    PYTHONPATH=some-folder python -m tests.support.xls    # from the repository root

tests/io/test_import_xls.py imports the committed file and the same rows written as ``.xlsx`` and
expects the same customer files.
"""

from __future__ import annotations

import datetime as dt

from tests.support.paths import PROJECT

FIXTURE = PROJECT / "tests" / "io" / "data" / "legacy_customers.xls"

HEADERS = ["客户名称", "联系人", "联系电话", "邮箱", "所属行业", "客户类型", "负责人", "最近跟进时间", "跟进内容",
           "合作金额", "签约日期", "合同编号", "备注"]

# visible sheets, in order; what an old export looks like: a title row, dates as date cells, Excel serials
# and text, phones as numbers and as text, a duplicate customer, a row without a name
SHEETS: dict[str, list[list[object]]] = {
    "客户信息表": [
        ["客户信息登记表（旧系统导出）"],
        HEADERS,
        ["上海启明科技有限公司", "张伟", 13800138000.0, "zhang.wei@example.com", "软件和信息技术服务业", "签约客户",
         "李霞", dt.datetime(2024, 5, 10), "沟通Q2续约，客户对价格有疑问", 120000, dt.datetime(2024, 5, 20),
         "HT202405001", "老客户\n需要月底前回复"],
        [None] * 13,
        ["上海启明科技集团", "李娜", "139-0013-9000", None, "I65", "意向客户", "wangfang", "2024年5月12日",
         "电话确认报价细节", None, None, None, None],
        ["北京天成商贸有限公司", "王经理", "+86 137 0013 7000", None, "零售行业", "潜在客户", "lixia", 45400,
         "上门拜访：介绍产品 #1", None, None, None, "  yes  "],
        [None, "孙", 13600136000.0, None, "制造业", "潜在客户", "lixia", None, None, None, None, None, None],
    ],
    "跟进记录": [
        ["客户名称", "跟进日期", "跟进方式", "跟进内容", "跟进人"],
        ["上海启明科技", "2024-05-15", "电话", "确认合同条款，客户同意签约", "lixia"],
        ["北京天成商贸有限公司", dt.datetime(2024, 5, 20), "上门拜访", "现场演示产品，客户关注数据安全", "王芳"],
    ],
}

# a hidden sheet, as workbooks keep their drop-down lists: it must not be imported
HIDDEN = {"下拉选项": [["客户名称", "负责人"], ["隐藏表里的公司有限公司", "lixia"]]}


def main() -> None:
    import xlwt  # only here: the committed file is what the tests read

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in {**SHEETS, **HIDDEN}.items():
        sheet = book.add_sheet(name)
        if name in HIDDEN:
            sheet.visibility = 1  # BOUNDSHEET: hidden
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    FIXTURE.parent.mkdir(exist_ok=True)
    book.save(str(FIXTURE))
    print(f"wrote {FIXTURE.name} ({FIXTURE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
