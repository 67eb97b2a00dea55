"""The site's words, in Chinese and English.

Values of closed lists (stage, class, channel, source …) and field names come
from the schema (``title`` / ``x-title-en``), so a team that extends its
vocabulary sees its own labels. The words below are the site's own: page
titles, column headings, derived states (status, bucket, due reason).
"""

from __future__ import annotations

from typing import Any

from ..schema import SchemaSet

# key: (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    # pages
    "page.dashboard": ("总览", "Dashboard"),
    "page.customers": ("客户列表", "Customers"),
    "page.due": ("到期跟进", "Due follow-ups"),
    "page.funnel": ("销售漏斗", "Funnel"),
    "page.forecast": ("业绩预测", "Forecast"),
    "page.pool": ("公海", "Customer pool"),
    "page.satisfaction": ("满意度与投诉", "Satisfaction & complaints"),
    "page.team": ("团队", "Team"),
    "page.problems": ("数据问题", "Data problems"),
    "page.review": ("月度复盘", "Monthly review"),
    "review_intro": ("本月与上月分类或状态有变化的客户及原因（根据 git 历史中各时点的客户文件计算）。",
                     "Customers whose class or status changed this month and last month, and why (computed from the "
                     "customer files as git history holds them at each date)."),
    "review_month": ("{month}（{start} 至 {end}）", "{month} ({start} to {end})"),
    "why": ("原因", "Why"),
    # why a class or status changed (derive.CHANGE_REASONS); {detail} is what the reason names
    "change.new_customer": ("新增客户档案（创建于 {detail}）", "added to the repository (created {detail})"),
    "change.new_deal": ("新订单：{detail}", "new order: {detail}"),
    "change.need_changed": ("需求变化：{detail}", "change of need: {detail}"),
    "change.no_contact": ("长期未联系（最近联系 {detail}）", "no contact for months (last {detail})"),
    "change.contact_resumed": ("恢复联系（{detail}）", "contact resumed ({detail})"),
    "change.lost": ("终止合作", "end of cooperation"),
    "change.override": ("人工调整分类：{detail}", "class set by hand: {detail}"),
    "change.value": ("合作金额变化：{detail}", "annual value changed: {detail}"),
    "change.removed": ("客户文件已删除或合并", "customer file deleted or merged"),
    "change.no_contact.bare": ("长期未联系", "no contact for months"),
    "change.contact_resumed.bare": ("恢复联系", "contact resumed"),
    "change.new_customer.bare": ("新增客户档案", "added to the repository"),
    # derived states
    "status.active": ("活跃", "Active"),
    "status.dormant": ("沉睡", "Dormant"),
    "status.lost": ("流失", "Lost"),
    "status.potential": ("潜在", "Potential"),
    "bucket.overdue": ("逾期", "Overdue"),
    "bucket.today": ("今天", "Today"),
    "bucket.soon": ("未来{n}天", "Next {n} days"),
    "bucket.later": ("以后", "Later"),
    "reason.next_action": ("计划", "Planned"),
    "reason.first_followup": ("新客户首次跟进", "First follow-up of a new customer"),
    "reason.cadence": ("超过{klass}跟进周期（{days}天）", "{klass} cadence exceeded ({days} days)"),
    "reason.visit": ("{klass}定期拜访（每{days}天）", "{klass} visit due (every {days} days)"),
    "reason.quiet_ended": ("静默期结束", "Quiet period ends"),
    "reason.reverify": ("核实客户资料（每{days}天）", "Re-verify the profile (every {days} days)"),
    "reason.survey": ("满意度回访（每{days}天）", "Satisfaction follow-up (every {days} days)"),
    "level.high": ("高", "High"),
    "level.mid": ("中", "Mid"),
    "level.low": ("低", "Low"),
    "freq.high": ("高频", "Frequent"),
    "freq.mid": ("中频", "Regular"),
    "freq.low": ("低频", "Rare"),
    # labels
    "built": ("生成日期", "Built"),
    "built_note": ("按浏览者的今天重新计算：", "Re-bucketed for the viewer's today: "),
    "internal": ("内部版本：联系方式未脱敏，请勿外传", "Internal build: contact details are not masked — do not share"),
    "customers": ("客户", "Customers"),
    "customer": ("客户", "Customer"),
    "owner": ("负责人", "Owner"),
    "class": ("分类", "Class"),
    "stage": ("阶段", "Stage"),
    "status": ("状态", "Status"),
    "industry": ("行业", "Industry"),
    "region": ("地区", "Region"),
    "last_contact": ("最近联系", "Last contact"),
    "next_due": ("下次跟进", "Next follow-up"),
    "next_action": ("下一步计划", "Next action"),
    "days_ago": ("{n}天前", "{n} days ago"),
    "in_days": ("{n}天后", "in {n} days"),
    "days_late": ("逾期{n}天", "{n} days late"),
    "never": ("从未联系", "never"),
    "none": ("无", "none"),
    "total": ("合计", "Total"),
    "count": ("数量", "Count"),
    "value": ("金额(元)", "Value (CNY)"),
    "value_level": ("价值等级", "Value level"),
    "frequency": ("互动频率", "Interaction frequency"),
    "annual_value": ("年合作金额", "Annual value"),
    "overridden": ("人工指定", "set by hand"),
    "computed": ("计算结果", "computed"),
    "quiet_until": ("静默至", "Quiet until"),
    "filter": ("筛选：名称、拼音、首字母或负责人", "Filter: name, pinyin, initials or owner"),
    "all": ("全部", "All"),
    "shown": ("显示 {n} / {total}", "{n} of {total} shown"),
    "no_js": ("此表格需要启用 JavaScript。", "This table needs JavaScript."),
    "reason": ("原因", "Reason"),
    "due_date": ("到期日", "Due"),
    "date": ("日期", "Date"),
    "dormant_list": ("沉睡客户（待回访）", "Dormant customers to revive"),
    "birthdays": ("联系人生日（{n}天内）", "Contact birthdays (next {n} days)"),
    "contact": ("联系人", "Contact"),
    "calendar": ("订阅日历（.ics）", "Subscribe (.ics)"),
    "nothing_due": ("没有到期的跟进", "Nothing due"),
    "nothing": ("暂无", "Nothing yet"),
    "no_data": ("暂无", "No data"),
    "search_more": ("还有 {n} 个结果未列出：请输入更多字词缩小范围",
                    "{n} more results not listed: type more to narrow down"),
    "kpi.customers": ("客户总数", "Customers"),
    "kpi.overdue": ("逾期跟进", "Overdue"),
    "kpi.today": ("今天到期", "Due today"),
    "kpi.soon": ("本周到期", "Due this week"),
    "kpi.dormant": ("沉睡客户", "Dormant"),
    "kpi.complaints": ("未结投诉", "Open complaints"),
    "kpi.pipeline": ("在途金额(元)", "Pipeline value (CNY)"),
    "by_class": ("按分类", "By class"),
    "by_stage": ("按阶段", "By stage"),
    "by_status": ("按状态", "By status"),
    "per_month": ("近{n}个月跟进次数", "Interactions, last {n} months"),
    "funnel": ("销售漏斗", "Funnel"),
    "reached": ("到达(累计)", "Reached (at least)"),
    "current": ("当前", "Now"),
    "conversion": ("转化率", "Conversion"),
    "lost_from": ("流失前阶段", "Lost from"),
    "lost": ("流失", "Lost"),
    "by_owner": ("按负责人", "By owner"),
    "by_source": ("按来源", "By source"),
    "unknown": ("未填写", "not given"),
    "surveys": ("满意度调查", "Surveys"),
    "survey_count": ("调查次数", "Surveys"),
    "average": ("平均分", "Average"),
    "overall": ("总体平均", "Overall"),
    "trend": ("月度趋势", "Monthly trend"),
    "complaints": ("投诉", "Complaints"),
    "unresolved": ("未解决投诉", "Unresolved complaints"),
    "days_open": ("已开启天数", "Days open"),
    "by_category": ("按类别", "By category"),
    "resolve_time": ("解决用时", "Time to resolve"),
    "mean_days": ("平均用时(天)", "Mean (days)"),
    "median_days": ("用时中位数(天)", "Median (days)"),
    "resolved_count": ("已解决 {n} 件", "{n} resolved"),
    "members": ("成员", "Members"),
    "role": ("角色", "Role"),
    "discipline": ("跟进纪律", "Follow-up discipline"),
    "interactions_recent": ("近{n}天跟进", "Interactions, last {n} days"),
    "overdue_count": ("逾期", "Overdue"),
    "their_customers": ("负责的客户", "Their customers"),
    "their_due": ("到期跟进", "Due follow-ups"),
    "problems_intro": ("kehu check 发现的全部问题。有错误的文件未出现在本站其他页面。",
                       "Everything kehu check reports. Files with errors are left out of the rest of the site."),
    "skipped": ("未收录的文件（有错误）", "Files left out (they have errors)"),
    "severity": ("级别", "Severity"),
    "severity.error": ("错误", "error"),
    "severity.warning": ("警告", "warning"),
    "location": ("位置", "Location"),
    "message": ("问题", "Problem"),
    "hint": ("建议", "What to do"),
    "code": ("规则", "Rule"),
    "no_problems": ("没有发现问题", "No problems found"),
    # profile
    "profile.facts": ("概况", "Overview"),
    "profile.contacts": ("联系人", "Contacts"),
    "profile.deals": ("合作记录", "Deals"),
    "profile.opportunities": ("商机", "Opportunities"),
    "profile.needs": ("需求与标签", "Needs and tags"),
    # opportunities and the forecast
    "opp.weighted": ("加权金额(元)", "Weighted (CNY)"),
    "opp.probability": ("概率", "Probability"),
    "opp.slipping": ("已延误", "Slipping"),
    "opp.days_late": ("逾期{n}天", "{n} days late"),
    "pool.rule": ("负责人 {days} 天未跟进的客户进入公海，同事可用 kehu claim 领取；每人最多负责 {cap} 个客户。"
                  "已签约、已流失或有进行中商机的客户不进入公海。",
                  "A customer whose owner has not followed it up for {days} days is in the pool; a colleague may claim "
                  "it with kehu claim, holding at most {cap} customers. Won and lost customers, and those with an "
                  "open opportunity, stay with their owner."),
    "pool.former_owner": ("原负责人", "Former owner"),
    "pool.since": ("进入公海", "In the pool since"),
    "pool.silent_since": ("负责人最近跟进", "Owner's last follow-up"),
    "pool.held": ("负责客户数", "Customers held"),
    "pool.full": ("已满", "full"),
    "pool.claim": ("领取：kehu claim {id}", "Claim: kehu claim {id}"),
    "forecast.weighted": ("加权预测(元)", "Weighted forecast (CNY)"),
    "forecast.amount": ("商机金额(元)", "Pipeline (CNY)"),
    "forecast.count": ("商机数", "Opportunities"),
    "forecast.by_month": ("按预计成交月份的加权金额", "Weighted pipeline by expected close month"),
    "forecast.quarter": ("季度", "Quarter"),
    "forecast.month": ("月份", "Month"),
    "forecast.overdue": ("预计日期已过、仍未结束", "Expected before this quarter, still open"),
    "forecast.later": ("更晚", "Later"),
    "forecast.won": ("已成交", "Won"),
    "forecast.period": ("期间", "Period"),
    "forecast.deals": ("成交笔数", "Deals"),
    "forecast.change": ("变化", "Change"),
    "forecast.this_month": ("本月", "This month"),
    "forecast.last_month": ("上月", "Last month"),
    "forecast.this_quarter": ("本季度", "This quarter"),
    "forecast.last_quarter": ("上季度", "Last quarter"),
    "forecast.slipping": ("延误的商机（预计成交日期已过，此后无跟进）",
                          "Slipping opportunities (expected close passed, no activity since)"),
    "forecast.close": ("预计成交", "Expected close"),
    "forecast.note": ("加权金额 = 预计金额 × 赢单概率（未填写概率时按 kehu.yaml 中该阶段的默认值）",
                      "Weighted = expected amount × win probability (the stage's default from kehu.yaml when none "
                      "is given)"),
    "profile.missing": ("待补充信息", "Information to collect"),
    "profile.timeline": ("跟进时间线", "Timeline"),
    "profile.surveys": ("满意度调查", "Surveys"),
    "profile.complaints": ("投诉记录", "Complaints"),
    "profile.notes": ("备注", "Notes"),
    "profile.extra": ("其他字段", "Other fields"),
    "profile.corrections": ("更正与删除记录", "Corrections and erasures"),
    "profile.corrections_note": ("以下既往记录经过更正或按个人信息删除请求删除；完整经过见变更历史。",
                                 "These past records were corrected, or personal data erased on request; the change "
                                 "history shows the full trail."),
    "profile.erased": ("按请求删除了一位联系人的个人信息", "a contact's personal data erased on request"),
    "profile.correction_what": ("更正的记录", "Record"),
    "profile.correction_reason": ("原因", "Reason"),
    "profile.correction_by": ("操作人", "By"),
    "profile.history": ("变更历史", "Change history"),
    "edit": ("编辑此文件", "Edit this file"),
    "view_source": ("查看源文件", "View the file"),
    "author": ("作者", "Author"),
    "commit_message": ("提交说明", "Message"),
    "no_history": ("尚无提交记录", "Not committed yet"),
    "primary": ("主要联系人", "primary"),
    "not_recorded": ("未填写", "not recorded"),
    "missing_field": ("未填写", "empty"),
    "files": ("文件", "File"),
}


class Labels:
    """Words for one locale: the site's own (``t``) and the schema's (``vocab``, ``field``)."""

    def __init__(self, schemas: SchemaSet, locale: str) -> None:
        self.locale = locale
        self.en = locale.lower().startswith("en")
        self.vocabularies = schemas.vocabularies
        self._schema = schemas.raw["customer"]

    def t(self, key: str, **args: Any) -> str:
        zh, en = WORDS.get(key, (key, key))
        text = en if self.en else zh
        return text.format(**args) if args else text

    def change(self, code: str, detail: str) -> str:
        """Why a class or status changed (the monthly review), with what the reason names when known."""
        if not detail and f"change.{code}.bare" in WORDS:
            return self.t(f"change.{code}.bare")
        return self.t(f"change.{code}", detail=detail) if "{detail}" in WORDS[f"change.{code}"][0] \
            else self.t(f"change.{code}")

    def vocab(self, name: str, key: str | None) -> str:
        if key is None or key == "":
            return ""
        v = self.vocabularies.get(name)
        return v.label(key, self.locale) if v else str(key)

    def field(self, name: str, within: str | None = None) -> str:
        """The schema title of a top-level field (or of a field of a ``$defs`` object)."""
        props = self._schema.get("properties", {})
        if within is not None:
            props = self._schema.get("$defs", {}).get(within, {}).get("properties", {})
        spec = props.get(name)
        if not isinstance(spec, dict):
            return name
        return str(spec.get("x-title-en" if self.en else "title", spec.get("title", name)))

    def words(self) -> dict[str, str]:
        """Every site word in this locale (templates and the browser scripts read them)."""
        return {k: (en if self.en else zh) for k, (zh, en) in WORDS.items()}
