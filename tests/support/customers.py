"""The base customer every test starts from, as data and as a commented file, and the team that owns it.

``customer_dict()`` is 上海启明科技有限公司 as data: valid, and no rule fires on TODAY. ``COMMENTED`` is the same
company as a file someone has been editing by hand — comments on keys, above entries and at the end — in a later
stage (quoted, a visit, a next action): what every round-trip write must keep. ``other_customer()`` is a second
customer that shares nothing with it.
"""

from __future__ import annotations

from typing import Any

import yaml

TODAY = "2024-06-01"  # the pinned "today" of every test that does not choose its own

# the people of the test teams, each written the one way tests write them
MEMBERS: dict[str, dict[str, Any]] = {
    "lixia": {"name": "李霞", "email": "lixia@example.com", "git": "lixia-sales", "role": "sales"},
    "wangfang": {"name": "王芳", "email": "wangfang@example.com", "git": "wangfang-cs", "role": "sales"},
    "zhaolei": {"name": "赵磊", "email": "zhaolei@example.com", "git": "zhaolei-sales", "role": "sales"},
    "liuyang": {"name": "刘洋", "email": "liuyang@example.com", "role": "manager"},
    "zhoumin": {"name": "周敏", "email": "zhoumin@example.com", "git": "zhoumin-mgr", "role": "manager"},
}


_FIELD_ORDER = ("name", "email", "git", "role", "active")


def team_yaml(*handles: str, **changes: dict[str, Any]) -> str:
    """team.yaml listing ``handles`` (default: lixia, wangfang, liuyang) as :data:`MEMBERS` has them;
    ``changes[handle]``: fields to add or replace (None leaves a field out), e.g. ``lixia={"active": False}``."""
    lines = ["members:"]
    for handle in handles or ("lixia", "wangfang", "liuyang"):
        lines.append(f"  - handle: {handle}")
        fields = {**MEMBERS[handle], **changes.get(handle, {})}
        for key in sorted(fields, key=lambda k: _FIELD_ORDER.index(k) if k in _FIELD_ORDER else len(_FIELD_ORDER)):
            value = fields[key]
            if value is not None:
                lines.append(f"    {key}: {str(value).lower() if isinstance(value, bool) else value}")
    return "\n".join(lines) + "\n"


TEAM_YAML = team_yaml()


def customer_dict(**overrides: Any) -> dict[str, Any]:
    """A valid customer that triggers no rule on TODAY; ``overrides`` replace top-level keys
    (a value of ``...`` removes the key)."""
    data: dict[str, Any] = {
        "id": "C20240501001",
        "name": "上海启明科技有限公司",
        "industry": "I65",
        "stage": "negotiating",
        "owner": "lixia",
        "created": "2024-05-01",
        "size": "200-500",
        "region": "上海",
        "source": "referral",
        "needs": "需定制化解决方案，注重响应速度",
        "budget": 200000,
        "decision_process": "采购经理评估后总经理拍板",
        "contacts": [{"name": "张伟", "title": "采购经理", "phone": "13800138000",
                      "email": "zhang.wei@example.com", "primary": True}],
        "interactions": [{"date": "2024-05-01", "channel": "call", "by": "lixia",
                          "summary": "沟通Q2续约需求，客户对售后服务满意"}],
    }
    for key, value in overrides.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


COMMENTED = """\
# yaml-language-server: $schema=../schema/customer.schema.json
id: C20240501001
name: 上海启明科技有限公司   # 工商注册全称
industry: I65
stage: quoted
owner: lixia
created: 2024-05-01
size: "200-500"
region: 上海
source: referral
needs: 需定制化解决方案，注重响应速度
budget: 200000
decision_process: 采购经理评估后总经理拍板
contacts:
  - name: 张伟
    title: 采购经理
    phone: "13800138000"
    email: zhang.wei@example.com
    primary: true
# 跟进记录按日期排列
interactions:
  - date: 2024-05-01  # 首次接触
    channel: call
    by: lixia
    summary: 沟通Q2续约需求，客户对售后服务满意
  # 上门演示
  - date: 2024-05-20
    channel: visit
    by: wangfang
    summary: 上门演示审批流，客户关注与SAP对接
next_action: {date: 2024-06-05, action: 发送报价单}  # 本周内
# 文件结束
"""


def other_customer(**overrides: Any) -> dict[str, Any]:
    """A second valid customer, distinct from C20240501001 in name, phone and email."""
    base = dict(id="C20240502001", name="杭州云帆网络科技有限公司", owner="wangfang", stage="contacted",
                contacts=[{"name": "王强", "phone": "13912345678", "email": "wang.qiang@yunfan.example.com",
                           "primary": True}],
                interactions=[{"date": "2024-05-02", "channel": "email", "by": "wangfang",
                               "summary": "发送产品白皮书和报价区间，客户关注私有化部署"}])
    base.update(overrides)
    return customer_dict(**base)


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)
