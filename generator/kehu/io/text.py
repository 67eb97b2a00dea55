"""What import, export, dedupe and merge say, in Chinese and English.

Reasons a row is rejected are catalogue entries (code -> message, hint), added to
kehu's message catalogue at import; the words of summaries and previews are here
too, so no command carries its own copy of a sentence.
"""

from __future__ import annotations

from ..messages import CATALOGUE, Messages

IO_MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    # --- reasons a row is rejected ---------------------------------------------------------------
    "import-no-name": {
        "en": ("no customer name", "fill in the name column (客户名称) or delete the row"),
        "zh": ("缺少客户名称", "请填写客户名称，或删除该行"),
    },
    "import-national-id": {
        "en": ("column '{column}' holds a national ID number (身份证号)",
               "ID numbers are never stored: delete it from the spreadsheet and import the row again"),
        "zh": ("“{column}”列含有身份证号", "禁止存储身份证号：请从表格中删除后重新导入该行"),
    },
    "import-bank-card": {
        "en": ("column '{column}' holds a bank card number",
               "card numbers are never stored: delete it from the spreadsheet and import the row again"),
        "zh": ("“{column}”列含有银行卡号", "禁止存储银行卡号：请从表格中删除后重新导入该行"),
    },
    "import-bad-phone": {
        "en": ("{column}: '{value}' is not a phone number that can be repaired ({detail})",
               "write an 11-digit mainland mobile (13800138000) or a number with +country code"),
        "zh": ("{column}：'{value}' 不是可修复的电话号码（{detail}）",
               "请填写 11 位大陆手机号（如 13800138000），或带 +国家码 的号码"),
    },
    "import-bad-email": {
        "en": ("{column}: '{value}' is not an email address ({detail})", "write it as name@example.com"),
        "zh": ("{column}：'{value}' 不是有效邮箱（{detail}）", "格式应为 name@example.com"),
    },
    "import-bad-date": {
        "en": ("{column}: '{value}' is not a date", "write 2024-05-10, 2024/5/10 or 2024年5月10日"),
        "zh": ("{column}：'{value}' 不是有效日期", "请写成 2024-05-10、2024/5/10 或 2024年5月10日"),
    },
    "import-future": {
        "en": ("{column}: {value} is in the future (today is {today})", "record what happened after it happened"),
        "zh": ("{column}：{value} 晚于今天（{today}）", "请在发生后再记录"),
    },
    "import-bad-number": {
        "en": ("{column}: '{value}' is not a number", "write digits, e.g. 120000 or 12万"),
        "zh": ("{column}：'{value}' 不是数字", "请填写数字，如 120000 或 12万"),
    },
    "import-bad-value": {
        "en": ("{column}: '{value}' is not an allowed value",
               "allowed: {allowed}; or map it under values: in --mapping"),
        "zh": ("{column}：'{value}' 不是允许的取值", "可选值：{allowed}；或在 --mapping 文件的 values: 中映射"),
    },
    "import-missing": {
        "en": ("{column} is empty", "{what} needs it"),
        "zh": ("{column}为空", "{what}必须填写此项"),
    },
    "import-no-industry": {
        "en": ("no industry{value}", "add an industry column (所属行业), map the value under values: industry:, "
               "or set defaults: industry: in --mapping"),
        "zh": ("缺少所属行业{value}", "请添加“所属行业”列，在 --mapping 的 values: industry: 中映射该值，"
               "或设置 defaults: industry:"),
    },
    "import-no-owner": {
        "en": ("no owner", "add an owner column (负责人) or pass --owner HANDLE"),
        "zh": ("缺少负责人", "请添加“负责人”列，或使用 --owner 账号"),
    },
    "import-unknown-owner": {
        "en": ("{column}: '{value}' is not a member of team.yaml",
               "map it under owners: in --mapping (e.g. '{value}: lixia') or add the member to team.yaml; "
               "known: {known}"),
        "zh": ("{column}：'{value}' 不是 team.yaml 中的成员",
               "请在 --mapping 的 owners: 中映射（如 '{value}: lixia'），或把该成员加入 team.yaml；已知成员：{known}"),
    },
    "import-no-customer": {
        "en": ("no customer '{value}' in this file or in the repository",
               "import the customer first, or correct the name or id"),
        "zh": ("本文件和仓库中都没有客户 '{value}'", "请先导入该客户，或更正名称/编号"),
    },
    "import-ambiguous": {
        "en": ("matches {first} and {second}, which are different customers",
               "they look like duplicates: merge them first (kehu dedupe, kehu merge), or correct the row"),
        "zh": ("同时匹配 {first} 和 {second}，而它们是不同的客户",
               "二者疑似重复：请先合并（kehu dedupe、kehu merge），或更正该行"),
    },
    "import-no-id": {
        "en": ("no free id for {date} under the template {template}",
               "add a creation-date column (创建日期) so ids spread over the days, "
               "or change ids.template in kehu.yaml"),
        "zh": ("按编号模板 {template} 在 {date} 已无可用编号",
               "请添加“创建日期”列，使编号分布到各自的日期；或修改 kehu.yaml 中的 ids.template"),
    },
    "import-fails-check": {
        "en": ("the customer would fail kehu check: {message}", "{hint}"),
        "zh": ("导入后的客户无法通过 kehu check：{message}", "{hint}"),
    },
    "import-existing-invalid": {
        "en": ("{file} is invalid ({message}), so it was not changed", "fix it first: kehu check {file}"),
        "zh": ("{file} 当前有错误（{message}），未作修改", "请先修正：kehu check {file}"),
    },
    "import-value-dropped": {
        "en": ("only this value was dropped, the rest of the row was imported — {detail}", ""),
        "zh": ("只丢弃了这一个值，该行其余内容已导入——{detail}", ""),
    },
    "import-type-date": {
        "en": ("{column}: '{value}' is a date, not {expected}", "the column may be shifted: check the spreadsheet"),
        "zh": ("{column}：'{value}' 是日期，不是{expected}", "该列可能错位，请核对表格"),
    },
    "import-total-row": {
        "en": ("a total row, not a customer", ""),
        "zh": ("合计行，不是客户", ""),
    },
    # --- whole-command errors ----------------------------------------------------------------------
    "import-bad-mapping": {
        "en": ("{file}: {detail}", "see `kehu import --help` for the mapping file's form"),
        "zh": ("{file}：{detail}", "映射文件格式见 `kehu import --help`"),
    },
    "import-bad-owner": {
        "en": ("--owner: '{owner}' is not a member of team.yaml", "members: {known}"),
        "zh": ("--owner：'{owner}' 不是 team.yaml 中的成员", "已知成员：{known}"),
    },
    "import-no-rows": {
        "en": ("{files}: no rows to import (the file is empty or holds only a header row)",
               "check that you chose the right file and sheet (--sheet NAME)"),
        "zh": ("{files}：没有可导入的行（文件为空，或只有表头）", "请确认文件和工作表是否正确（--sheet 工作表名）"),
    },
    "import-no-header": {
        "en": ("{sheet}: no header row found (no column this tool recognises)",
               "name the columns (客户名称, 联系人, 手机号 …) or map them with --mapping"),
        "zh": ("{sheet}：找不到表头行（没有可识别的列名）",
               "请使用常见列名（客户名称、联系人、手机号…），或用 --mapping 指定"),
    },
    "import-no-name-column": {
        "en": ("{sheet}: no column holds the customer name or id", "name a column 客户名称 (or map one to 'name')"),
        "zh": ("{sheet}：没有客户名称或编号列", "请把一列命名为“客户名称”（或在 --mapping 中映射到 name）"),
    },
    "merge-same": {
        "en": ("KEEP and DROP are the same customer ({id})", "give two different customers"),
        "zh": ("保留与删除的是同一个客户（{id}）", "请给出两个不同的客户"),
    },
    "merge-refused": {
        "en": ("the merged customer would fail kehu check: {where}: {message}; nothing was changed", "{hint}"),
        "zh": ("合并后的客户无法通过 kehu check：{where}：{message}；未作任何修改", "{hint}"),
    },
}
CATALOGUE.update(IO_MESSAGES)

# words of summaries, previews and exported headers that are not schema titles
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "kind.customers": "客户", "kind.contacts": "联系人", "kind.interactions": "跟进记录", "kind.deals": "合作记录",
        "kind.opportunities": "商机", "kind.surveys": "满意度调查", "kind.complaints": "投诉记录", "kind.due": "待跟进",
        "sheet": "工作表「{name}」（{kind}，第 {header} 行为表头，{rows} 行数据{encoding}）",
        "encoding": "，编码 {enc}",
        "unmapped": "  未识别的列（不导入，可在 --mapping 的 columns: 中指定）：{cols}",
        "derived": "  自动计算的列（导入时忽略）：{cols}",
        "preview": "预览（前 {n} 个）：",
        "action.new": "新建", "action.update": "更新", "action.same": "不变",
        "counts": "联系人 {contacts}，跟进 {interactions}，合作 {deals}",
        "rows": "来自 {rows}",
        "summary": "合计：新建 {new}，更新 {updated}，不变 {same}，合并重复行 {merged}，拒绝 {rejected}",
        "rejected": "拒绝的行：",
        "dropped": "丢弃的单个取值（客户已导入，缺这一项）：",
        "dropped_count": "，丢弃单个取值 {n} 个",
        "type.amount": "金额", "type.text": "文字", "type.date": "日期",
        "column_type": "列类型提示：工作表「{sheet}」的“{column}”列应为{expected}，但有 {n} 个值是{found}"
                       "（如第 {row} 行：{value}）；该列可能错位",
        "reject_line": "  {sheet} 第 {row} 行：{reason}",
        "more": "  …… 另有 {n} 行",
        "rejects_file": "拒绝的行已写入 {path}（含原始行号和原因）",
        "dry_run": "（试运行：未写入任何文件）",
        "unknown_value": "未识别的取值：{column} = '{value}'（{n} 行），已写入备注；可在 --mapping 的 values: 中映射",
        "note_import": "〔导入〕", "note_merge": "〔合并自 {id}〕",
        "note_unknown": "{title}（原表）：{value}",
        "note_old_id": "原编号：{value}",
        "note_lost_from": "流失前阶段未知，按“{stage}”记录",
        "class_reason": "导入自表格",
        "truncated": "（过长，已截断；全文见备注）",
        "wrote": "已写入 {n} 个客户文件",
        "phone.fraction": "不是整数", "phone.empty": "为空", "phone.lost_digits": "Excel 科学计数法已丢失数字",
        "phone.not_number": "不是号码", "phone.not_mobile": "不是手机号", "phone.invalid": "号码无效",
        "yes": "是", "no": "否",
        "ref.id": "客户编号", "ref.name": "客户名称",
        "col.contact.name": "联系人", "col.contact.primary": "是否主要联系人",
        "col.interaction.date": "跟进日期", "col.interaction.channel": "跟进方式",
        "col.interaction.summary": "沟通内容", "col.interaction.outcome": "客户反馈/结果",
        "col.deal.product": "合作产品/服务", "col.deal.amount": "合作金额(元)", "col.deal.opportunity": "来自商机",
        "col.opportunity.id": "商机编号", "col.opportunity.what": "商机内容", "col.opportunity.amount": "预计金额(元)",
        "col.opportunity.close": "预计成交日期", "col.opportunity.stage": "商机阶段",
        "col.opportunity.probability": "赢单概率", "col.opportunity.owner": "商机负责人",
        "col.opportunity.created": "商机创建日期", "col.opportunity.closed": "商机结束日期",
        "col.opportunity.lost_reason": "输单原因", "col.opportunity.note": "商机说明",
        "col.survey.date": "调查日期", "col.survey.comment": "意见建议",
        "col.complaint.date": "投诉日期", "col.complaint.category": "投诉类别", "col.complaint.status": "处理状态",
        "col.complaint.handler": "处理人",
        "col.next_action.date": "下一步日期",
        "col.derived.status": "状态（自动）", "col.derived.class": "客户分类（自动）",
        "col.derived.value_level": "价值等级（自动）", "col.derived.last_contact": "最近联系（自动）",
        "col.derived.due_date": "下次跟进（自动）", "col.derived.due_reason": "跟进原因（自动）",
        "col.derived.frequency": "互动频率（自动）",
        "status.active": "活跃", "status.dormant": "沉睡", "status.lost": "流失", "status.potential": "潜在",
        "level.high": "高", "level.mid": "中", "level.low": "低",
        "reason.next_action": "下一步计划", "reason.first_followup": "首次跟进", "reason.cadence": "跟进周期已到",
        "reason.visit": "拜访周期已到", "reason.quiet_ended": "静默期结束",
        "ics.summary": "跟进：{name}", "ics.calname": "kehu 待跟进",
        "dedupe.none": "没有发现疑似重复的客户",
        "dedupe.reason.name": "规范化名称相同", "dedupe.reason.phone": "手机号相同：{value}",
        "dedupe.reason.email": "邮箱相同：{value}", "dedupe.reason.near": "名称几乎相同（{d}）",
        "merge.title": "合并客户 {drop} 到 {keep}（{name}）",
        "merge.added": "- 并入：联系人 {contacts}，跟进记录 {interactions}，合作记录 {deals}，"
                       "满意度调查 {surveys}，投诉记录 {complaints}",
        "merge.filled": "- 补充字段：{fields}",
        "merge.conflict": "- 保留 {keep} 的 {field}（{value}）；{drop} 的取值 {other} 已记入备注",
        "merge.deleted": "- 删除 {file}",
        "export.wrote": "已导出 {n} 个客户到 {path}",
        "export.skipped": "跳过 {n} 个无法通过 schema 校验的文件：{files}（请先运行 kehu check）",
    },
    "en": {
        "kind.customers": "customers", "kind.contacts": "contacts", "kind.interactions": "interactions",
        "kind.deals": "deals", "kind.opportunities": "opportunities", "kind.surveys": "surveys",
        "kind.complaints": "complaints", "kind.due": "due",
        "sheet": "sheet '{name}' ({kind}, header in row {header}, {rows} data rows{encoding})",
        "encoding": ", encoding {enc}",
        "unmapped": "  columns not recognised (not imported; map them under columns: in --mapping): {cols}",
        "derived": "  computed columns (ignored on import): {cols}",
        "preview": "preview (first {n}):",
        "action.new": "new", "action.update": "update", "action.same": "unchanged",
        "counts": "contacts {contacts}, interactions {interactions}, deals {deals}",
        "rows": "from {rows}",
        "summary": "total: {new} new, {updated} updated, {same} unchanged, {merged} duplicate rows merged, "
                   "{rejected} rejected",
        "rejected": "rejected rows:",
        "dropped": "values dropped (the customer was imported without them):",
        "dropped_count": ", {n} single values dropped",
        "type.amount": "an amount", "type.text": "text", "type.date": "a date",
        "column_type": "column type: '{column}' of sheet '{sheet}' should hold {expected}, but {n} values are "
                       "{found} (e.g. row {row}: {value}); the column may be shifted",
        "reject_line": "  {sheet} row {row}: {reason}",
        "more": "  … and {n} more",
        "rejects_file": "rejected rows written to {path} (with original row number and reason)",
        "dry_run": "(dry run: nothing was written)",
        "unknown_value": "value not recognised: {column} = '{value}' ({n} rows), kept in notes; "
                         "map it under values: in --mapping",
        "note_import": "[import] ", "note_merge": "[merged from {id}] ",
        "note_unknown": "{title} (spreadsheet): {value}",
        "note_old_id": "former id: {value}",
        "note_lost_from": "stage before it was lost unknown, recorded as '{stage}'",
        "class_reason": "imported from spreadsheet",
        "truncated": " (too long, truncated; full text in notes)",
        "wrote": "wrote {n} customer files",
        "phone.fraction": "not a whole number", "phone.empty": "empty",
        "phone.lost_digits": "digits lost in Excel's scientific notation", "phone.not_number": "not a number",
        "phone.not_mobile": "not a mobile number", "phone.invalid": "not a valid number",
        "yes": "yes", "no": "no",
        "ref.id": "Customer id", "ref.name": "Customer",
        "col.contact.name": "Contact", "col.contact.primary": "Primary contact (yes/no)",
        "col.interaction.date": "Interaction date", "col.interaction.channel": "Channel",
        "col.interaction.summary": "Summary", "col.interaction.outcome": "Outcome",
        "col.deal.product": "Product or service", "col.deal.amount": "Amount (CNY)",
        "col.deal.opportunity": "From opportunity",
        "col.opportunity.id": "Opportunity id", "col.opportunity.what": "Opportunity",
        "col.opportunity.amount": "Expected amount (CNY)", "col.opportunity.close": "Expected close",
        "col.opportunity.stage": "Opportunity stage", "col.opportunity.probability": "Win probability",
        "col.opportunity.owner": "Opportunity owner", "col.opportunity.created": "Opportunity created",
        "col.opportunity.closed": "Opportunity closed", "col.opportunity.lost_reason": "Lost reason",
        "col.opportunity.note": "Opportunity note",
        "col.survey.date": "Survey date", "col.survey.comment": "Comment",
        "col.complaint.date": "Complaint date", "col.complaint.category": "Complaint category",
        "col.complaint.status": "Complaint status", "col.complaint.handler": "Handler",
        "col.next_action.date": "Next action date",
        "col.derived.status": "Status (auto)", "col.derived.class": "Class (auto)",
        "col.derived.value_level": "Value level (auto)", "col.derived.last_contact": "Last contact (auto)",
        "col.derived.due_date": "Next due (auto)", "col.derived.due_reason": "Due because (auto)",
        "col.derived.frequency": "Interaction frequency (auto)",
        "status.active": "active", "status.dormant": "dormant", "status.lost": "lost", "status.potential": "potential",
        "level.high": "high", "level.mid": "mid", "level.low": "low",
        "reason.next_action": "next action", "reason.first_followup": "first follow-up",
        "reason.cadence": "cadence reached", "reason.visit": "visit due", "reason.quiet_ended": "quiet period ends",
        "ics.summary": "Follow up: {name}", "ics.calname": "kehu due follow-ups",
        "dedupe.none": "no likely duplicates found",
        "dedupe.reason.name": "same normalised name", "dedupe.reason.phone": "same phone: {value}",
        "dedupe.reason.email": "same email: {value}", "dedupe.reason.near": "nearly the same name ({d})",
        "merge.title": "Merge customer {drop} into {keep} ({name})",
        "merge.added": "- added: contacts {contacts}, interactions {interactions}, deals {deals}, surveys {surveys}, "
                       "complaints {complaints}",
        "merge.filled": "- filled in: {fields}",
        "merge.conflict": "- kept {keep}'s {field} ({value}); {drop}'s value {other} is recorded in notes",
        "merge.deleted": "- deleted {file}",
        "export.wrote": "exported {n} customers to {path}",
        "export.skipped": "skipped {n} files that fail the schema: {files} (run kehu check first)",
    },
}


def word(msgs: Messages | str, key: str, **args: object) -> str:
    lang = msgs if isinstance(msgs, str) else msgs.lang
    return WORDS[lang][key].format(**args)


def reason(msgs: Messages, code: str, **args: object) -> str:
    """A catalogue entry as one line: message, then what to do."""
    message, hint = msgs.text(code, **args)
    if not hint:
        return message
    return f"{message}；{hint}" if msgs.lang == "zh" else f"{message}; {hint}"
