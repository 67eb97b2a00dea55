"""Every command, typed the way people type, read the way people read: in the team's language.

A team of five (王强 and 吴倩 share the initials WQ) works through a book of three customers with every command
kehu has, once in a zh-CN repository and once in an en one, typing what people type: names instead of handles
(`--owner 李娜`), labels and spreadsheet words instead of keys (`--source 展会`, `--industry 软件`,
`--channel 电话`), amounts as 12万, and a few mistakes (a channel `phone`, an e-mail with two @, a robot whose
server is down). Whatever a person reads — every line on stdout and stderr — is then searched for what does not
belong there:

* a field key where the field's title belongs (`stage lead → contacted`, `quality=4`, `已清空 next_action`,
  `[0].product`);
* an English library message (email-validator's explanation, `[Errno 111] Connection refused`, a traceback);
* a handle where a person's name belongs (`chenjing` instead of 陈静).

What a person copies — a command, a YAML line, a file name — is written between backticks or is a path, and is
not searched; a handle beside its name (陈静（chenjing）) is the name with what to type. ``test_the_search_sees``
plants each kind of slip so the search is known to find it.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.commands import Result, commit, git_init, kehu
from tests.support.customers import customer_dict
from tests.support.git import git
from tests.support.team_repo import TeamRepo

TODAY = "2026-11-21"
TEAM = """\
members:
  - {handle: lixia, name: 李霞, email: lixia@example.com, git: lixia-sales, role: manager}
  - {handle: wangqiang, name: 王强, email: wangqiang@example.com, git: wq-sales, role: sales}
  - {handle: wuqian, name: 吴倩, email: wuqian@example.com, git: wuqian-sales, role: sales}
  - {handle: chenjing, name: 陈静, email: chenjing@example.com, git: chenjing-sales, role: sales,
     remind: [{kind: email}]}
  - {handle: lina, name: 李娜, email: lina@example.com, git: lina-sales, role: sales,
     remind: [{kind: wecom, webhook_env: KEHU_WECOM_LINA, mention: "13900139000"}]}
"""
HANDLES = ("lixia", "wangqiang", "wuqian", "chenjing", "lina")


def _book() -> list[dict[str, object]]:
    qiming = customer_dict(
        id="C20241105001", name="上海启明科技有限公司", owner="chenjing", created="2024-11-05", stage="quoted",
        size="200-500", region="上海",
        interactions=[{"date": "2026-11-02", "channel": "visit", "by": "chenjing", "contact": "张伟",
                       "summary": "上门演示审批流，客户关注与SAP对接"}],
        deals=[{"contract": "HT202412001", "product": "办公软件SaaS服务", "amount": 120000, "signed": "2024-12-01"}],
        opportunities=[{"id": "O20261101-a1b2", "what": "二期接口开发", "amount": 80000, "close": "2026-11-10",
                        "stage": "quoted", "owner": "lina", "created": "2026-11-01"}],
        complaints=[{"date": "2026-11-03", "category": "交付", "content": "发票开具延迟", "handler": "wangqiang",
                     "status": "open"}],
        next_action={"date": "2026-11-18", "action": "发送报价单"})
    yunfan = customer_dict(
        id="C20250301001", name="杭州云帆网络科技有限公司", owner="lina", created="2025-03-01", stage="contacted",
        contacts=[{"name": "王磊", "phone": "13912345678", "email": "wang.lei@yunfan.example.com", "primary": True}],
        interactions=[{"date": "2026-10-20", "channel": "wechat", "by": "lina", "summary": "微信发送产品白皮书"}])
    # the same company typed again, with its phone: what `kehu dedupe` and `kehu merge` are for
    again = customer_dict(
        id="C20261101001", name="杭州云帆网络科技有限公司（分部）", owner="wuqian", created="2026-11-01",
        stage="negotiating",
        contacts=[{"name": "王磊", "phone": "13912345678", "primary": True}],
        interactions=[{"date": "2026-11-01", "channel": "call", "by": "wuqian", "summary": "电话确认采购预算和时间"}],
        opportunities=[{"id": "O20261101-c3d4", "what": "年度订阅", "amount": 50000, "close": "2027-01-15",
                        "stage": "negotiating", "created": "2026-11-01"}])
    return [qiming, yunfan, again]


@pytest.fixture(scope="module", params=["zh-CN", "en"])
def team(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> TeamRepo:
    from kehu.repo.config import default_config_text

    root = tmp_path_factory.mktemp(f"team-{request.param}")
    config = default_config_text().replace("locale: zh-CN", f"locale: {request.param}")
    config = config.replace("enabled: false", "enabled: true", 1) if "pool:" in config else config
    repo = TeamRepo.create(root / "book", team=TEAM, config=config)
    git_init(repo, "lixia@example.com")
    for data in _book():
        repo.write_customer(data)
    commit(repo, "the book", date="2026-11-01T10:00:00+08:00")
    git(repo.root, "branch", "-M", "main")
    return repo


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on: a robot whose server is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sheet(folder: Path) -> Path:
    """A customer list as a CRM exports it, with a slip in it."""
    path = folder / "客户列表.csv"
    path.write_text("客户名称,负责人,所属行业,客户来源,人员规模,联系人,手机,邮箱\n"
                    "南京紫金新材料有限公司,李娜,软件,展会,120人,周敏,13700137000,zhou@@zijin.example.com\n"
                    "成都天府软件有限公司,陈静,制造,官网,50人以下,李强,12345,li@tianfu.example.com\n",
                    encoding="utf-8")
    return path


def session(repo: TeamRepo) -> Iterator[tuple[str, Result]]:
    """A week of work, command by command, as people type it."""
    down = f"http://127.0.0.1:{closed_port()}/cgi-bin/webhook/send?key=abc"
    sheet = _sheet(repo.root.parent)

    def run(*args: str, env: dict[str, str] | None = None, today: str = TODAY) -> tuple[str, Result]:
        return " ".join(args), kehu(repo, *args, env=env, today=today)

    yield run("check")
    yield run("new", "南京启明软件有限公司", "--owner", "王强", "--industry", "软件", "--source", "展会",
              "--size", "120人", "--contact-name", "赵敏", "--phone", "13800138111", "--email", "zhao@qm.example.com")
    yield run("new", "苏州星河智能装备有限公司", "--owner", "李娜", "--industry", "制造", "--email", "x@@xinghe")
    yield run("new", "苏州星河智能装备有限公司", "--owner", "lisa", "--industry", "C34")
    yield run("new", "苏州星河智能装备有限公司", "--owner", "陈静", "--industry", "餐饮")
    yield run("log", "启明科技", "--channel", "电话", "--summary", "电话沟通二期报价，客户希望分两期付款",
              "--by", "陈静", "--next", "2026-11-28", "发送分期方案")
    yield run("log", "启明科技", "--channel", "phone", "--summary", "回电确认")
    yield run("log", "启明科技", "--channel", "拜访", "--summary", "上门讲解分期方案，财务认可",
              "--date", "2026年11月20日", "--by", "chenjing")
    yield run("set", "启明科技", "stage", "谈判")
    yield run("set", "启明科技", "region", "南京")
    yield run("set", "启明科技", "owner", "李娜")
    yield run("set", "启明科技", "class", "重点", "--reason", "集团标杆客户")
    yield run("set", "启明科技", "quiet_until", "2027-01-15", "--reason", "客户年底封账")
    yield run("set", "启明科技", "quiet_until", "none")
    yield run("set", "启明科技", "next_action", "2026-12-02", "演示审批流")
    yield run("set", "启明科技", "tags", "价格敏感、注重品质")
    yield run("set", "启明科技", "size", "1200人")
    yield run("set", "启明科技", "stge", "won")
    yield run("survey", "启明科技", "--quality", "4", "--attitude", "5", "--response", "4", "--after-sales", "5")
    yield run("complaint", "启明科技", "open", "--category", "售后", "--content", "演示环境无法登录",
              "--handler", "王强")
    yield run("complaint", "启明科技", "resolve", "--result", "已重置账号并致歉")
    yield run("opp", "add", "启明科技", "年度SaaS续约", "--amount", "12万", "--close", "2026-12-20",
              "--stage", "报价", "--owner", "陈静")
    yield run("opp", "set", "启明科技", "续约", "stage", "谈判")
    yield run("opp", "set", "启明科技", "续约", "owner", "吴倩")
    yield run("opp", "lose", "启明科技", "二期", "--reason", "价格", "--note", "对手报价低 15%")
    yield run("opp", "win", "启明科技", "续约", "--signed", "2026-11-21", "--contract", "HT202611001")
    yield run("opp", "list", "启明科技")
    yield run("show", "启明科技")
    yield run("show", "云帆网络")  # two customers: which one?
    yield run("show", "C20250301001")
    yield run("due")
    yield run("due", "--all")
    yield run("due", "--owner", "李娜")
    yield run("forecast")
    yield run("forecast", "--owner", "吴倩")
    yield run("pool")
    yield run("claim", "C20250301001", "--by", "王强")
    yield run("history", "启明科技")
    yield run("diff")
    yield run("dedupe")
    yield run("merge", "C20250301001", "C20261101001")
    yield run("renumber", "南京启明软件")
    yield run("remind", "--owner", "李娜", "--dry-run")
    yield run("remind", "--owner", "李娜", "--webhook", down, "--kind", "wecom")
    yield run("remind", "--owner", "陈静", env={"KEHU_SMTP_HOST": "127.0.0.1", "KEHU_SMTP_PORT": str(closed_port()),
                                                "KEHU_SMTP_FROM": "crm@example.com"})
    yield run("import", str(sheet), "--owner", "李娜", "--dry-run")
    yield run("import", str(sheet), "--owner", "李娜")
    yield run("export", "--format", "csv", "--owner", "陈静", "--out", str(repo.root.parent / "out.csv"))
    yield run("review", "--month", "2026-11")
    yield run("fmt", "--check")
    yield run("forget", "启明科技", "--contact", "张伟", "--reason", "本人要求删除")
    yield run("codeowners")
    yield run("build", "--out", str(repo.root.parent / "site"))
    yield run("init", str(repo.root.parent / "another-team"))
    yield run("sync")  # the week's work is not committed yet: refused, saying what to do
    yield from _colleague_adds_the_same_company(repo, run)
    yield run("check")


def _colleague_adds_the_same_company(repo: TeamRepo, run: Callable[..., tuple[str, Result]]
                                     ) -> Iterator[tuple[str, Result]]:
    """吴倩 (on a branch) and 王强 (on main, in his own clone) each add the same company with its phone: the
    branch's `kehu sync --push` merges without a git conflict, then says what `kehu check` refuses, and how."""
    parent = repo.root.parent
    commit(repo, "a week", date="2026-11-21T18:00:00+08:00")
    origin = parent / "origin.git"
    git(parent, "init", "-q", "--bare", "-b", "main", str(origin))
    git(repo.root, "remote", "add", "origin", str(origin))
    git(repo.root, "push", "-q", "origin", "main")
    git(repo.root, "switch", "-q", "-c", "haishu")
    company = ("宁波海曙港口物流有限公司", "--industry", "G", "--contact-name", "周涛", "--phone", "13600136666")
    yield run("new", *company, "--owner", "吴倩")
    commit(repo, "海曙", date="2026-11-21T18:10:00+08:00")
    colleague = TeamRepo(parent / "colleague")
    git(parent, "clone", "-q", str(origin), str(colleague.root))
    git(colleague.root, "config", "user.email", "wangqiang@example.com")
    yield "new (colleague) " + company[0], kehu(colleague, "new", *company, "--owner", "王强", today=TODAY)
    commit(colleague, "海曙", email="wangqiang@example.com", date="2026-11-21T18:20:00+08:00")
    git(colleague.root, "push", "-q", "origin", "main")
    yield run("sync", "--push")


# --- what must not be there -------------------------------------------------------------------------------

LIBRARY_ENGLISH = re.compile(r"Errno|Traceback|Connection refused|timed out|The (?:part|email|domain)\b|"
                             r"@-sign|did not seem to be|Name or service|urlopen|No such file|Permission denied")
# what a person copies or a machine reads: `a command or YAML line`, a path, an address, a URL, the JSON
# payload `kehu remind --dry-run` shows as it will be sent; and what the person typed, quoted back ('phone')
COPIED = re.compile(r"`[^`\n]*`|(?:customers|schema|site|calendar)/\S*|\S+@\S+|https?://\S+|^\s*\"[a-z_]+\":"
                    r"|'[^'\n]*'")


def field_keys() -> set[str]:
    from kehu.repo.schema import SchemaSet

    schema = SchemaSet().raw["customer"]
    keys = set(schema["properties"])
    for record in schema["$defs"].values():
        keys |= set(record.get("properties", {}))
    # keys that are also everyday words of an English sentence are only searched for in Chinese text
    return keys


EVERYDAY_ENGLISH = {"name", "date", "title", "phone", "email", "id", "notes", "source", "by", "what", "close",
                    "stage", "owner", "region", "size", "class", "tags", "risks", "needs", "budget", "contact",
                    "contacts", "deals", "interactions", "surveys", "complaints", "opportunities", "amount", "status",
                    "result", "content", "category", "comment", "summary", "outcome", "action", "product", "created",
                    "signed", "resolved", "handler", "probability", "note", "reason", "field", "entry", "primary",
                    "response", "quality", "attitude", "channel", "industry", "contract", "opportunity", "closed",
                    "verified", "imported", "wechat", "birthday", "forgotten", "corrections"}


def findings(text: str, lang: str) -> list[str]:
    """Every slip in ``text`` (what a person reads), as 'kind: the line'."""
    keys = field_keys()
    out = []
    for raw in text.splitlines():
        line = COPIED.sub(" ", raw).replace("].", "] ")  # [0].product: a key behind an index is still a key
        line = re.sub(r"[（(]([a-z][a-z0-9_.-]*)[）)]", " ", line)  # 陈静（chenjing）, call(电话): what to type
        line = re.sub(r"\b([a-z][a-z0-9_]*)[（(][^）)]*[）)]", " ", line)  # call(电话), stage（客户阶段）
        line = re.sub(r"--[a-z-]+(?: \S+)?", " ", line)  # an option as typed, with its value
        if LIBRARY_ENGLISH.search(raw):
            out.append(f"library: {raw}")
        for word in re.findall(r"(?<![A-Za-z0-9_@./-])[a-z][a-z0-9_]*(?![A-Za-z0-9_@])", line):  # 尚待确认 ends no word
            if word in HANDLES:
                out.append(f"handle: {raw}")
            elif word in keys and (lang == "zh" or word not in EVERYDAY_ENGLISH or
                                   re.search(rf"\b{word}(?:=| \S+ → )", line)):
                out.append(f"key {word}: {raw}")
    return out


def test_every_command_speaks_the_team_language(team: TeamRepo) -> None:
    lang = "en" if "locale: en" in (team.root / "kehu.yaml").read_text(encoding="utf-8") else "zh"
    problems = []
    transcript = []
    last: dict[str, Result] = {}
    for command, result in session(team):
        transcript.append(f"$ kehu {command}\n{result.stdout}{result.stderr}")
        assert result.exit_code != 70, f"kehu {command}: a bug in kehu\n{result.stderr}"
        problems += [f"kehu {command}: {f}" for f in findings(result.stdout + result.stderr, lang)]
        last[command] = result
    assert not problems, "\n".join(problems) + "\n\n" + "\n".join(transcript)
    # the words were read where they matter: the build ran, and sync stopped before pushing a duplicate
    assert last["build --out " + str(team.root.parent / "site")].exit_code == 0
    assert last["init " + str(team.root.parent / "another-team")].exit_code == 0
    synced = last["sync --push"]
    assert synced.exit_code == 1 and "duplicate-name" in synced.stdout and "kehu merge" in synced.stdout, synced


@pytest.mark.parametrize(("text", "kind"), [
    ("customers/C1.yaml: stage lead → contacted", "key stage"),
    ("已记录满意度调查：quality=4 attitude=5", "key quality"),
    ("原计划的下一步已完成，已清空 next_action", "key next_action"),
    ("合作记录 · [0].product尚待确认", "key product"),
    ("邮箱格式不正确：The part after the @-sign contains invalid characters", "library"),
    ("发送失败：<urlopen error [Errno 111] Connection refused>", "library"),
    ("2026-11-20  逾期  C20241105001  上海启明科技有限公司  chenjing", "handle"),
])
def test_the_search_sees(text: str, kind: str) -> None:
    assert any(f.startswith(kind) for f in findings(text, "zh")), findings(text, "zh")


@pytest.mark.parametrize("text", [
    "已创建 customers/C20261121LX01.yaml（南京启明软件有限公司，负责人 王强）",
    "团队成员：陈静（chenjing）、李霞（lixia）（写姓名或账号均可）",
    "→ 改为 `channel: call`",
    "跟进记录第1条 · 方式：'phone' 不是允许的取值；应写作 call(电话)",
    "kehu: 错误：--owner：'lisa' 不是 team.yaml 中的成员",
])
def test_the_search_lets_pass(text: str) -> None:
    assert findings(text, "zh") == []
