"""Every column a customer spreadsheet may have, and which field of a customer file it fills.

One table serves both directions: the exporters write these headers (the schema's
titles, Chinese or English) and the importer recognises them, together with the
words teams actually use (客户名称 / 公司名称 / Company, 手机号 / 联系电话 / Phone …),
so an export always imports back. A column is addressed by a *path*:

- a top-level field of the customer file (``name``, ``industry``, ``owner``, any field a
  team added to its schema), or ``next_action.date`` / ``next_action.action``;
- ``contact.<field>``, ``interaction.<field>``, ``deal.<field>``, ``survey.<field>``,
  ``complaint.<field>``: one entry of that list;
- a few columns that need reading: ``next_action`` ('2024-06-10：发送报价单'),
  ``contact.info`` (电话与邮箱 in one cell), ``history`` (互动历史: several dated
  entries), ``address`` (the region is taken from it), ``status`` (客户状态: a stage
  when it names one);
- ``derived.<fact>`` (computed by kehu: ignored on import) and ``ignore``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..schema import SchemaSet

KINDS = ("customers", "contacts", "interactions", "deals", "surveys", "complaints")
# a child sheet's kind -> (record prefix in paths, list field in the customer file)
CHILD = {"contacts": ("contact", "contacts"), "interactions": ("interaction", "interactions"),
         "deals": ("deal", "deals"), "surveys": ("survey", "surveys"), "complaints": ("complaint", "complaints")}
PREFIX_KIND = {prefix: kind for kind, (prefix, _) in CHILD.items()}
LIST_OF = {prefix: key for prefix, key in CHILD.values()}
REF_PATHS = ("id", "name")  # in a child sheet: which customer the row belongs to
SPECIAL = ("next_action", "next_action.date", "next_action.action", "contact.info", "history", "address", "status")
DERIVED = ("status", "class", "value_level", "last_contact", "due_date", "due_reason", "frequency")
IGNORE = "ignore"

# header words -> path, for any sheet (normalised with hkey before use)
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("客户编号", "客户ID", "客户编码", "客户代码", "客户号", "编号", "customer id", "customer no",
           "customer number", "client id", "account id", "id"),
    "name": ("客户名称", "客户全称", "公司名称", "企业名称", "单位名称", "公司全称", "客户单位", "公司", "客户",
             "客户名", "企业", "单位", "company", "company name", "customer", "customer name", "client", "client name",
             "account", "account name", "organization", "organisation"),
    "industry": ("所属行业", "行业", "行业分类", "行业类别", "所在行业", "industry", "sector"),
    "stage": ("客户类型", "客户阶段", "阶段", "销售阶段", "商机阶段", "跟进阶段", "漏斗阶段", "当前阶段", "stage",
              "sales stage", "lifecycle stage", "customer type", "pipeline stage"),
    "lost_from": ("流失前阶段", "lost from"),
    "owner": ("负责人", "客户负责人", "销售负责人", "销售代表", "客户经理", "归属人", "所属销售", "业务员", "销售人员",
              "跟进负责人", "owner", "account owner", "sales rep", "salesperson", "account manager"),
    "created": ("创建日期", "创建时间", "建档日期", "建档时间", "录入日期", "录入时间", "登记日期", "首次接触日期",
                "首次联系日期", "created", "created at", "created on", "date created", "creation date"),
    "size": ("企业规模", "公司规模", "规模", "员工人数", "员工规模", "人员规模", "size", "company size", "employees",
             "headcount"),
    "region": ("所在地区", "地区", "区域", "省市", "城市", "所在城市", "所在地", "省份", "region", "city", "province",
               "location", "area"),
    "address": ("企业地址", "公司地址", "地址", "注册地址", "办公地址", "address", "company address"),
    "source": ("客户来源", "来源", "来源渠道", "获客渠道", "线索来源", "source", "lead source"),
    "class": ("关系分类", "客户分类", "客户等级", "客户级别", "客户分级", "分类", "class", "customer class", "tier"),
    "class_reason": ("分类理由", "分类原因", "class reason"),
    "annual_value": ("年合作金额", "年度合作金额", "年采购额", "年交易额", "年合同额", "annual value"),
    "cooperation_since": ("合作起始日期", "合作开始日期", "首次合作日期", "合作开始时间", "cooperating since"),
    "repurchase_rate": ("复购率", "repurchase rate"),
    "tags": ("需求标签", "需求特征", "客户标签", "标签", "tags", "need tags"),
    "risks": ("风险标签", "风险", "风险提示", "risk tags", "risks"),
    "needs": ("需求痛点", "需求描述", "需求", "痛点", "客户需求", "needs", "pain points", "requirements"),
    "budget": ("预算", "预算范围", "budget"),
    "decision_process": ("决策流程", "决策链", "decision process"),
    "next_action": ("下一步计划", "跟进计划", "下一步", "下次跟进计划", "后续计划", "下一步行动", "next step",
                    "next action", "follow-up plan", "next steps"),
    "next_action.date": ("下一步日期", "下次跟进日期", "下次跟进时间", "计划跟进日期", "next action date",
                         "next follow-up date"),
    "quiet_until": ("静默期至", "静默期", "暂停跟进至", "quiet until"),
    "quiet_reason": ("静默原因", "quiet reason"),
    "notes": ("备注", "备注信息", "说明", "附注", "其他说明", "remarks", "notes", "memo"),
    "status": ("客户状态", "状态标签"),
    "contact.name": ("联系人", "联系人姓名", "客户联系人", "主要联系人", "主要对接人", "contact", "contact name",
                     "contact person"),
    "contact.title": ("职务", "职位", "联系人职务", "联系人职位", "title", "job title", "position"),
    "contact.phone": ("手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "联系人电话", "联系人手机",
                      "移动电话", "phone", "mobile", "mobile phone", "cell", "cell phone", "telephone", "tel"),
    "contact.email": ("邮箱", "电子邮箱", "电子邮件", "邮件地址", "联系人邮箱", "email", "e-mail", "email address"),
    "contact.wechat": ("微信", "微信号", "wechat", "wechat id"),
    "contact.birthday": ("生日", "联系人生日", "birthday"),
    "contact.primary": ("主要联系人是否", "是否主要联系人", "primary", "primary contact", "is primary"),
    "contact.info": ("联系方式", "联系信息", "contact info", "contact details"),
    "interaction.date": ("跟进日期", "跟进时间", "最近跟进时间", "最近跟进日期", "最后联系日期", "最后跟进日期",
                         "最近联系时间", "最近联系日期", "沟通日期", "沟通时间", "联系日期", "拜访日期", "互动日期",
                         "last contact", "last contacted", "follow-up date", "interaction date", "contact date",
                         "activity date"),
    "interaction.channel": ("跟进方式", "沟通方式", "拜访方式", "互动方式", "沟通渠道", "interaction channel",
                            "activity type", "channel"),
    "interaction.by": ("跟进人", "记录人", "拜访人", "沟通人", "跟进销售", "by", "logged by"),
    "interaction.contact": ("对接人", "客户对接人", "沟通对象", "拜访对象", "customer contact"),
    "interaction.summary": ("跟进内容", "沟通内容", "沟通记录", "拜访内容", "互动内容", "沟通主题", "跟进记录",
                            "summary", "discussion"),
    "interaction.outcome": ("跟进结果", "客户反馈", "沟通结果", "客户反馈结果", "outcome", "feedback"),
    "history": ("互动历史", "历史互动", "沟通历史", "跟进历史", "history", "interaction history"),
    "deal.contract": ("合同编号", "合同号", "合同", "contract", "contract no", "contract number"),
    "deal.product": ("合作产品服务", "产品服务", "合作产品", "产品", "产品名称", "服务项目", "product",
                     "product or service", "service"),
    "deal.amount": ("合作金额", "合同金额", "成交金额", "签约金额", "金额", "amount", "deal amount", "contract value"),
    "deal.signed": ("签约日期", "签订日期", "成交日期", "合同日期", "signed", "signing date", "close date"),
    "survey.date": ("调查日期", "回访日期", "survey date"),
    "survey.quality": ("产品质量", "质量评分", "product quality"),
    "survey.attitude": ("服务态度", "service attitude"),
    "survey.response": ("响应速度", "response speed"),
    "survey.after_sales": ("售后服务", "售后", "after-sales", "after sales"),
    "survey.comment": ("意见建议", "意见", "建议", "客户意见", "comment"),
    "complaint.date": ("投诉日期", "投诉时间", "complaint date"),
    "complaint.category": ("投诉类别", "投诉类型", "投诉分类", "complaint category"),
    "complaint.content": ("投诉内容", "投诉描述", "投诉事项", "complaint"),
    "complaint.handler": ("处理人", "handler"),
    "complaint.status": ("处理状态", "complaint status"),
    "complaint.resolved": ("解决日期", "处理完成日期", "完成日期", "resolved", "resolved on"),
    "complaint.result": ("处理结果", "解决方案", "result"),
    IGNORE: ("序号", "行号", "no", "工作表", "原因", "sheet", "row", "reason"),
}

# words whose meaning depends on the sheet (日期 is a signing date on a deals sheet)
BY_KIND: dict[str, dict[str, str]] = {
    "customers": {"名称": "name", "姓名": "name", "类型": "stage", "状态": "status", "内容": "notes", "name": "name",
                  "渠道": "source", "type": "stage", "status": "status"},
    "contacts": {"姓名": "contact.name", "名字": "contact.name", "name": "contact.name", "联系人": "contact.name",
                 "主要联系人": "contact.primary", "备注": IGNORE},
    "interactions": {"日期": "interaction.date", "时间": "interaction.date", "方式": "interaction.channel",
                     "类型": "interaction.channel", "联系方式": "interaction.channel", "渠道": "interaction.channel",
                     "内容": "interaction.summary", "记录": "interaction.summary", "备注": "interaction.outcome",
                     "结果": "interaction.outcome", "反馈": "interaction.outcome", "负责人": "interaction.by",
                     "销售": "interaction.by", "人员": "interaction.by", "联系人": "interaction.contact",
                     "date": "interaction.date", "type": "interaction.channel", "notes": "interaction.outcome",
                     "result": "interaction.outcome", "owner": "interaction.by", "contact": "interaction.contact"},
    "deals": {"日期": "deal.signed", "名称": "deal.product", "date": "deal.signed", "value": "deal.amount",
              "负责人": IGNORE, "备注": IGNORE},
    "surveys": {"日期": "survey.date", "备注": "survey.comment", "评价": "survey.comment", "date": "survey.date",
                "notes": "survey.comment"},
    "complaints": {"日期": "complaint.date", "内容": "complaint.content", "类别": "complaint.category",
                   "类型": "complaint.category", "状态": "complaint.status", "结果": "complaint.result",
                   "负责人": "complaint.handler", "date": "complaint.date", "category": "complaint.category",
                   "status": "complaint.status", "备注": "complaint.result"},
}

# sheet names -> kind, tried in this order (客户跟进记录表 is interactions, not customers)
SHEET_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("interactions", ("跟进", "沟通", "拜访", "互动", "联络记录", "interaction", "activit", "follow")),
    ("deals", ("合作记录", "合同", "销售记录", "成交", "订单", "deal", "contract", "order")),
    ("surveys", ("满意度", "调查", "回访评分", "survey")),
    ("complaints", ("投诉", "complaint")),
    ("contacts", ("联系人", "contact")),
    ("customers", ("客户", "customer", "client", "account", "漏斗", "线索")),
)

_CUSTOMER_ONLY_IGNORED = {"id", "name", "owner", "notes", "status", "address"}


def hkey(text: Any) -> str:
    """A header as compared: width- and case-folded, without spaces, punctuation or a bracketed
    hint ('金额(元)', '客户名称*', 'Customer_ID' -> '金额', '客户名称', 'customerid')."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    unbracketed = re.sub(r"[(\[【（][^)\]】）]*[)\]】）]", "", folded)
    folded = unbracketed if unbracketed.strip() else folded
    return re.sub(r"[\s*＊:：_\-./\\#?？、·]+", "", folded)


def is_derived_header(text: Any) -> bool:
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return "自动" in folded or "(auto)" in folded or "（auto）" in folded


@dataclass
class Column:
    index: int
    header: str
    path: str | None            # None: not recognised
    derived: bool = False
    source: str = "auto"        # auto | mapping | schema


@dataclass
class SheetMap:
    kind: str
    header_row: int             # 1-based
    columns: list[Column] = field(default_factory=list)

    def paths(self) -> set[str]:
        return {c.path for c in self.columns if c.path and c.path != IGNORE}

    @property
    def unmapped(self) -> list[Column]:
        return [c for c in self.columns if c.path is None and not c.derived]

    @property
    def derived(self) -> list[Column]:
        return [c for c in self.columns if c.derived]


def header_index(schemas: SchemaSet, mapping_columns: dict[str, str] | None = None) -> dict[str, str]:
    """Every recognised header word (normalised) -> path: schema titles, then the table above,
    then the team's mapping file, each overriding the one before."""
    index: dict[str, str] = {}
    customer = schemas.raw["customer"]
    for key, prop in customer.get("properties", {}).items():
        if _is_record_list(prop):
            continue
        for title in (prop.get("title"), prop.get("x-title-en"), key):
            if title:
                index[hkey(title)] = key
    defs = customer.get("$defs", {})
    for prefix in LIST_OF:
        for key, prop in defs.get(prefix, {}).get("properties", {}).items():
            for title in (prop.get("title"), prop.get("x-title-en")):
                if title and hkey(title) not in index and hkey(title) not in _GENERIC_WORDS:
                    index[hkey(title)] = f"{prefix}.{key}"
    for path, words in HEADERS.items():
        for w in words:
            index[hkey(w)] = path
    for lang in ("zh", "en"):  # the exporters' own headers always import back
        for path, text in export_header_words(lang).items():
            if not path.startswith("derived."):  # computed columns are recognised by their (自动) mark
                index[hkey(text)] = path
    for header, path in (mapping_columns or {}).items():
        index[hkey(header)] = path
    return index


_GENERIC_WORDS = {hkey(w) for table in BY_KIND.values() for w in table}


def _is_record_list(prop: dict) -> bool:
    items = prop.get("items") if isinstance(prop, dict) else None
    return isinstance(items, dict) and "$ref" in items and prop.get("type") == "array" and \
        items["$ref"].rsplit("/", 1)[-1] in LIST_OF


def export_header_words(lang: str) -> dict[str, str]:
    from .text import WORDS

    return {key[4:]: text for key, text in WORDS[lang].items() if key.startswith("col.")}


def kind_of_sheet(name: str) -> str | None:
    folded = unicodedata.normalize("NFKC", name).casefold()
    for kind, words in SHEET_WORDS:
        if any(w in folded for w in words):
            return kind
    return None


def recognise(headers: list[Any], index: dict[str, str], kind: str | None,
              mapping_columns: dict[str, str] | None = None) -> SheetMap:
    """Map one header row. ``kind`` from the sheet name, or decided here from the columns."""
    mapped = {hkey(h) for h in (mapping_columns or {})}
    first: list[Column] = []
    for i, raw in enumerate(headers):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        k = hkey(text)
        if k in mapped:
            first.append(Column(i, text, index[k], source="mapping"))
        elif is_derived_header(text):
            first.append(Column(i, text, None, derived=True))
        else:
            first.append(Column(i, text, index.get(k)))
    kind = kind or _kind_from_paths({c.path for c in first if c.path}, [hkey(c.header) for c in first])
    generic = {hkey(w): p for w, p in BY_KIND.get(kind, {}).items()}
    for col in first:
        if col.source == "mapping" or col.derived:
            continue
        k = hkey(col.header)
        if k in generic:  # the sheet's own meaning of a generic word wins
            col.path = generic[k]
        elif col.path is not None and kind != "customers":
            col.path = _in_child_sheet(col.path, kind)
    return SheetMap(kind, 0, first)


def _in_child_sheet(path: str, kind: str) -> str | None:
    """On a follow-up sheet, 负责人 is who followed up and 联系人 who was talked to."""
    prefix = CHILD[kind][0]
    if kind == "interactions":
        if path == "owner":
            return "interaction.by"
        if path == "contact.name":
            return "interaction.contact"
        if path == "notes":
            return "interaction.outcome"
    if kind == "complaints" and path == "owner":
        return "complaint.handler"
    if path in REF_PATHS or path.startswith(prefix + ".") or path == IGNORE:
        return path
    return path if kind == "contacts" and path == "contact.info" else None


def _kind_from_paths(paths: set[str], words: list[str]) -> str:
    """A sheet with customer fields beyond name/owner is a customer list; otherwise the kind whose
    fields (or generic words: 日期, 方式, 内容) it has most of, e.g. a follow-up log."""
    top = {p for p in paths if "." not in p and p not in ("history",)}
    if top - _CUSTOMER_ONLY_IGNORED - {"next_action", IGNORE}:
        return "customers"
    counts = {kind: sum(1 for p in paths if p.startswith(prefix + ".")) for kind, (prefix, _) in CHILD.items()}
    counts["contacts"] += sum(1 for p in paths if p == "contact.info")
    for kind in CHILD:
        generic = {hkey(w) for w, p in BY_KIND[kind].items() if p != IGNORE}
        counts[kind] += sum(1 for w in words if w in generic and w not in ("联系人", "name"))
    best = max(counts, key=lambda k: counts[k])
    if counts[best] == 0 or (best == "contacts" and "contact.name" not in paths):
        return "customers"
    if best == "contacts" and not (paths & {"id"}) and "name" in paths and len(paths - {"name"}) <= 3:
        return "customers"  # 客户名称 + 联系人 + 手机号: a minimal customer list
    return best


def find_header_row(rows: list[list[Any]], index: dict[str, str], limit: int = 15) -> int | None:
    """0-based index of the row that looks most like a header (most recognised cells) among the
    first ``limit`` rows; title rows ('客户信息表') above it are skipped."""
    best, best_score = None, 0
    for i, row in enumerate(rows[:limit]):
        score = sum(1 for cell in row if cell not in (None, "") and (hkey(cell) in index or is_derived_header(cell)))
        if score > best_score:
            best, best_score = i, score
    return best
