"""Exports of the CRMs teams move from, generated the way those systems write them — for the import tests and
``benchmarks/bench_import.py``.

Each generator writes one export (or a set: Zoho's Accounts with its Contacts and Deals) of random companies and
returns what a person reading the old system would say is in it (:class:`Company`): each company under the
name it should keep, its owner, created date, last follow-up, deal in yuan, industry and phones — together
with what must not come through (placeholder contacts, ID numbers) and what the report must count (skipped
rows, rows whose owner left). Nothing here is shaped to kehu's code: the file holds what the system exports
(a merged title row, a group-header row, 万元 amounts, Excel serials, `May 31, 2025 07:00 AM`, a 合计 footer),
and the expectations are what the rows mean.

Companies are distinct by construction (a brand code word per company, synth.brand: any two differ in three
characters or more, so no two are a typing slip apart); the slips, placeholders and duplicates are planted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import synth

TODAY = dt.date(2026, 12, 1)   # after `17/09/2026 10:00`, the Zoho date
FALLBACK = "liuyang"           # --owner: who takes over the customers of people who left

TEAM_YAML = """\
members:
  - {handle: lixia, name: 李霞, email: lixia@example.com, git: lixia, role: sales}
  - {handle: wangfang, name: 王芳, email: wangfang@example.com, git: wangfang, role: sales}
  - {handle: zhaolei, name: 赵磊, email: zhaolei@example.com, git: zhaolei, role: sales}
  - {handle: chenjing, name: 陈静, email: chenjing@example.com, git: chenjing, role: sales}
  - {handle: liuyang, name: 刘洋, email: liuyang@example.com, git: liuyang, role: manager}
  - {handle: zhangsan, name: 张三, email: zhangsan@example.com, git: zhangsan, role: sales, active: false}
"""
OWNERS = {"李霞": "lixia", "王芳": "wangfang", "赵磊": "zhaolei", "陈静": "chenjing"}
DEPARTED = ["张三", "孙七"]    # 张三 left (active: false in team.yaml), 孙七 was never in it

PLACEHOLDER_PHONE = "13800000000"
PLACEHOLDER_EMAIL = "123@qq.com"

CITY_PINYIN = {"上海": "Shanghai", "北京": "Beijing", "深圳": "Shenzhen", "广州": "Guangzhou", "杭州": "Hangzhou",
               "南京": "Nanjing", "苏州": "Suzhou", "成都": "Chengdu", "武汉": "Wuhan", "西安": "Xi'an"}
CITIES = list(CITY_PINYIN)
# (the industry word of a Chinese name, its English word)
TRADES = [("科技", "Technology"), ("软件", "Software"), ("电子", "Electronics"), ("物流", "Logistics"),
          ("贸易", "Trading"), ("医疗器械", "Medical"), ("教育科技", "Education Technology")]


@dataclass
class Company:
    """One company of an export, as the book must hold it after the import."""

    name: str                                  # the name the customer must have
    owner: str                                 # its owner's handle (the fallback for one who left)
    created: dt.date | None = None
    last_contact: dt.date | None = None        # the last follow-up the old system recorded
    deal: int | None = None                    # what it bought, in yuan
    industry: str | None = None                # GB/T key, or 待确认
    stage: str | None = None
    phones: list[str] = field(default_factory=list)   # real numbers, stored as national digits
    old_ids: list[str] = field(default_factory=list)  # the old system's ids of its rows, kept in the notes
    rows: list[int] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)  # other ways its rows wrote its name (one company)
    turnover: int | None = None                # the company's own revenue: never its annual value to us
    opportunities: list[tuple[str, int, str]] = field(default_factory=list)  # (what, amount, kehu stage)
    contacts: list[str] = field(default_factory=list)  # contact names it must have
    flagged_with: str | None = None            # the company it must be flagged as a possible duplicate of


@dataclass
class Export:
    """One generated export and what it means."""

    files: list[Path]
    companies: list[Company]
    id_numbers: list[str] = field(default_factory=list)       # must be nowhere on disk after the import
    placeholders: set[str] = field(default_factory=set)       # contact values stored on no customer
    skipped: Counter[str] = field(default_factory=Counter)    # title / group_header / blank / summary rows
    fallback_rows: int = 0                                    # rows whose owner left
    dropped: int = 0                                          # single values that cannot be kept (an ID in a note)
    sheet: str = ""

    def company(self, name: str) -> Company:
        return next(c for c in self.companies if c.name == name)


# --- cells as the systems write them ------------------------------------------------------------------------


def national_id(rng: random.Random) -> str:
    """A well-formed mainland ID number (GB 11643: region, birth date, sequence, ISO 7064 check digit)."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))
    body = f"{rng.choice(['110105', '310104', '440305', '330106'])}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def chinese_date(day: dt.date, rng: random.Random) -> object:
    """A date the way Chinese exports and the people who edited them write it."""
    form = rng.randrange(5)
    if form == 0:
        return dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.choice([0, 15, 30])))  # a date cell
    if form == 1:
        return excel_serial(day)  # a date whose cell format was lost: an Excel serial number
    if form == 2:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 3:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%Y-%m-%d} {rng.randint(8, 19):02d}:{rng.choice([0, 30]):02d}"


def wan_amount(yuan: int, rng: random.Random) -> object:
    """An amount under a （万元） header: a bare number of 万, or a cell that writes its own unit."""
    form = rng.randrange(4)
    if form == 0:
        return yuan / 10000                     # 5.3
    if form == 1:
        return f"{yuan / 10000:g}万"             # 18.9万
    if form == 2:
        return f"{yuan:,}元"                    # 196,000元
    return round(yuan / 10000, 4)


def brand_names(n: int, seed: int) -> list[tuple[str, str, str]]:
    """n distinct (city, brand, industry word) of Chinese company names: brands are code words (synth.brand), taken
    in a scattered order (a bijection modulo the code's size), skipping those that repeat a character."""
    rng = random.Random(seed)
    k = synth.code_size(2 * n + 50)
    size = synth.P ** k
    out: list[tuple[str, str, str]] = []
    j = seed
    while len(out) < n:
        brand = synth.brand((j * 7919 + 1013) % size, k)
        j += 1
        if len(set(brand)) == len(brand):
            out.append((rng.choice(CITIES), brand, rng.choice(TRADES)[0]))
    return out


def english_name(city: str, brand: str, trade: str) -> str:
    """The English name such a company registers: pinyin of city and trade name, the industry in English."""
    from pypinyin import lazy_pinyin

    word = dict(TRADES)[trade]
    return f"{CITY_PINYIN[city]} {''.join(lazy_pinyin(brand)).capitalize()} {word} Co., Ltd."


def stray_space(name: str) -> str:
    """The same name typed with a stray space in its legal form: …有限公 司."""
    return f"{name[:-1]} {name[-1]}"


def broken_form(name: str) -> str:
    """The same name with the legal form cut short: …有限公 (the template's own example)."""
    return name[:-1]


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str, merge_title: int = 0) -> Path:
    """An .xlsx file as a Chinese CRM exports it: one sheet, its first row a title merged across
    ``merge_title`` columns."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=merge_title)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], bom: bool = True) -> Path:
    """A CSV file as Zoho, Salesforce and HubSpot export it: UTF-8 (with a BOM for Excel), CRLF."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8", newline="")
    return path


# --- 纷享销客 ------------------------------------------------------------------------------------------------

FXIAOKE_INDUSTRIES = [("IT/通信/电子/互联网", "I"), ("医疗健康", "Q"), ("教育培训", "P"), ("生产/加工/制造", "C"),
                      ("金融业", "J"), ("贸易/批发/零售/租赁业", "F"), ("其他", "待确认")]
FXIAOKE_HEADERS = ["客户名称", "客户编号", "客户级别", "成交状态", "负责人", "所属部门", "所属行业", "客户来源",
                   "人员规模", "联系人", "手机", "邮箱", "身份证号", "最后跟进时间", "成交金额（万元）", "详细地址",
                   "备注", "创建时间", "生命状态", "锁定状态"]


def fxiaoke(folder: Path, n: int = 60, seed: int = 1, today: dt.date = TODAY) -> Export:
    """纷享销客's 客户 export: a merged title row, a group-header row, then the rows — 万元 amounts written three
    ways, dates in every form, a 身份证号 column (and one in a note), placeholder phones and e-mails several
    companies were given, a phone two companies share, owners who left, the same company typed again with a
    stray space or a cut legal form, a homophone of another company (flagged, not merged), blank rows and a
    合计 footer."""
    rng = random.Random(seed)
    names = brand_names(n, seed)
    rows: list[list[Any]] = [
        [f"客户列表  导出时间：{today:%Y-%m-%d} 09:12  导出人：李霞"] + [None] * (len(FXIAOKE_HEADERS) - 1),
        ["基本信息", None, None, None, None, None, None, None, None, "联系信息", None, None, None, "跟进与成交",
         None, None, None, "系统信息", None, None],
        FXIAOKE_HEADERS,
    ]
    export = Export([], [], sheet="客户列表")
    export.skipped.update(title=1, group_header=1)
    shared_phone = synth.phone(90_000 + seed, rng)
    sharers = set(rng.sample(range(n), 2))
    pending: list[tuple[int, list[Any]]] = []  # (company index, row) — variants are placed among the others
    for i, (city, brand, trade) in enumerate(names):
        label, industry = rng.choice(FXIAOKE_INDUSTRIES)
        name = f"{city}{brand}{trade}{rng.choice(['有限公司', '有限公司', '股份有限公司'])}"
        owner_name = rng.choice(DEPARTED) if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = today - dt.timedelta(days=rng.randint(200, 1500))
        last = created + dt.timedelta(days=rng.randint(0, (today - created).days)) if rng.random() < 0.85 else None
        state = rng.choice(["未成交", "未成交", "已成交", "多次成交"])
        yuan = rng.randint(5, 400) * 1000 if state != "未成交" else None
        person = synth.person(rng)[0]
        phone = shared_phone if i in sharers else PLACEHOLDER_PHONE if rng.random() < 0.12 else synth.phone(i, rng)
        email = PLACEHOLDER_EMAIL if rng.random() < 0.1 else f"c{seed}x{i}@example.com"
        idno = national_id(rng) if rng.random() < 0.5 else None
        note = f"法人身份证 {national_id(rng)}" if rng.random() < 0.05 else rng.choice(["老客户", "展会认识", None])
        old_id = f"KH{created:%Y%m%d}{i:04d}"
        company = Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created, last_contact=last,
                          deal=yuan, industry=industry, stage="won" if yuan else None,
                          phones=[] if phone == PLACEHOLDER_PHONE else [phone], old_ids=[old_id], contacts=[person])
        export.companies.append(company)
        export.fallback_rows += owner_name in DEPARTED
        if phone == PLACEHOLDER_PHONE:
            export.placeholders.add(PLACEHOLDER_PHONE)
        if email == PLACEHOLDER_EMAIL:
            export.placeholders.add(PLACEHOLDER_EMAIL)
        for found in (idno, note if note and note.startswith("法人") else None):
            if found:
                export.id_numbers.append(found.split()[-1])
        export.dropped += bool(note and note.startswith("法人"))
        level = rng.choice(["A（重要客户）", "B（普通客户）", "C（非优先客户）"])
        source = rng.choice(["线上推广", "行业展会", "客户转介绍", "主动拜访"])
        row = [name, old_id, level, state, owner_name, "销售一部", label, source, rng.choice(["50-200人", "500人以上"]),
               person, phone, email, idno, chinese_date(last, rng) if last else None,
               wan_amount(yuan, rng) if yuan else None, f"{city}市{rng.choice(['浦东新区', '高新区'])}科技路{i + 1}号",
               note, chinese_date(created, rng), "正常", "未锁定"]
        pending.append((i, row))
        if rng.random() < 0.08:  # the same company typed again by someone else: another contact, its own old id
            variant = rng.choice([stray_space, broken_form])(name)
            other = synth.person(rng)[0]
            other_phone = synth.phone(50_000 + i, rng)
            later = today - dt.timedelta(days=rng.randint(1, 60))
            v_id = f"KH{created:%Y%m%d}{i:04d}B"
            pending.append((i, [variant, v_id, "B（普通客户）", "未成交", owner_name, "销售二部", label, "客户转介绍",
                                "50-200人", other, other_phone, None, None, chinese_date(later, rng), None, None, None,
                                chinese_date(created, rng), "正常", "未锁定"]))
            company.variants.append(variant)
            company.old_ids.append(v_id)
            company.phones.append(other_phone)
            company.contacts.append(other)
            company.last_contact = max(d for d in (last, later) if d)
            export.fallback_rows += owner_name in DEPARTED
    # one company typed with a homophone: to kehu another company, flagged as a possible duplicate, never merged
    base = export.companies[0]
    homophone = _homophone(base.name)
    if homophone:
        created = today - dt.timedelta(days=300)
        pending.append((n, [homophone, "KH-H-1", "C（非优先客户）", "未成交", "李霞", "销售一部", "其他", "主动拜访",
                            "50-200人", "吴刚", synth.phone(70_000 + seed, rng), None, None, None, None, None, None,
                            chinese_date(created, rng), "正常", "未锁定"]))
        export.companies.append(Company(name=homophone, owner="lixia", created=created, industry="待确认",
                                        old_ids=["KH-H-1"], flagged_with=base.name))
    rng.shuffle(pending)
    by_written = {written: c for c in export.companies for written in (c.name, *c.variants)}
    for k, (_, row) in enumerate(pending):
        if k and k % 25 == 0:
            rows.append([None] * len(FXIAOKE_HEADERS))  # blank rows between the pages of the export
            export.skipped["blank"] += 1
        rows.append(row)
        by_written[row[0]].rows.append(len(rows))
    rows.append([f"合计：{len(pending)} 条"] + [None] * (len(FXIAOKE_HEADERS) - 1))
    export.skipped["summary"] += 1
    path = write_xlsx(folder / f"纷享销客客户导出_{seed}.xlsx", rows, "客户列表", merge_title=len(FXIAOKE_HEADERS))
    export.files.append(path)
    return export


def _homophone(name: str) -> str | None:
    """``name`` with one character of its trade name swapped for a homophone the pinyin input method offers."""
    from kehu.core.names import homophone

    pool = synth.BRAND_CHARS + "鸣铭名民敏旻"
    for i in range(2, min(len(name), 6)):
        for ch in pool:
            if ch != name[i] and homophone(name[i], ch):
                return name[:i] + ch + name[i + 1:]
    return None


# --- Zoho CRM: Accounts, Contacts, Deals ------------------------------------------------------------------------

ZOHO_INDUSTRIES = [("Technology", "I"), ("Manufacturing", "C"), ("Health Care", "Q"), ("Financial Services", "J"),
                   ("Data/Telecom OEM", "C39"), ("Large Enterprise", "待确认")]
ZOHO_TYPES = [("Customer", "won"), ("Prospect", "lead"), ("Partner", "contacted")]
ZOHO_STAGES = [("Qualification", "contacted"), ("Proposal/Price Quote", "quoted"),
               ("Negotiation/Review", "negotiating"), ("Closed Won", "won"), ("Closed Lost", "lost")]


def zoho_time(when: dt.datetime) -> str:
    """Zoho's list format: May 31, 2025 07:00 AM."""
    return when.strftime("%b %d, %Y %I:%M %p")


def zoho(folder: Path, n: int = 33, seed: int = 2, today: dt.date = TODAY) -> Export:
    """Zoho CRM's Accounts export (CSV, English headers; Created Time as `May 31, 2025 07:00 AM`, Last Activity
    Time as `17/09/2026 10:00`), with its Contacts and Deals: the Annual Revenue of each account (its own
    turnover), Account Type, Zoho's industry picklist, owners who left, a placeholder phone many accounts were
    given, one company once in Chinese and once in English."""
    rng = random.Random(seed)
    names = brand_names(n, seed + 100)
    accounts = [["Record Id", "Account Owner", "Account Name", "Phone", "Website", "Account Type", "Industry",
                 "Annual Revenue", "Employees", "Billing Street", "Billing City", "Billing State", "Billing Country",
                 "Description", "Created Time", "Modified Time", "Last Activity Time", "Tag", "Rating"]]
    contacts = [["Record Id", "Contact Owner", "First Name", "Last Name", "Account Name", "Email", "Title", "Phone",
                 "Mobile", "Date of Birth", "Created Time", "Modified Time", "Last Activity Time"]]
    deals = [["Record Id", "Deal Owner", "Deal Name", "Amount", "Closing Date", "Account Name", "Stage",
              "Probability (%)", "Created Time", "Modified Time", "Description", "Reason For Loss"]]
    export = Export([], [], sheet="Accounts")
    for i, (city, brand, trade) in enumerate(names):
        english = i % 6 == 5
        name = english_name(city, brand, trade) if english else f"{city}{brand}{trade}有限公司"
        owner_name = DEPARTED[0] if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = dt.datetime.combine(today - dt.timedelta(days=rng.randint(100, 1200)), dt.time(rng.randint(7, 18)))
        last = created + dt.timedelta(days=rng.randint(0, (today - created.date()).days))
        label, industry = rng.choice(ZOHO_INDUSTRIES)
        kind, stage = rng.choice(ZOHO_TYPES)
        placeholder = rng.random() < 0.15
        phone = PLACEHOLDER_PHONE if placeholder else synth.phone(i + 300, rng)
        revenue = rng.randint(1, 900) * 100_000
        record = f"zcrm_57257670000{i:08d}"
        company = Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created.date(),
                          last_contact=last.date(), industry=industry, stage=stage, turnover=revenue,
                          phones=[] if placeholder else [phone], old_ids=[record])
        export.fallback_rows += owner_name in DEPARTED
        if placeholder:
            export.placeholders.add(PLACEHOLDER_PHONE)
        accounts.append([record, owner_name, name, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", f"www.{brand}.cn",
                         kind, label, revenue, rng.choice([45, 180, 320, 1200]), f"{i + 1} Keyuan Road",
                         CITY_PINYIN[city], "", "China", "Met at the Shanghai expo", zoho_time(created),
                         zoho_time(last), last.strftime("%d/%m/%Y %H:%M"), "", rng.choice(["Active", "Acquired"])])
        company.rows.append(len(accounts))
        export.companies.append(company)
        for k in range(rng.randint(0, 2)):
            first, last_name = rng.choice(["Wei", "Na", "Qiang", "Min"]), rng.choice(["Zhang", "Li", "Wang", "Chen"])
            mail = f"{first}.{last_name}{i}{k}@example.com"
            contacts.append([f"zcrm_c{i}{k}", owner_name, first, last_name, name, mail, "Purchasing Manager", "",
                             synth.phone(i * 10 + k + 5000, rng), "", zoho_time(created), zoho_time(created), ""])
            company.contacts.append(f"{first} {last_name}")
        for k in range(rng.randint(0, 2)):
            what, (label_stage, opp_stage) = f"Deal {brand} {k + 1}", rng.choice(ZOHO_STAGES)
            amount = rng.randint(2, 80) * 5000
            close = today + dt.timedelta(days=rng.randint(-120, 200)) if opp_stage not in ("won", "lost") else \
                today - dt.timedelta(days=rng.randint(1, 200))
            deals.append([f"zcrm_d{i}{k}", owner_name, what, amount, close.strftime("%d/%m/%Y"), name, label_stage,
                          "", zoho_time(created), zoho_time(created), "", "Price" if opp_stage == "lost" else ""])
            company.opportunities.append((what, amount, opp_stage))
            export.fallback_rows += owner_name in DEPARTED
    # the first Chinese account again under its English name: another record, flagged, never merged
    first = export.companies[0]
    city, brand, trade = names[0]
    english = english_name(city, brand, trade)
    created = dt.datetime.combine(today - dt.timedelta(days=50), dt.time(9))
    accounts.append(["zcrm_5725767000099999999", "李霞", english, "", "", "Prospect", "Technology", "", "", "",
                     CITY_PINYIN[city], "", "China", "", zoho_time(created), zoho_time(created), "", "", ""])
    export.companies.append(Company(name=english, owner="lixia", created=created.date(), industry="I", stage="lead",
                                    old_ids=["zcrm_5725767000099999999"], rows=[len(accounts)],
                                    flagged_with=first.name))
    export.files += [write_csv(folder / f"Accounts_{seed}.csv", accounts),
                     write_csv(folder / f"Contacts_{seed}.csv", contacts),
                     write_csv(folder / f"Deals_{seed}.csv", deals)]
    return export


# --- Salesforce and HubSpot -----------------------------------------------------------------------------------

SALESFORCE_INDUSTRIES = [("Technology", "I"), ("Manufacturing", "C"), ("Healthcare", "Q"), ("Banking", "J66"),
                         ("Other", "待确认")]
SALESFORCE_TYPES = [("Customer - Direct", "won"), ("Prospect", "lead"), ("Channel Partner / Reseller", "contacted")]


def salesforce(folder: Path, n: int = 30, seed: int = 3, today: dt.date = TODAY) -> Export:
    """A Salesforce Accounts report exported as CSV ("Export Details"): US dates (5/31/2025), Type, the standard
    Industry picklist, Annual Revenue (the account's own), Last Activity."""
    rng = random.Random(seed)
    rows = [["Account Name", "Account Owner", "Type", "Industry", "Annual Revenue", "Employees", "Billing City",
             "Billing State/Province", "Billing Country", "Phone", "Website", "Account Source", "Created Date",
             "Last Activity", "Description"]]
    export = Export([], [], sheet="report")
    for i, (city, brand, trade) in enumerate(brand_names(n, seed + 200)):
        name = english_name(city, brand, trade) if i % 2 else f"{city}{brand}{trade}有限公司"
        owner_name = DEPARTED[1] if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = today - dt.timedelta(days=rng.randint(100, 1500))
        last = created + dt.timedelta(days=rng.randint(0, (today - created).days)) if rng.random() < 0.9 else None
        label, industry = rng.choice(SALESFORCE_INDUSTRIES)
        kind, stage = rng.choice(SALESFORCE_TYPES)
        phone = synth.phone(i + 700, rng)
        revenue = rng.randint(1, 500) * 1_000_000
        rows.append([name, owner_name, kind, label, f"{revenue:,}", rng.choice([50, 250, 1000]), CITY_PINYIN[city],
                     "", "China", f"+86-{phone}", f"https://{brand}.example.cn", "Trade Show",
                     f"{created.month}/{created.day}/{created.year}",
                     f"{last.month}/{last.day}/{last.year}" if last else "", ""])
        export.fallback_rows += owner_name in DEPARTED
        export.companies.append(Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created,
                                        last_contact=last, industry=industry, stage=stage, turnover=revenue,
                                        phones=[phone], rows=[len(rows)]))
    export.files.append(write_csv(folder / f"report{seed}.csv", rows))
    return export


HUBSPOT_INDUSTRIES = [("COMPUTER_SOFTWARE", "I65"), ("Hospital & Health Care", "Q"),
                      ("Logistics and Supply Chain", "G"), ("Retail", "F52"), ("Wine and Spirits", "待确认")]
HUBSPOT_STAGES = [("Appointment Scheduled", "contacted"), ("Contract Sent", "negotiating"), ("Closed Won", "won"),
                  ("Closed Lost", "lost")]


def hubspot(folder: Path, n: int = 30, seed: int = 4, today: dt.date = TODAY) -> Export:
    """HubSpot's Companies and Deals exports (CSV): Create Date as `2025-05-31 14:30`, Last Activity Date and
    Last Contacted (the later one is the last contact), Lifecycle Stage, the Industry property (its internal value
    or its label), Annual Revenue, deals associated with their company."""
    rng = random.Random(seed)
    companies = [["Record ID", "Company name", "Company owner", "Create Date", "Last Activity Date", "Last Contacted",
                  "Lifecycle Stage", "Industry", "Annual Revenue", "Number of Employees", "City", "State/Region",
                  "Country/Region", "Phone Number", "Company Domain Name"]]
    deals = [["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal owner", "Create Date",
              "Associated Company", "Pipeline"]]
    export = Export([], [], sheet="companies")
    for i, (city, brand, trade) in enumerate(brand_names(n, seed + 300)):
        name = f"{city}{brand}{trade}有限公司"
        owner_name = DEPARTED[0] if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = dt.datetime.combine(today - dt.timedelta(days=rng.randint(100, 1200)),
                                      dt.time(rng.randint(8, 18), 30))
        activity = created + dt.timedelta(days=rng.randint(0, (today - created.date()).days))
        contacted = created + dt.timedelta(days=rng.randint(0, (today - created.date()).days))
        label, industry = rng.choice(HUBSPOT_INDUSTRIES)
        lifecycle, stage = rng.choice([("Lead", "lead"), ("Customer", "won"), ("Opportunity", "quoted")])
        record = str(9_000_000 + i)
        companies.append([record, name, owner_name, created.strftime("%Y-%m-%d %H:%M"),
                          activity.strftime("%Y-%m-%d %H:%M"), contacted.strftime("%Y-%m-%d %H:%M"),
                          lifecycle, label, rng.randint(1, 90) * 1_000_000,
                          rng.choice([20, 200, 2000]), CITY_PINYIN[city], "", "China", "", f"{brand}.example.cn"])
        export.fallback_rows += owner_name in DEPARTED
        company = Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created.date(),
                          last_contact=max(activity, contacted).date(), industry=industry, stage=stage,
                          old_ids=[record], rows=[len(companies)])
        export.companies.append(company)
        for k in range(rng.randint(0, 2)):
            label_stage, stage = rng.choice(HUBSPOT_STAGES)
            amount = rng.randint(1, 60) * 10_000
            close = today + dt.timedelta(days=rng.randint(10, 150)) if stage not in ("won", "lost") else \
                today - dt.timedelta(days=rng.randint(5, 90))
            deals.append([str(8_000_000 + i * 10 + k), f"{brand} 项目 {k + 1}", label_stage, amount,
                          close.strftime("%Y-%m-%d"), owner_name, created.strftime("%Y-%m-%d %H:%M"), name,
                          "Sales Pipeline"])
            company.opportunities.append((f"{brand} 项目 {k + 1}", amount, stage))
            export.fallback_rows += owner_name in DEPARTED
    export.files += [write_csv(folder / f"hubspot-crm-exports-companies-{seed}.csv", companies),
                     write_csv(folder / f"hubspot-crm-exports-deals-{seed}.csv", deals)]
    return export


# --- 销售易, 钉钉 CRM, 企业微信 --------------------------------------------------------------------------------

NEOCRM_INDUSTRIES = [("信息技术", "I"), ("制造", "C"), ("医疗", "Q"), ("零售", "F52"), ("其他", "待确认")]


def neocrm(folder: Path, n: int = 30, seed: int = 5, today: dt.date = TODAY) -> Export:
    """销售易's 客户 export (xlsx): 客户所有人, 行业, 电话, 省份/城市/详细地址, 最新跟进时间, 创建日期."""
    rng = random.Random(seed)
    headers = ["客户名称", "客户所有人", "所属部门", "客户级别", "行业", "电话", "网址", "省份", "城市", "区县",
               "详细地址", "最新跟进时间", "创建日期", "创建人", "备注"]
    rows: list[list[Any]] = [headers]
    export = Export([], [], sheet="客户")
    for i, (city, brand, trade) in enumerate(brand_names(n, seed + 400)):
        name = f"{city}{brand}{trade}有限公司"
        owner_name = DEPARTED[1] if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = today - dt.timedelta(days=rng.randint(100, 1500))
        last = created + dt.timedelta(days=rng.randint(0, (today - created).days))
        label, industry = rng.choice(NEOCRM_INDUSTRIES)
        phone = synth.phone(i + 900, rng)
        rows.append([name, owner_name, "华东销售部", rng.choice(["重要客户", "普通客户"]), label, phone,
                     f"www.{brand}.cn", "上海" if city == "上海" else "浙江", city, "", f"{city}市科技园{i + 1}号",
                     chinese_date(last, rng), f"{created:%Y-%m-%d}", "李霞", None])
        export.fallback_rows += owner_name in DEPARTED
        export.companies.append(Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created,
                                        last_contact=last, industry=industry, phones=[phone], rows=[len(rows)]))
    export.files.append(write_xlsx(folder / f"客户_{seed}.xlsx", rows, "客户"))
    return export


DINGTALK_INDUSTRIES = [("互联网/IT", "I"), ("制造业", "C"), ("教育", "P"), ("医疗", "Q"), ("其他", "待确认")]


def dingtalk(folder: Path, n: int = 30, seed: int = 6, today: dt.date = TODAY) -> Export:
    """钉钉 CRM's 客户 export (xlsx): 负责人 / 协同人, 客户状态, 客户行业, 联系人电话, 最近跟进时间 and 下次跟进时间."""
    rng = random.Random(seed)
    headers = ["客户名称", "负责人", "协同人", "客户状态", "客户来源", "客户行业", "联系人", "联系人电话", "地址",
               "最近跟进时间", "下次跟进时间", "创建人", "创建时间", "最后修改时间", "备注"]
    rows: list[list[Any]] = [headers]
    export = Export([], [], sheet="客户")
    states = [("潜在客户", "lead"), ("意向客户", "contacted"), ("成交客户", "won")]
    for i, (city, brand, trade) in enumerate(brand_names(n, seed + 500)):
        name = f"{city}{brand}{trade}有限公司"
        owner_name = DEPARTED[0] if rng.random() < 0.15 else rng.choice(list(OWNERS))
        created = today - dt.timedelta(days=rng.randint(100, 1500))
        last = created + dt.timedelta(days=rng.randint(0, (today - created).days))
        label, industry = rng.choice(DINGTALK_INDUSTRIES)
        state, stage = rng.choice(states)
        person = synth.person(rng)[0]
        phone = synth.phone(i + 1100, rng)
        rows.append([name, owner_name, "王芳", state, "行业展会", label, person, phone, f"{city}市软件园{i + 1}号",
                     f"{last:%Y-%m-%d %H:%M}", None, "李霞", f"{created:%Y-%m-%d %H:%M}", f"{today:%Y-%m-%d}", None])
        export.fallback_rows += owner_name in DEPARTED
        export.companies.append(Company(name=name, owner=OWNERS.get(owner_name, FALLBACK), created=created,
                                        last_contact=last, industry=industry, stage=stage, phones=[phone],
                                        contacts=[person], rows=[len(rows)]))
    export.files.append(write_xlsx(folder / f"钉钉客户_{seed}.xlsx", rows, "客户"))
    return export


def wecom(folder: Path, n: int = 20, seed: int = 7, today: dt.date = TODAY) -> Export:
    """企业微信's 客户联系 export (xlsx): one row per external contact — 客户名称 is the person, 企业名称 their
    company (several persons of one company, newest first; a person with no company is a customer of their own),
    添加人 the colleague, 添加时间 when."""
    rng = random.Random(seed)
    headers = ["客户名称", "客户类型", "性别", "企业名称", "备注名", "描述", "标签", "添加人", "添加人所属部门",
               "添加时间", "添加渠道", "备注手机号"]
    rows: list[list[Any]] = [headers]
    export = Export([], [], sheet="客户列表")
    entries = []
    for i, (city, brand, trade) in enumerate(brand_names(n, seed + 600)):
        name = f"{city}{brand}{trade}有限公司"
        owner_name = rng.choice(list(OWNERS))
        company = Company(name=name, owner=OWNERS[owner_name])
        added = []
        for k in range(rng.randint(1, 3)):
            person = synth.person(rng)[0]
            when = dt.datetime.combine(today - dt.timedelta(days=rng.randint(30, 900)), dt.time(10, 5))
            phone = synth.phone(i * 5 + k + 1300, rng)
            entries.append((when, [person, "微信", rng.choice(["男", "女"]), name, f"{person}-{brand}", "", "",
                                   owner_name, "销售一部", f"{when:%Y-%m-%d %H:%M:%S}", "扫描二维码", phone], company))
            added.append(when.date())
            company.contacts.append(person)
            company.phones.append(phone)
        company.created = min(added)
        export.companies.append(company)
    person = synth.person(rng)[0]  # a person who is a customer of their own
    when = dt.datetime.combine(today - dt.timedelta(days=40), dt.time(15))
    solo = Company(name=person, owner="wangfang", created=when.date(), contacts=[person])
    entries.append((when, [person, "微信", "女", None, person, "", "", "王芳", "销售二部", f"{when:%Y-%m-%d %H:%M:%S}",
                           "名片分享", None], solo))
    export.companies.append(solo)
    entries.sort(key=lambda e: e[0], reverse=True)  # the export lists the newest first
    for _, row, company in entries:
        rows.append(row)
        company.rows.append(len(rows))
    export.files.append(write_xlsx(folder / f"企业微信客户_{seed}.xlsx", rows, "客户列表"))
    return export


KINDS = {"fxiaoke": fxiaoke, "zoho": zoho, "salesforce": salesforce, "hubspot": hubspot, "neocrm": neocrm,
         "dingtalk": dingtalk, "wecom": wecom}
