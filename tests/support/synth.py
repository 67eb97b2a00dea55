"""Synthetic team repositories for benchmarks and tests: ``python -m tests.support.synth N DIR`` (from the
repository root).

``make_repo(dest, n, seed)`` writes a complete repository (team.yaml, kehu.yaml,
schema/, customers/) holding ``n`` valid, fictional customers of about 20
interactions each. The output depends only on ``n`` and ``seed``, and every date
is on or before ``TODAY`` (run kehu with ``KEHU_TODAY=TODAY``), so a generated
repository passes ``kehu check`` with no errors on any machine.

Uniqueness the checker insists on is built in, not hoped for: ids, phone
numbers and e-mail addresses come from the customer's index, and no two
customers share a (city, trade name, industry word) — so no "duplicate
customer" errors.

Company names are as similar as a real book's (``names="similar"``, the
default): trade names (字号) are drawn from a small, skewed pool of brand
characters, so the same trade name comes back in several cities and
industries, and neighbours share characters, homophones and industry words;
the city is written as 上海, 上海市, 广东深圳 or in brackets after the trade
name. ``names="codewords"`` gives the earlier names, whose brand part is a
Reed–Solomon code word, so any two differ in at least three characters.

``typos=M`` adds M customers more, each the same company as an existing one
typed with one slip of a kind in ``TYPO_KINDS`` (round robin), with contacts
of its own; ``planted.json`` lists them ({file, of, kind}) so a benchmark can
report the precision and recall of the duplicate warnings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from pathlib import Path

from tests.support.paths import PACKAGE, SCHEMA_SRC

TODAY = dt.date(2025, 6, 30)
FIRST_DAY = dt.date(2019, 1, 1)
INTERACTIONS_PER_CUSTOMER = 20

DEFAULTS = PACKAGE / "data" / "defaults.yaml"

TEAM = [
    ("lixia", "李霞", "sales"), ("wangfang", "王芳", "sales"), ("zhaolei", "赵磊", "sales"),
    ("chenjing", "陈静", "sales"), ("liuyang", "刘洋", "manager"), ("sunhao", "孙浩", "sales"),
    ("zhoumin", "周敏", "sales"), ("wujun", "吴军", "admin"),
]
HANDLES = [h for h, _, _ in TEAM]

# 101 characters (a prime, so code words over them are Reed–Solomon code words) that read well in a brand name
BRAND_CHARS = (
    "启明华信达通宏远恒泰瑞丰博创联盛安源鼎新天成嘉和润祥正兴凯峰汇智宇航金鸿德隆永昌海容星辰"
    "云帆佳诚睿思君越晟乐开拓卓尔浩然腾飞众合立方蓝图光谷致同弘毅承泽万向中科银河东升鑫磊昊泓"
    "旭晨锦程长青精益优格朗特慧"
)
P = 101
POINTS = (0, 1, 3, 8, 12, 30, 50)  # where code words are evaluated; no affine map sends one run onto the next
assert len(BRAND_CHARS) >= P and len(set(BRAND_CHARS[:P])) == P, "BRAND_CHARS needs 101 distinct characters"

CITIES = ["上海", "北京", "深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉", "西安", "重庆", "天津", "长沙",
          "郑州", "青岛", "厦门", "合肥", "济南", "宁波", "无锡", "福州", "昆明", "大连", "沈阳"]
REGIONS = {"上海": "上海", "北京": "北京", "深圳": "广东深圳", "广州": "广东广州", "杭州": "浙江杭州",
           "南京": "江苏南京", "苏州": "江苏苏州", "成都": "四川成都", "武汉": "湖北武汉", "西安": "陕西西安",
           "重庆": "重庆", "天津": "天津", "长沙": "湖南长沙", "郑州": "河南郑州", "青岛": "山东青岛",
           "厦门": "福建厦门", "合肥": "安徽合肥", "济南": "山东济南", "宁波": "浙江宁波", "无锡": "江苏无锡",
           "福州": "福建福州", "昆明": "云南昆明", "大连": "辽宁大连", "沈阳": "辽宁沈阳"}
# (trade word in the name, GB/T 4754 code)
TRADES = [("科技", "I65"), ("软件", "I65"), ("信息技术", "I65"), ("网络科技", "I64"), ("电子", "C39"),
          ("智能制造", "C34"), ("医疗器械", "C35"), ("生物医药", "C27"), ("物流", "G58"), ("供应链管理", "L72"),
          ("新能源", "D44"), ("环保科技", "N77"), ("教育科技", "P83"), ("建筑工程", "E48"), ("食品", "C14"),
          ("贸易", "F51"), ("文化传媒", "R86"), ("商务咨询", "L72"), ("精密机械", "C34"), ("汽车零部件", "C36")]
SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀英", "霞", "平", "刚", "桂英", "建华", "文静", "晓明", "志强", "海燕", "婷婷", "子涵", "浩然", "雨轩",
         "思远", "佳怡", "俊杰"]
PINYIN_SURNAME = {"王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
                  "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun",
                  "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he", "高": "gao", "林": "lin",
                  "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie", "宋": "song", "唐": "tang",
                  "许": "xu", "韩": "han", "冯": "feng", "邓": "deng", "曹": "cao", "彭": "peng",
                  "曾": "zeng", "肖": "xiao", "田": "tian", "董": "dong", "袁": "yuan", "潘": "pan",
                  "于": "yu", "蒋": "jiang", "蔡": "cai", "余": "yu", "杜": "du", "叶": "ye",
                  "程": "cheng", "苏": "su", "魏": "wei", "吕": "lv", "丁": "ding", "任": "ren",
                  "沈": "shen", "姚": "yao", "卢": "lu"}
TITLES = ["采购经理", "总经理", "技术总监", "IT经理", "财务总监", "运营主管", "项目经理", "副总裁", "行政经理", "CTO"]
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "157", "158", "159", "186", "187", "188", "189"]
MAIL_DOMAINS = ["example.com", "example.net", "example.org"]

STAGES = ["lead", "contacted", "quoted", "negotiating", "won", "won", "won", "lost"]
SOURCES = ["online_ads", "trade_show", "referral", "cold_visit", "website", "inbound_call", "partner"]
SIZES = ["<50", "50-200", "200-500", ">500"]
CHANNELS = ["call", "call", "wechat", "wechat", "email", "visit", "meeting", "exhibition", "other"]
TAGS = ["降本增效", "快速部署", "定制化开发", "价格敏感", "注重品质", "注重响应速度", "注重售后", "数据安全",
        "国产化替代", "需要试用", "长期合作"]
RISKS = ["付款延迟", "决策链不稳定", "竞争对手介入", "预算不足", "需求不明确", "关键人离职"]
PRODUCTS = ["办公软件SaaS服务", "数据中台建设", "私有化部署许可", "年度运维服务", "定制开发项目", "培训服务包",
            "CRM系统集成", "安全审计服务", "云资源代理", "硬件采购及安装"]
TOPICS = ["产品演示", "续约需求", "报价方案", "技术对接", "试用反馈", "合同条款", "付款安排", "上线计划", "培训安排",
          "售后问题", "扩容需求", "竞品对比", "预算审批", "需求调研", "验收进度", "接口联调"]
ACTS = ["沟通了", "确认了", "讨论了", "跟进了", "梳理了", "介绍了"]
DETAILS = ["客户反馈积极", "对方需内部评估", "客户提出价格疑虑", "对方希望缩短交付周期", "客户对售后服务满意",
           "需补充技术资料", "决策人下周出差", "客户关注数据安全", "客户希望先小范围试点", "已约定下次会议时间"]
OUTCOMES = ["客户同意下周看方案", "待客户内部审批", "已发送报价单", "约定现场演示", "客户暂无新需求", "需技术团队支持",
            "已提交合同草稿", "客户确认采购意向", "安排试用账号", None]
NEXT = ["提交续约方案", "安排技术交流", "发送正式报价", "回访试用情况", "跟进合同审批", "组织上线培训", "确认付款进度"]
COMPLAINT_TEXT = ["发票开具延迟", "实施人员响应慢", "系统偶发卡顿", "培训资料不完整", "报价与合同不一致",
                  "到货延迟两天"]
COMPLAINT_CATS = ["产品质量", "交付", "服务态度", "响应速度", "售后", "价格", "其他"]
RESULTS = ["已补开并致歉", "已更换实施顾问", "已修复并回访", "已补充资料", "已重新核对并更正"]
QUIET_REASONS = ["客户表示暂无需求，半年后再联系", "客户组织架构调整中", "预算冻结至下季度"]
NOTES = ["客户偏好微信沟通", "年底有采购计划", "老客户转介绍，关系良好", "对价格较敏感，需谨慎报价", None, None]

_PLAIN = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff \-.,，。、（）()@/]*$")
_RESERVED = {"null", "true", "false", "yes", "no", "on", "off", "~", "y", "n"}


def q(value: object) -> str:
    """A YAML scalar: plain where that is unambiguous, double-quoted (JSON) otherwise."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not re.fullmatch(r"[\d.\-+:eE_ ]+", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def brand(index: int, k: int) -> str:
    """The index-th code word of a Reed–Solomon code of length k+2 over BRAND_CHARS.

    Two code words differ in at least three positions, so two company names
    never collide. The evaluation points are not in arithmetic (or any affine)
    progression, so one code word is never another shifted by one character,
    which would put them two edits apart.
    """
    coeffs = [(index // P**m) % P for m in range(k)]
    return "".join(BRAND_CHARS[sum(c * x**m for m, c in enumerate(coeffs)) % P] for x in POINTS[: k + 2])


def code_size(n: int) -> int:
    k = 1
    while P**k < n:
        k += 1
    return max(k, 2)


def day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(span, 0)))


def phone(index: int, rng: random.Random) -> str:
    # an 8-digit tail unique per contact (multiplying by a unit mod 10^8 is a bijection), under a real mobile prefix
    tail = (index * 7_919_213 + 12_345_679) % 100_000_000
    return f"{rng.choice(MOBILE_PREFIXES)}{tail:08d}"


def person(rng: random.Random) -> tuple[str, str]:
    surname = rng.choice(SURNAMES)
    return surname + rng.choice(GIVEN), PINYIN_SURNAME[surname]


# brand characters of real trade names, most common first: drawn with Zipf-like weights, so trade names share
# characters the way real ones do (华, 信, 达, 通 …)
SIMILAR_BRAND = "".join(dict.fromkeys(
    "华信达通宏远恒泰瑞丰博创联盛安源鼎新天成嘉和润祥正兴凯峰汇智宇航金鸿德隆永昌海容星辰云帆佳诚睿思君越晟"
    "乐开拓卓浩腾飞众合立方蓝光谷致同弘毅承泽万向中科银河东升鑫磊昊泓旭晨锦程长青精益优格朗特慧美康健乾坤"
    "翔龙凤百川汉唐明启"
    "力维讯捷迅飞扬威豪骏驰宝富贵吉祥福禄寿喜庆春秋冬夏雅静逸清源泉溪林森松柏竹梅兰菊荷莲"
    "岳峻崇岩石玉珠璟琪琳瑶璐钧铭锐钛铂锋钻晶灿烨炜煜焕烽熠曜皓曦朝阳晴霞虹岚雪霖露雷电"
    "宁远久恒固坚实诺信义仁礼勤俭忠孝德馨尚品致臻至真善美达观远望纵横经纬乾元泰和顺安"
    "云帆舟航港湾洲岛川江湖浦滨沙汀澜涛波浪洋海鸥鹏鹰燕雀凰麟鲲骐骥"
))
CITY_FORMS = ("{city}{rest}", "{city}{rest}", "{city}{rest}", "{city}市{rest}", "{trade}（{city}）{after}")
TYPO_KINDS = ("missing", "doubled", "swapped", "homophone", "traditional", "lookalike", "spacing", "legal-form")
# characters one pinyin syllable types (toneless), for planted homophone slips
HOMOPHONES = ["明鸣铭名", "信新鑫欣心", "华化划", "达答", "通同桐铜", "恒衡", "泰太", "瑞锐睿", "丰风峰锋枫",
              "博波伯", "创窗", "联连莲", "盛胜圣", "安按岸", "源元园原圆远", "鼎顶定", "天田添", "成诚城程承",
              "嘉佳家加", "和合何河", "祥翔详", "正政证", "兴星", "凯开", "汇会慧惠", "智志至致", "宇雨语羽",
              "航杭行", "金今津锦", "鸿红宏洪虹", "德得", "隆龙", "永勇", "昌长常", "海", "容荣融", "辰晨臣",
              "帆凡", "思斯丝", "君均军", "越悦跃", "乐勒", "卓桌", "浩豪好", "腾藤", "飞菲非", "众中重", "立力利",
              "方芳", "蓝兰", "光广", "谷古", "同童", "弘宏", "承成", "泽则", "万", "向象", "科可", "银音", "河合",
              "东冬", "升生声", "磊", "昊浩", "泓红", "旭序", "锦金", "程成", "长常", "青清", "精经", "益意", "优悠",
              "格阁", "朗浪", "特", "美每", "康", "健建", "乾前", "坤昆", "翔祥", "凤风", "百柏", "川传", "汉翰",
              "唐堂", "启起"]
TRADITIONAL = {"华": "華", "达": "達", "联": "聯", "东": "東", "云": "雲", "汇": "匯", "兴": "興", "丰": "豐",
               "创": "創", "鸿": "鴻", "长": "長", "乐": "樂", "电": "電", "网": "網", "络": "絡", "务": "務",
               "贸": "貿", "龙": "龍", "万": "萬", "开": "開", "发": "發", "环": "環", "国": "國", "际": "際",
               "远": "遠", "宏": "宏", "庆": "慶", "凤": "鳳", "汉": "漢", "乾": "乾", "锦": "錦", "银": "銀",
               "鑫": "鑫", "昌": "昌", "业": "業", "贸易": "貿易", "传": "傳", "医": "醫", "疗": "療", "药": "藥",
               "汽": "汽", "车": "車", "机": "機", "械": "械", "营": "營", "启": "啟", "广": "廣", "门": "門",
               "进": "進", "义": "義", "乌": "烏", "庄": "莊", "宁": "寧", "苏": "蘇", "无": "無", "锡": "錫",
               "阳": "陽", "连": "連", "岛": "島", "济": "濟", "厦": "廈", "郑": "鄭", "汉阳": "漢陽",
               "软": "軟", "件": "件", "息": "息", "术": "術", "能": "能", "源": "源", "环保": "環保", "教": "教",
               "育": "育", "筑": "築", "程": "程", "食": "食", "品": "品", "化": "化", "媒": "媒", "商": "商",
               "询": "詢", "精": "精", "密": "密", "零": "零", "部": "部", "链": "鏈", "管": "管", "理": "理",
               "制": "製", "造": "造", "器": "器", "生": "生", "物": "物", "流": "流", "应": "應", "供": "供",
               "设": "設", "备": "備", "团": "團", "诚": "誠", "优": "優", "腾": "騰", "飞": "飛", "众": "眾",
               "蓝": "藍", "图": "圖", "谷": "穀", "毅": "毅", "泽": "澤", "向": "向", "钢": "鋼", "顺": "順"}
BROKEN_FORMS = {"有限公司": ["有限公", "有限司", "有线公司", "有限公公司", "有限"],
                "股份有限公司": ["股份有限公", "股份有线公司", "股份有限司"],
                "集团有限公司": ["集团有限公", "集团有限司", "集团有线公司"]}
# look-alike slips, as the checker's table knows them (generator/kehu/data/lookalike.txt)
LOOKALIKE_FILE = PACKAGE / "data" / "lookalike.txt"


def _lookalikes() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in LOOKALIKE_FILE.read_text(encoding="utf-8").splitlines():
        group = line.split("#", 1)[0].replace(" ", "").strip()
        for ch in group:
            others = [c for c in group if c != ch]
            if others and ch not in out:
                out[ch] = others[0]
    return out


def similar_name(rng: random.Random, used: set[tuple[str, str, str]], trades: list[str]) -> tuple[str, str, str]:
    """(name, city, industry code): a new (city, trade name, industry word), often a trade name seen before."""
    weights = [1 / (r + 1) ** 0.8 for r in range(len(SIMILAR_BRAND))]
    while True:
        city = rng.choice(CITIES)
        word, industry = rng.choice(TRADES)
        if trades and rng.random() < 0.35:  # a trade name already in the book, in another city or industry
            trade = rng.choice(trades)
        else:
            length = rng.choices((2, 3, 4), weights=(55, 30, 15))[0]
            trade = "".join(rng.choices(SIMILAR_BRAND, weights=weights, k=length))
            if len(set(trade)) < len(trade):
                continue  # 华华: not a brand anyone registers
        if (city, trade, word) in used:
            continue
        used.add((city, trade, word))
        trades.append(trade)
        suffix = rng.choice(SUFFIXES)
        form = rng.choice(CITY_FORMS)
        place = REGIONS[city] if rng.random() < 0.1 and REGIONS[city] != city else city
        return form.format(city=place, rest=f"{trade}{word}{suffix}", trade=trade, after=f"{word}{suffix}"), \
            city, industry


def plant_typo(name: str, kind: str, rng: random.Random, lookalikes: dict[str, str]) -> str | None:
    """``name`` typed again with one slip of ``kind``, or None when this name offers no such slip."""
    form = next((f for f in sorted(BROKEN_FORMS, key=len, reverse=True) if name.endswith(f)), None)
    body = name[: -len(form)] if form else name
    # slips go in the trade name, the industry word or the legal form: a slip in the city makes it another city
    places = sorted({*CITIES, *REGIONS.values()}, key=len, reverse=True)
    start = next((len(c) for c in places if body.startswith(c)), 0)
    start += 1 if body[start:start + 1] == "市" else 0
    inside = set()
    if "（" in body:
        inside = set(range(body.index("（"), body.index("）") + 1))
    positions = [i for i in range(start, len(body)) if i not in inside]
    if kind == "legal-form":
        return body + rng.choice(BROKEN_FORMS[form]) if form else None
    if kind == "spacing":
        at = rng.choice([i for i in positions if i > 0])
        return body[:at] + " " + body[at:] + (form or "")
    if kind == "missing":
        at = rng.choice(positions)
        return body[:at] + body[at + 1:] + (form or "")
    if kind == "doubled":
        at = rng.choice(positions)
        return body[:at + 1] + body[at] + body[at + 1:] + (form or "")
    if kind == "swapped":
        pairs = [i for i in positions if i + 1 in positions and body[i] != body[i + 1]]
        if not pairs:
            return None
        at = rng.choice(pairs)
        return body[:at] + body[at + 1] + body[at] + body[at + 2:] + (form or "")
    if kind == "homophone":
        options = [(i, c) for i in positions for g in HOMOPHONES if body[i] in g for c in g if c != body[i]]
    elif kind == "traditional":
        options = [(i, TRADITIONAL[body[i]]) for i in positions if TRADITIONAL.get(body[i], body[i]) != body[i]]
    else:  # lookalike
        options = [(i, lookalikes[body[i]]) for i in positions if body[i] in lookalikes]
    if not options:
        return None
    at, ch = rng.choice(options)
    return body[:at] + ch + body[at + 1:] + (form or "")


def customer(i: int, created: dt.date, seq: int, rng: random.Random, k: int,
             name: tuple[str, str, str] | None = None) -> tuple[str, str]:
    """(id, YAML text) of customer number i; ``name``: (name, city, industry code), else a code-word name."""
    cid = f"C{created:%Y%m%d}{seq:03d}"
    if name is None:
        city = rng.choice(CITIES)
        trade, industry = rng.choice(TRADES)
        name_text = f"{city}{brand(i, k)}{trade}{rng.choice(SUFFIXES)}"
    else:
        name_text, city, industry = name
    name = name_text
    stage = rng.choice(STAGES)
    owner = rng.choice(HANDLES)
    lines = ["# yaml-language-server: $schema=../schema/customer.schema.json", f"id: {cid}", f"name: {q(name)}",
             f"industry: {industry}", f"stage: {stage}"]
    if stage == "lost":
        lines.append(f"lost_from: {rng.choice(['contacted', 'quoted', 'negotiating', 'won'])}")
    lines += [f"owner: {owner}", f"created: {created.isoformat()}", f"size: {q(rng.choice(SIZES))}",
              f"region: {REGIONS[city]}", f"source: {rng.choice(SOURCES)}"]
    won = stage == "won" or (stage == "lost" and rng.random() < 0.3)
    since = day(rng, created, min(created + dt.timedelta(days=120), TODAY)) if won else None
    if won and rng.random() < 0.15:
        lines += [f"class: {rng.choice(['core', 'key'])}", "class_reason: 战略合作伙伴，管理层指定"]
    if won:
        lines += [f"annual_value: {rng.choice([20000, 45000, 80000, 120000, 180000, 360000])}",
                  f"cooperation_since: {since.isoformat()}", f"repurchase_rate: {rng.choice([0.5, 0.7, 0.85, 0.9])}"]
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
    if rng.random() < 0.3:
        lines.append(f"risks: [{', '.join(rng.sample(RISKS, rng.randint(1, 2)))}]")
    lines.append(f"needs: {q(rng.choice(DETAILS[:4]) + '，' + rng.choice(TAGS))}")
    lines.append("budget: 待确认" if rng.random() < 0.05 else f"budget: {rng.choice([50000, 100000, 200000, 500000])}")
    lines.append("contacts:")
    n_contacts = rng.randint(1, 3)
    for j in range(n_contacts):
        cname, py = person(rng)
        lines += [f"  - name: {cname}", f"    title: {rng.choice(TITLES)}",
                  f"    phone: \"{phone(i * 3 + j, rng)}\"",
                  f"    email: {py}.{i}.{j}@{rng.choice(MAIL_DOMAINS)}"]
        if rng.random() < 0.5:
            lines.append(f"    wechat: {py}_{i}_{j}")
        if rng.random() < 0.4:
            lines.append(f"    birthday: \"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\"")
        if j == 0:
            lines.append("    primary: true")
    if won:
        lines.append("deals:")
        for j in range(rng.randint(1, 3)):
            signed = day(rng, since, TODAY)
            lines += [f"  - contract: HT{signed:%Y%m}{(i * 3 + j) % 1000:03d}", f"    product: {rng.choice(PRODUCTS)}",
                      f"    amount: {rng.choice([15000, 30000, 60000, 120000, 250000])}",
                      f"    signed: {signed.isoformat()}"]
    lines.append("interactions:")
    n = max(1, INTERACTIONS_PER_CUSTOMER + rng.randint(-4, 4))
    # the first follow-up on the day of creation (or the next), the rest spread up to today
    dates = sorted([created + dt.timedelta(days=rng.randint(0, 1))] + [day(rng, created, TODAY) for _ in range(n - 1)])
    for d in dates:
        d = min(d, TODAY)
        outcome = rng.choice(OUTCOMES)
        lines += [f"  - date: {d.isoformat()}", f"    channel: {rng.choice(CHANNELS)}",
                  f"    by: {owner if rng.random() < 0.8 else rng.choice(HANDLES)}",
                  f"    summary: {rng.choice(ACTS)}{rng.choice(TOPICS)}，{rng.choice(DETAILS)}"]
        if outcome:
            lines.append(f"    outcome: {outcome}")
    if stage not in ("lost",) and rng.random() < 0.7:
        nd = TODAY + dt.timedelta(days=rng.randint(-20, 30))
        lines.append(f"next_action: {{date: {nd.isoformat()}, action: {rng.choice(NEXT)}}}")
    if rng.random() < 0.05:
        lines += [f"quiet_until: {(TODAY + dt.timedelta(days=rng.randint(10, 120))).isoformat()}",
                  f"quiet_reason: {rng.choice(QUIET_REASONS)}"]
    if won and rng.random() < 0.5:
        lines.append("surveys:")
        for _ in range(rng.randint(1, 2)):
            s = [rng.randint(3, 5) for _ in range(4)]
            lines.append(f"  - {{date: {day(rng, since, TODAY).isoformat()}, quality: {s[0]}, attitude: {s[1]}, "
                         f"response: {s[2]}, after_sales: {s[3]}}}")
    if won and rng.random() < 0.15:
        cdate = day(rng, since, TODAY - dt.timedelta(days=3))
        lines += ["complaints:", f"  - date: {cdate.isoformat()}", f"    category: {rng.choice(COMPLAINT_CATS)}",
                  f"    content: {rng.choice(COMPLAINT_TEXT)}", f"    handler: {rng.choice(HANDLES)}",
                  "    status: resolved",
                  f"    resolved: {min(cdate + dt.timedelta(days=rng.randint(0, 3)), TODAY).isoformat()}",
                  f"    result: {rng.choice(RESULTS)}"]
    note = rng.choice(NOTES)
    if note:
        lines += ["notes: |", f"  {note}"]
    return cid, "\n".join(lines) + "\n"


def team_yaml() -> str:
    lines = ["# yaml-language-server: $schema=schema/team.schema.json", "members:"]
    for handle, name, role in TEAM:
        lines += [f"  - handle: {handle}", f"    name: {name}", f"    email: {handle}@example.com",
                  f"    git: {handle}-kehu", f"    role: {role}"]
    return "\n".join(lines) + "\n"


def make_repo(dest: Path, n: int, seed: int = 1, names: str = "similar", typos: int = 0) -> list[dict]:
    """Write a complete team repository with ``n`` valid customers into ``dest`` (created if missing),
    plus ``typos`` customers that repeat one of them with a typing slip; returns the planted slips.

    Deterministic for a given (n, seed, names, typos); all dates are on or before ``TODAY``.
    """
    dest = Path(dest)
    customers = dest / "customers"
    customers.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULTS, dest / "kehu.yaml")
    shutil.copytree(SCHEMA_SRC, dest / "schema", dirs_exist_ok=True)
    (dest / "team.yaml").write_text(team_yaml(), encoding="utf-8")
    rng = random.Random(seed)
    k = code_size(n)
    # creation dates in order, so ids grow with time like real ones
    span = (TODAY - FIRST_DAY).days
    created = sorted(FIRST_DAY + dt.timedelta(days=rng.randint(0, span)) for _ in range(n))
    seq: dict[dt.date, int] = {}
    used: set[tuple[str, str, str]] = set()
    trades: list[str] = []
    written: list[tuple[str, tuple[str, str, str]]] = []
    name_rng = random.Random(seed * 7919 + 1)  # names from their own stream: the rest stays as it was
    for i, c in enumerate(created):
        seq[c] = seq.get(c, 0) + 1
        if seq[c] > 999:
            raise SystemExit(f"too many customers for one day ({c}); widen FIRST_DAY..TODAY")
        name = similar_name(name_rng, used, trades) if names == "similar" else None
        cid, text = customer(i, c, seq[c], rng, k, name)
        (customers / f"{cid}.yaml").write_text(text, encoding="utf-8")
        if name:
            written.append((cid, name))
    planted: list[dict] = []
    if typos and written:
        lookalikes = _lookalikes()
        last = TODAY - dt.timedelta(days=60)  # old enough that every date of the record is on or before TODAY
        for t in range(typos * 4):
            if len(planted) >= typos:
                break
            kind = TYPO_KINDS[len(planted) % len(TYPO_KINDS)]
            of, (name, city, industry) = written[name_rng.randrange(len(written))]
            slip = plant_typo(name, kind, name_rng, lookalikes)
            if slip is None or slip == name:
                continue
            seq[last] = seq.get(last, 0) + 1
            cid, text = customer(n + t, last, seq[last], rng, k, (slip, city, industry))
            (customers / f"{cid}.yaml").write_text(text, encoding="utf-8")
            planted.append({"file": f"customers/{cid}.yaml", "of": f"customers/{of}.yaml", "kind": kind,
                            "name": slip, "original": name})
        (dest / "planted.json").write_text(json.dumps(planted, ensure_ascii=False, indent=1), encoding="utf-8")
    return planted


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="number of customers")
    ap.add_argument("dest", type=Path, help="folder to write the repository into")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--names", choices=("similar", "codewords"), default="similar",
                    help="similar: a real book's similar names (default); codewords: no two names alike")
    ap.add_argument("--typos", type=int, default=0, help="also write this many customers typed with a slip")
    args = ap.parse_args(argv)
    planted = make_repo(args.dest, args.n, args.seed, args.names, args.typos)
    extra = f" + {len(planted)} typed with a slip (planted.json)" if planted else ""
    print(f"{args.n} customers{extra} written to {args.dest} (check with KEHU_TODAY={TODAY.isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
