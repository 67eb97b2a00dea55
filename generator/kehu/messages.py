"""The checker's messages, in Chinese and English, described as data.

Every problem kehu reports has a code (``duplicate-key``, ``unknown-handle`` …),
a message and a hint that says what to do next. Rules only pick a code and fill
in the arguments; the wording lives here, once per language.
"""

from __future__ import annotations

from .problems import Problem, Severity

# code: {locale: (message, hint)}
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    # --- reading the file -------------------------------------------------------------
    "too-large": {
        "en": ("file is {size} bytes, over the {limit}-byte limit",
               "a customer file this large usually holds pasted data; split it or raise check.max_file_bytes"),
        "zh": ("文件大小 {size} 字节，超过上限 {limit} 字节",
               "客户文件过大通常是误粘贴了数据；请删减，或在 kehu.yaml 调整 check.max_file_bytes"),
    },
    "not-utf8": {
        "en": ("file is not UTF-8 (byte {byte})", "save the file as UTF-8 (Excel/Notepad: 'UTF-8'; not GBK)"),
        "zh": ("文件不是 UTF-8 编码（字节 {byte}）", "请以 UTF-8 编码保存（不要用 GBK）"),
    },
    "conflict-markers": {
        "en": ("the file still holds git conflict markers (<<<<<<< here): a merge was left unresolved",
               "run `kehu sync` to let kehu merge it, or keep the right side, delete the marker lines and "
               "`git add` the file"),
        "zh": ("文件中仍有 git 冲突标记（此行 <<<<<<<）：合并尚未完成",
               "运行 `kehu sync` 由 kehu 合并；或保留正确的一侧、删除标记行后 `git add` 该文件"),
    },
    "tab-indent": {
        "en": ("tab character used for indentation", "YAML indents with spaces only; replace the tab with spaces"),
        "zh": ("缩进中使用了制表符（Tab）", "YAML 只能用空格缩进；请把 Tab 换成空格"),
    },
    "anchor": {
        "en": ("YAML anchors, aliases and merge keys are not allowed",
               "write the value out in full; a shared anchor hides data from reviewers"),
        "zh": ("不允许使用 YAML 锚点、别名或合并键（& * <<）", "请直接写出完整的值，便于审阅"),
    },
    "yaml-syntax": {
        "en": ("YAML syntax error: {detail}", "check indentation and quoting on this line and the one above"),
        "zh": ("YAML 语法错误：{detail}", "检查本行及上一行的缩进和引号"),
    },
    "empty-file": {
        "en": ("file is empty", "fill it in or delete it"),
        "zh": ("文件为空", "请填写内容或删除该文件"),
    },
    "not-mapping": {
        "en": ("the file must be a mapping of fields (key: value)", "start the file with 'id: …'"),
        "zh": ("文件内容必须是“字段: 值”的映射", "文件应以 'id: …' 开头"),
    },
    "yaml-number": {
        "en": ("'{text}' means different things to different YAML tools (kehu reads {value})",
               "quote it if it is text (\"{text}\"); write a number without a leading 0, ':' or exponent"),
        "zh": ("'{text}' 在不同 YAML 工具中含义不同（kehu 读作 {value}）",
               "如是文本请加引号（\"{text}\"）；数字请勿以 0 开头，也不要含冒号或指数"),
    },
    "yaml-bool": {
        "en": ("{field}: '{text}' is {value} for kehu but the text '{text}' for other YAML tools",
               "write {value}"),
        "zh": ("{field}：'{text}' 在 kehu 中表示 {value}，在其他 YAML 工具中却是文本 '{text}'", "请写成 {value}"),
    },
    "implausible-date": {
        "en": ("{field}: {value} is not a usable date (before {first})", "correct the year"),
        "zh": ("{field}：{value} 不是可用的日期（早于 {first} 年）", "请更正年份"),
    },
    "not-finite": {
        "en": ("'{text}' is not a finite number", "write an ordinary number (e.g. 50000), or quote it if it is text"),
        "zh": ("'{text}' 不是有限的数字", "请写普通数字（如 50000）；如是文本请加引号"),
    },
    "custom-tag": {
        "en": ("custom YAML tag {tag} is not allowed", "remove the '!' tag; kehu reads plain YAML only"),
        "zh": ("不允许使用自定义 YAML 标签 {tag}", "请去掉以 ! 开头的标签"),
    },
    "complex-key": {
        "en": ("a key must be plain text", "write the key as a simple word, e.g. 'name:'"),
        "zh": ("键必须是普通文本", "请使用简单的字段名，如 'name:'"),
    },
    "duplicate-key": {
        "en": ("duplicate key '{key}' (first at line {first}); YAML would silently keep only the last one",
               "merge the two entries into one"),
        "zh": ("重复的键 '{key}'（第一次出现在第 {first} 行）；YAML 会静默丢弃前一个值", "请把两处合并为一处"),
    },
    # --- schema -------------------------------------------------------------------------
    "required": {
        "en": ("missing required field '{field}'", "add '{field}: …'"),
        "zh": ("缺少必填字段 '{field}'（{label}）", "请添加 '{field}: …'"),
    },
    "unknown-field": {
        "en": ("unknown field '{field}'{suggestion}", "allowed here: {allowed}; teams add fields in schema/"),
        "zh": ("未知字段 '{field}'{suggestion}", "此处允许的字段：{allowed}；如需新字段请修改 schema/"),
    },
    "wrong-type": {
        "en": ("{field}: expected {expected}, found {found} {value}", "{hint}"),
        "zh": ("{field}：应为{expected}，实际是{found} {value}", "{hint}"),
    },
    "label-not-key": {
        "en": ("{field}: '{value}' is a label; write the key '{key}'", "use '{key}' ({label})"),
        "zh": ("{field}：'{value}' 是显示名称，请写键值 '{key}'", "改为 {field}: {key}"),
    },
    "unknown-value": {
        "en": ("{field}: '{value}' is not an allowed value{suggestion}", "allowed: {allowed}"),
        "zh": ("{field}：'{value}' 不是允许的取值{suggestion}", "可选值：{allowed}"),
    },
    "bad-date": {
        "en": ("{field}: '{value}' is not a valid date", "write dates as YYYY-MM-DD, e.g. 2024-05-10"),
        "zh": ("{field}：'{value}' 不是有效日期", "日期格式为 YYYY-MM-DD，例如 2024-05-10"),
    },
    "bad-pattern": {
        "en": ("{field}: '{value}' does not have the expected form", "{expected}"),
        "zh": ("{field}：'{value}' 格式不正确", "{expected}"),
    },
    "out-of-range": {
        "en": ("{field}: {value} is out of range ({detail})", "correct the number"),
        "zh": ("{field}：{value} 超出范围（{detail}）", "请更正数值"),
    },
    "no-value": {
        "en": ("{field} has no value", "{hint}"),
        "zh": ("{field} 没有填写值", "{hint}"),
    },
    "empty-value": {
        "en": ("{field}: must not be empty", "fill it in, or write 待确认 if it is not known yet"),
        "zh": ("{field}：不能为空", "请填写；暂不清楚可写“待确认”"),
    },
    "not-unique": {
        "en": ("{field}: the same value is listed twice", "remove the repeated item"),
        "zh": ("{field}：列表中有重复项", "请删除重复项"),
    },
    "schema": {
        "en": ("{field}: {detail}", "see schema/ for what is allowed here"),
        "zh": ("{field}：{detail}", "参见 schema/ 中的定义"),
    },
    # --- repository rules -----------------------------------------------------------------
    "id-filename": {
        "en": ("id '{id}' does not match the file name '{stem}'", "rename the file to {id}.yaml or fix the id"),
        "zh": ("编号 '{id}' 与文件名 '{stem}' 不一致", "请把文件改名为 {id}.yaml，或更正编号"),
    },
    "id-pattern": {
        "en": ("id '{id}' does not match the team's id pattern {pattern}", "see ids.pattern in kehu.yaml"),
        "zh": ("编号 '{id}' 不符合团队编号规则 {pattern}", "参见 kehu.yaml 中的 ids.pattern"),
    },
    "id-duplicate": {
        "en": ("id '{id}' is also used by {other}", "ids are never reused: give one of them a new id"),
        "zh": ("编号 '{id}' 与 {other} 重复", "编号不可重复使用：请为其中一个分配新编号"),
    },
    "ids-template-fields": {
        "en": ("ids.template '{template}' can only use {{date}}, {{member}} and {{seq}} (and needs {{seq}})",
               "e.g. ids.template: 'C{{date:%Y%m%d}}{{member}}{{seq:02d}}' in kehu.yaml"),
        "zh": ("ids.template '{template}' 只能使用 {{date}}、{{member}}、{{seq}}（且必须含 {{seq}}）",
               "例如 kehu.yaml 中 ids.template: 'C{{date:%Y%m%d}}{{member}}{{seq:02d}}'"),
    },
    "ids-template-format": {
        "en": ("ids.template '{template}' is not a valid template",
               "write e.g. 'C{{date:%Y%m%d}}{{member}}{{seq:02d}}'"),
        "zh": ("ids.template '{template}' 格式无效", "请写成如 'C{{date:%Y%m%d}}{{member}}{{seq:02d}}'"),
    },
    "ids-template-pattern": {
        "en": ("ids made by ids.template '{template}' do not match ids.pattern {pattern}",
               "change ids.template or ids.pattern in kehu.yaml so they agree"),
        "zh": ("按 ids.template '{template}' 生成的编号不符合 ids.pattern {pattern}",
               "请修改 kehu.yaml 中的 ids.template 或 ids.pattern 使两者一致"),
    },
    "ids-pattern-invalid": {
        "en": ("ids.pattern {pattern} is not a valid regular expression", "fix ids.pattern in kehu.yaml"),
        "zh": ("ids.pattern {pattern} 不是有效的正则表达式", "请修正 kehu.yaml 中的 ids.pattern"),
    },
    "ids-exhausted": {
        "en": ("no free id from ids.template '{template}' for {date}", "check ids.template in kehu.yaml"),
        "zh": ("按 ids.template '{template}' 在 {date} 已无可用编号", "请检查 kehu.yaml 中的 ids.template"),
    },
    "team-code-clash": {
        "en": ("members {handle} and {other} both get the id code {letters}, so their new customers could get the "
               "same id", "give one of them another code: 'code: XY' (1–3 capital letters) in team.yaml"),
        "zh": ("成员 {handle} 与 {other} 的编号代码都是 {letters}，新建客户可能得到相同编号",
               "请在 team.yaml 中为其中一人设置其他代码：'code: XY'（1–3 个大写字母）"),
    },
    "unknown-handle": {
        "en": ("{field}: '{handle}' is not a member in team.yaml", "known handles: {known}"),
        "zh": ("{field}：'{handle}' 不是 team.yaml 中的成员", "已知成员：{known}"),
    },
    "future-date": {
        "en": ("{field}: {value} is in the future (today is {today})", "record interactions after they happen"),
        "zh": ("{field}：{value} 晚于今天（{today}）", "跟进记录应在发生后填写"),
    },
    "date-order": {
        "en": ("{field}: {value} is before {other_field} {other}", "check both dates"),
        "zh": ("{field}：{value} 早于 {other_field} {other}", "请核对这两个日期"),
    },
    "bad-phone": {
        "en": ("phone '{value}' is not a valid mobile number{detail}",
               "mainland mobiles have 11 digits (13800138000); write others with +country code"),
        "zh": ("手机号 '{value}' 无效{detail}", "大陆手机号为 11 位（如 13800138000）；境外号码请加 +国家码"),
    },
    "bad-email": {
        "en": ("email '{value}' is not well-formed: {detail}", "write it as name@example.com"),
        "zh": ("邮箱 '{value}' 格式不正确：{detail}", "格式应为 name@example.com"),
    },
    "duplicate-name": {
        "en": ("same company as {other} ('{name}'): possible 撞单", "merge the two files (kehu merge) or, if they "
               "really are different customers, list both ids under check.not_duplicates in kehu.yaml"),
        "zh": ("与 {other} 是同一公司（'{name}'），疑似撞单", "请合并两个文件（kehu merge）；如确为不同客户，"
               "在 kehu.yaml 的 check.not_duplicates 中登记这两个编号"),
    },
    "duplicate-phone": {
        "en": ("phone {value} is also on {other}", "one contact belongs to one customer: merge or correct it"),
        "zh": ("手机号 {value} 也出现在 {other}", "同一联系人只能属于一个客户：请合并或更正"),
    },
    "duplicate-email": {
        "en": ("email {value} is also on {other}", "one contact belongs to one customer: merge or correct it"),
        "zh": ("邮箱 {value} 也出现在 {other}", "同一联系人只能属于一个客户：请合并或更正"),
    },
    "near-duplicate-name": {
        "en": ("name '{name}' is nearly the same as '{other_name}' in {other} ({why})", "a typo? if they are the same "
               "customer, merge them; if not, list both ids under check.not_duplicates"),
        "zh": ("名称 '{name}' 与 {other} 的 '{other_name}' 非常相似（{why}）", "是否笔误？如为同一客户请合并；"
               "否则在 check.not_duplicates 中登记"),
    },
    "national-id": {
        "en": ("{field} holds what looks like a national ID number (身份证号)",
               "never store ID numbers: delete it (and rewrite git history if it was committed)"),
        "zh": ("{field} 中疑似包含身份证号", "禁止存储身份证号：请删除（如已提交，需清理 git 历史）"),
    },
    "bank-card": {
        "en": ("{field} holds what looks like a bank card number",
               "never store card numbers: delete it (and rewrite git history if it was committed)"),
        "zh": ("{field} 中疑似包含银行卡号", "禁止存储银行卡号：请删除（如已提交，需清理 git 历史）"),
    },
    "vague-summary": {
        "en": ("{field}: '{value}' says nothing specific", "write what was discussed and how the customer "
               "reacted, e.g. 'discussed Q2 renewal, customer questioned price'"),
        "zh": ("{field}：'{value}' 过于笼统", "请写明沟通内容和客户反馈，如“沟通Q2续约，客户对价格有疑问”"),
    },
    "summary-too-long": {
        "en": ("{field}: {length} characters, over the {limit}-character limit", "shorten it; put details in notes"),
        "zh": ("{field}：共 {length} 字，超过 {limit} 字上限", "请精简，详细内容可写入 notes"),
    },
    "missing-info": {
        "en": ("{field} is not known yet ({value})", "collect it at the next contact"),
        "zh": ("{field} 尚待确认（当前填写：{value}）", "请在下次沟通时补充"),
    },
    "no-first-followup": {
        "en": ("no follow-up within {hours} h of creation ({created}){detail}",
               "record the first contact (kehu log) or set next_action"),
        "zh": ("创建（{created}）后 {hours} 小时内没有跟进{detail}", "请记录首次跟进（kehu log）或设置 next_action"),
    },
    "opp-duplicate-id": {
        "en": ("opportunity id '{id}' is used twice (first at line {first})", "give each opportunity its own id"),
        "zh": ("商机编号 '{id}' 重复（第一次在第 {first} 行）", "每个商机的编号必须唯一"),
    },
    "opp-won-without-deal": {
        "en": ("opportunity {id} ({what}) is won but no deal comes from it",
               "record the deal: kehu opp win CUSTOMER {id} --signed DATE (or add `opportunity: {id}` to its deal)"),
        "zh": ("商机 {id}（{what}）已赢单，但没有对应的合作记录",
               "请记录成交：kehu opp win 客户 {id} --signed 日期（或在合作记录中写 opportunity: {id}）"),
    },
    "deal-unknown-opportunity": {
        "en": ("the deal comes from opportunity '{id}', which this customer does not have",
               "correct the id (opportunities: {known}) or remove `opportunity:`"),
        "zh": ("合作记录来自商机 '{id}'，但该客户没有这个商机", "请更正编号（已有商机：{known}），或删除 opportunity:"),
    },
    "opp-lost-without-reason": {
        "en": ("opportunity {id} is lost without a reason", "kehu opp lose CUSTOMER {id} --reason KEY"),
        "zh": ("商机 {id} 已输单，但没有填写原因", "请用 kehu opp lose 客户 {id} --reason 原因"),
    },
    "opp-close-passed": {
        "en": ("opportunity {id} ({what}) was expected to close on {close} and is still open",
               "win it, lose it, or move the date: kehu opp set CUSTOMER {id} close DATE"),
        "zh": ("商机 {id}（{what}）预计 {close} 成交，但仍未结束",
               "请赢单、输单，或调整日期：kehu opp set 客户 {id} close 日期"),
    },
    "stage-behind-opportunity": {
        "en": ("the customer's stage '{stage}' is behind its opportunity at '{opp_stage}'",
               "move it forward: kehu set CUSTOMER stage {opp_stage}"),
        "zh": ("客户阶段 '{stage}' 落后于其商机的阶段 '{opp_stage}'",
               "请推进客户阶段：kehu set 客户 stage {opp_stage}"),
    },
    "stale-lost-from": {
        "en": ("lost_from is set but stage is '{stage}'", "clear lost_from, or set stage: lost"),
        "zh": ("stage 为 '{stage}'，但填写了 lost_from", "请清空 lost_from，或把 stage 改为 lost"),
    },
    "many-primary": {
        "en": ("{count} contacts are marked primary", "mark one primary contact"),
        "zh": ("有 {count} 位联系人被标为主要联系人", "请只保留一位主要联系人"),
    },
    "team-duplicate-handle": {
        "en": ("handle '{handle}' is listed twice (first at line {first})", "handles are unique"),
        "zh": ("成员账号 '{handle}' 重复（第一次在第 {first} 行）", "账号必须唯一"),
    },
    "missing-file": {
        "en": ("{name} not found", "{hint}"),
        "zh": ("找不到 {name}", "{hint}"),
    },
    "not-regular-file": {
        "en": ("a link, folder or special file, not a customer file: kehu does not read it",
               "customer files are plain files in customers/; replace a link by the file itself, or remove it"),
        "zh": ("这是链接、目录或特殊文件，不是客户文件：kehu 不会读取它",
               "客户文件必须是 customers/ 中的普通文件；请用文件本身替换链接，或删除它"),
    },
    "not-customer-file": {
        "en": ("not a customer file of this repository (outside customers/)",
               "kehu checks the files in customers/, team.yaml and kehu.yaml of this repository"),
        "zh": ("不是本仓库的客户文件（不在 customers/ 中）",
               "kehu 只检查本仓库 customers/ 中的文件、team.yaml 和 kehu.yaml"),
    },
    "cannot-read": {
        "en": ("cannot read file: {detail}", "check that the file exists and is readable"),
        "zh": ("无法读取文件：{detail}", "请确认文件存在且可读"),
    },
    "control-character": {
        "en": ("{field}: holds the control character {char} (an escape sequence, carriage return …)",
               "retype the value; control characters act on terminals and hide text"),
        "zh": ("{field}：含有控制字符 {char}（转义序列、回车等）", "请重新输入该值；控制字符会操纵终端并隐藏文字"),
    },
    "invisible-text": {
        "en": ("{field}: the value is made only of invisible characters (zero-width spaces …)",
               "write the real value, or remove the field"),
        "zh": ("{field}：值只由不可见字符组成（零宽空格等）", "请填写真实的值，或删除该字段"),
    },
    "schema-ref-outside": {
        "en": ("'{ref}' refers outside schema/: kehu never fetches a schema from the network",
               "copy the referenced schema into schema/ and refer to it by its file name"),
        "zh": ("'{ref}' 指向 schema/ 之外：kehu 从不通过网络获取 schema",
               "请把被引用的 schema 复制到 schema/ 中，并按文件名引用"),
    },
    "config-bad-value": {
        "en": ("{key}: '{value}' cannot be used", "{detail}"),
        "zh": ("{key}：'{value}' 无法使用", "{detail}"),
    },
    "config-stage-unknown": {
        "en": ("stages: '{stage}' is not a stage of schema/customer.schema.json",
               "list the stage keys of the schema ($defs.stage) in funnel order, without lost"),
        "zh": ("stages：'{stage}' 不是 schema/customer.schema.json 中的阶段",
               "请按漏斗顺序列出 schema 中的阶段键值（lost 除外）"),
    },
    "config-stage-missing": {
        "en": ("stages: the schema's stage '{stage}' is missing from the funnel order",
               "add it to stages in kehu.yaml, or its customers drop out of the funnel"),
        "zh": ("stages：缺少 schema 中的阶段 '{stage}'",
               "请把它加入 kehu.yaml 的 stages，否则这些客户不会出现在漏斗中"),
    },
    "bad-birthday": {
        "en": ("{field}: '{value}' is not a day of the year", "write month-day as MM-DD, e.g. 05-12 (02-29 is fine)"),
        "zh": ("{field}：'{value}' 不是有效的月-日", "请写成 月-日，如 05-12（可以写 02-29）"),
    },
    "config-invalid": {
        "en": ("customer files were not checked: kehu.yaml or schema/ has errors", "fix the errors listed here first"),
        "zh": ("kehu.yaml 或 schema/ 有错误，未检查客户文件", "请先修正此处列出的错误"),
    },
    "schema-invalid": {
        "en": ("not a valid JSON Schema: {detail}",
               "fix the schema (check-jsonschema --check-metaschema schema/*.json shows the same)"),
        "zh": ("不是有效的 JSON Schema：{detail}", "请修正该 schema（可用 check-jsonschema --check-metaschema 检查）"),
    },
    # --- kehu renumber ---------------------------------------------------------------------------------
    "renumber-bad-id": {
        "en": ("'{id}' does not match the team's id pattern {pattern}", "see ids.pattern in kehu.yaml"),
        "zh": ("'{id}' 不符合团队编号规则 {pattern}", "参见 kehu.yaml 中的 ids.pattern"),
    },
    "renumber-used": {
        "en": ("the id {id} is or was already used", "ids are never reused: leave NEW out to get the next free one"),
        "zh": ("编号 {id} 已被使用（或曾被使用）", "编号不可重复使用：省略 NEW 即可分配下一个可用编号"),
    },
    "renumber-done": {
        "en": ("renumbered {old} → {new} ({name}): {file}", "commit the change; the old id is noted in the notes"),
        "zh": ("已将 {old} 改为 {new}（{name}）：{file}", "请提交此修改；原编号已记入备注"),
    },
    "renumber-config": {
        "en": ("kehu.yaml: {old} → {new} in check.not_duplicates", ""),
        "zh": ("kehu.yaml：check.not_duplicates 中的 {old} 已改为 {new}", ""),
    },
    # --- kehu sync -----------------------------------------------------------------------------------------
    "sync-not-git": {
        "en": ("this folder is not a git clone", "clone the team's repository, then run kehu sync there"),
        "zh": ("当前目录不是 git 克隆", "请先克隆团队仓库，再在其中运行 kehu sync"),
    },
    "sync-detached": {
        "en": ("not on a branch (detached HEAD)", "check out your branch first: git switch BRANCH"),
        "zh": ("当前不在任何分支上（detached HEAD）", "请先切换到你的分支：git switch 分支名"),
    },
    "sync-dirty": {
        "en": ("uncommitted changes in {files}; nothing was merged", "commit them first (git commit), then kehu sync"),
        "zh": ("{files} 有未提交的修改；未进行合并", "请先提交（git commit），再运行 kehu sync"),
    },
    "sync-no-base": {
        "en": ("there is no {target} to merge from", "name the main branch: kehu sync --base BRANCH"),
        "zh": ("找不到要合并的分支 {target}", "请指定主分支：kehu sync --base 分支名"),
    },
    "sync-git-failed": {
        "en": ("{command} failed: {detail}", "fix what git says, then run kehu sync again"),
        "zh": ("{command} 失败：{detail}", "请按 git 的提示处理后重新运行 kehu sync"),
    },
    "sync-push-failed": {
        "en": ("could not push {branch} to {remote}: {detail}", "run kehu sync --push again (someone pushed first)"),
        "zh": ("无法推送 {branch} 到 {remote}：{detail}", "请重新运行 kehu sync --push（可能有人先推送了）"),
    },
    "sync-branch": {"en": ("— {branch}", ""), "zh": ("— {branch}", "")},
    "sync-up-to-date": {
        "en": ("{branch} already contains {target}: nothing to merge", ""),
        "zh": ("{branch} 已包含 {target} 的全部修改，无需合并", ""),
    },
    "sync-incoming": {
        "en": ("from {target}: {n} customer(s) changed only there: {customers}", ""),
        "zh": ("来自 {target}：{n} 个客户仅在主分支有修改：{customers}", ""),
    },
    "sync-merged": {
        "en": ("merged by kehu (changed on both sides): {customer}", ""),
        "zh": ("kehu 已合并（双方都有修改）：{customer}", ""),
    },
    "sync-renumbered": {
        "en": ("two different customers had the id {id}: yours, {name}, is now {new} (both kept)", ""),
        "zh": ("两个不同的客户使用了编号 {id}：本分支的“{name}”已改为 {new}（两者均保留）", ""),
    },
    "sync-codeowners-restored": {
        "en": ("CODEOWNERS kept as on {target} (only the main branch regenerates it)", ""),
        "zh": ("CODEOWNERS 与 {target} 保持一致（只在主分支上重新生成）", ""),
    },
    "sync-codeowners-regenerated": {
        "en": ("CODEOWNERS regenerated from the customers' owners and committed", ""),
        "zh": ("已根据客户负责人重新生成 CODEOWNERS 并提交", ""),
    },
    "sync-conflict-fields": {
        "en": ("needs a person: {customer}: {fields}", ""),
        "zh": ("需要人工处理：{customer}：{fields}", ""),
    },
    "sync-conflict-unreadable": {
        "en": ("needs a person: {customer}: cannot be merged as data; git's conflict markers are in {file}", ""),
        "zh": ("需要人工处理：{customer}：无法按数据合并，冲突标记见 {file}", ""),
    },
    "sync-conflict-markers": {
        "en": ("still unresolved: {customer} ({file})", ""),
        "zh": ("仍未解决：{customer}（{file}）", ""),
    },
    "sync-conflict-other": {
        "en": ("needs a person: {file} (not a customer file)", ""),
        "zh": ("需要人工处理：{file}（非客户文件）", ""),
    },
    "sync-next-steps": {
        "en": ("edit the files above: keep one value between <<<<<<< and >>>>>>>, delete the markers, `git add` "
               "them, then run kehu sync again to finish the merge (or `git merge --abort` to undo it)", ""),
        "zh": ("请编辑以上文件：在 <<<<<<< 与 >>>>>>> 之间保留一个取值并删除标记行，`git add` 后再次运行 kehu sync "
               "完成合并（或 `git merge --abort` 撤销）", ""),
    },
    "sync-aborted": {
        "en": ("{branch} left as it was: a person must merge it (kehu sync in a clone)", ""),
        "zh": ("{branch} 保持原样：需要有人在本地克隆中运行 kehu sync 处理", ""),
    },
    "sync-committed": {
        "en": ("merged {target} into {branch}", ""),
        "zh": ("已将 {target} 合并到 {branch}", ""),
    },
    "sync-pushed": {"en": ("pushed {branch}", ""), "zh": ("已推送 {branch}", "")},
    # --- the merge driver and `kehu sync` ------------------------------------------------------------
    "merge-driver-conflict": {
        "en": ("{customer}: both sides changed {fields}", "keep one value between the conflict markers, then "
               "`git add` the file (or run `kehu sync` again)"),
        "zh": ("{customer}：双方都修改了 {fields}",
               "请在冲突标记之间保留一个取值，然后 `git add` 该文件（或重新运行 `kehu sync`）"),
    },
    "merge-driver-two-customers": {
        "en": ("{file}: two different customers were added under the same id {id}: '{ours}' and '{theirs}'; the "
               "whole file is one conflict, nothing was blended", "run `kehu sync` (it keeps both: ours gets a new "
               "id), or keep one side and `kehu renumber` the other"),
        "zh": ("{file}：两个不同的客户使用了同一编号 {id}：“{ours}”与“{theirs}”；整个文件作为一处冲突，未混合任何字段",
               "运行 `kehu sync`（两者都保留：本方改用新编号），或保留一方后用 `kehu renumber` 为另一方改号"),
    },
    "merge-driver-unreadable": {
        "en": ("{file}: cannot merge as data ({detail}); git's line merge with conflict markers instead",
               "resolve the markers, then `kehu check {file}`"),
        "zh": ("{file}：无法按数据合并（{detail}），已改用 git 的按行合并并标出冲突",
               "请解决冲突标记后运行 `kehu check {file}`"),
    },
    "merge-driver-too-large": {
        "en": ("{file} is over check.max_file_bytes ({limit}); git's line merge with conflict markers instead",
               "a customer file this large usually holds pasted data"),
        "zh": ("{file} 超过 check.max_file_bytes（{limit} 字节），已改用 git 的按行合并并标出冲突",
               "客户文件过大通常是误粘贴了数据"),
    },
}

# Words used inside messages.
WORDS: dict[str, dict[str, str]] = {
    "en": {"string": "text", "number": "a number", "integer": "a whole number", "boolean": "true/false",
           "null": "empty", "array": "a list", "object": "a mapping", "did_you_mean": "; did you mean '{x}'?",
           "quote": "quote it: \"{v}\" (YAML reads unquoted digits as a number)",
           "bool_hint": "quote it: YAML reads yes/no/on/off/true/false as true/false",
           "list_hint": "write a list: [a, b] or one '- item' per line", "type_hint": "see the schema for this field",
           "sep": ", ", "duplicates_also": " (also {n} more)",
           "date": "a date YYYY-MM-DD", "fill_in": "fill in {x}",
           "merge_driver_sides": "{field} (ours: {ours}, theirs: {theirs})", "merge_driver_deleted": "(deleted)",
           "typo.missing": "a character missing", "typo.doubled": "a character doubled",
           "typo.swapped": "two characters swapped", "typo.homophone": "a homophone",
           "typo.traditional": "traditional characters", "typo.lookalike": "a look-alike character",
           "typo.spacing": "spaces, punctuation or 省/市 written differently",
           "typo.legal-form": "a broken legal form", "typo.edit": "a few letters apart",
           "first_followup_action": "first follow-up",
           "cfg_timezone": "write an IANA time zone such as Asia/Shanghai",
           "cfg_region": "write a two-letter region code such as CN, HK or US"},
    "zh": {"string": "文本", "number": "数字", "integer": "整数", "boolean": "是/否", "null": "空值",
           "array": "列表", "object": "映射", "did_you_mean": "；是否应为 '{x}'？",
           "quote": "请加引号：\"{v}\"（YAML 会把不带引号的数字当作数值）",
           "bool_hint": "请加引号：YAML 会把 yes/no/on/off 等当作布尔值",
           "list_hint": "请写成列表：[a, b] 或每行 '- 项'", "type_hint": "参见该字段的 schema 定义",
           "sep": "、", "duplicates_also": "（另有 {n} 处）",
           "date": "日期 YYYY-MM-DD", "fill_in": "请填写：{x}",
           "merge_driver_sides": "{field}（我方：{ours}，对方：{theirs}）", "merge_driver_deleted": "（已删除）",
           "typo.missing": "漏了一个字", "typo.doubled": "多打了一个字", "typo.swapped": "两个字颠倒",
           "typo.homophone": "同音字", "typo.traditional": "繁体字", "typo.lookalike": "形近字",
           "typo.spacing": "空格、标点或省市写法不同", "typo.legal-form": "组织形式写错",
           "typo.edit": "仅差几个字母", "first_followup_action": "首次跟进",
           "cfg_timezone": "请填写 IANA 时区名称，如 Asia/Shanghai",
           "cfg_region": "请填写两个字母的地区代码，如 CN、HK、US"},
}


# Words of change summaries (kehu diff, kehu history, kehu check --against), key: (zh, en) side by side.
CHANGE_WORDS: dict[str, tuple[str, str]] = {
    "chg.title": ("kehu 变更摘要", "kehu change summary"),
    "chg.counts": ("{n} 个客户有变化：{parts}", "{n} customers changed: {parts}"),
    "chg.none": ("没有客户文件变化", "no customer file changed"),
    "chg.n.created": ("新建 {n}", "{n} created"),
    "chg.n.changed": ("修改 {n}", "{n} changed"),
    "chg.n.deleted": ("删除 {n}", "{n} deleted"),
    "chg.n.merged": ("合并 {n}", "{n} merged"),
    "chg.n.forgotten": ("按个人信息删除 {n}", "{n} erased"),
    "chg.n.history": ("⚠ {n} 处改动了既往记录", "⚠ {n} changes to past records"),
    "chg.by": ("提交人：{who}", "committed by: {who}"),
    "chg.uncommitted": ("未提交", "uncommitted"),
    "chg.created": ("新建客户：{stage}，负责人 {owner}", "created: {stage}, owner {owner}"),
    "chg.created_list": ("{what}：{n} 条（{first} … {last}）", "{what}: {n} ({first} … {last})"),
    "chg.deleted": ("删除了客户文件", "customer file deleted"),
    "chg.merged": ("已合并到 {into}", "merged into {into}"),
    "chg.forgotten": ("按个人信息删除请求删除（{reason}）", "erased on request ({reason})"),
    "chg.renamed": ("客户名称：{old} → {new}", "name: {old} → {new}"),
    "chg.moved": ("文件改名：{old} → {new}", "file renamed: {old} → {new}"),
    "chg.set": ("{field}：{old} → {new}", "{field}: {old} → {new}"),
    "chg.add": ("新增{what}：{entry}", "{what} added: {entry}"),
    "chg.remove": ("删除{what}：{entry}", "{what} removed: {entry}"),
    "chg.edit": ("修改{what}（{entry}）{field}：{old} → {new}", "{what} ({entry}) {field}: {old} → {new}"),
    "chg.resolved": ("投诉已解决：{entry}", "complaint resolved: {entry}"),
    "chg.history": ("⚠ 改动了既往记录", "⚠ past record changed"),
    "chg.corrected": ("更正：{entry}（{by}：{reason}）", "correction: {entry} ({by}: {reason})"),
    "chg.tombstone": ("按个人信息删除请求删除了一位联系人的信息（{by}：{reason}）",
                      "a contact's personal data erased on request ({by}: {reason})"),
    "chg.format": ("仅格式变化", "formatting only"),
    "chg.unreadable": ("文件无法读取（{detail}）", "file does not load ({detail})"),
    "chg.merge_kept": ("{field}：两边不同（{a}：{va}；{b}：{vb}），合并时保留了 {kept} 的值",
                       "{field}: the sides differed ({a}: {va}; {b}: {vb}); the merge kept {kept}'s value"),
    "chg.merge_own": ("{field}：两边不同（{a}：{va}；{b}：{vb}），合并时改为 {new}",
                      "{field}: the sides differed ({a}: {va}; {b}: {vb}); the merge set {new}"),
    "chg.merge_in": ("合并了 {who} 的改动", "merged {who}'s changes"),
    "chg.merged_by": ("{who} 合并", "merged by {who}"),
    "chg.history_created": ("创建：{name}（{stage}，负责人 {owner}）", "created: {name} ({stage}, owner {owner})"),
    "chg.amount": ("{amount} 元", "CNY {amount}"),
    "chg.signed": ("{date} 签约", "signed {date}"),
    "chg.forget_word": ("〔已删除〕", "[erased]"),
}
for _key, (_zh, _en) in CHANGE_WORDS.items():
    WORDS["zh"][_key] = _zh
    WORDS["en"][_key] = _en


def is_first_followup_action(action: object) -> bool:
    """The ``next_action`` `kehu new` plans (in either language): any interaction logged completes it."""
    return isinstance(action, str) and action.strip().casefold() in {
        WORDS[lang]["first_followup_action"].casefold() for lang in WORDS}


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return ""


class Messages:
    """Fills the catalogue for one locale (``zh-CN`` or ``en``)."""

    def __init__(self, locale: str = "zh-CN") -> None:
        self.lang = "en" if locale.lower().startswith("en") else "zh"

    def word(self, key: str, **args: object) -> str:
        return WORDS[self.lang][key].format(**args)

    def text(self, code: str, **args: object) -> tuple[str, str]:
        message, hint = CATALOGUE[code][self.lang]
        values = _Default({k: v for k, v in args.items()})
        return message.format_map(values), hint.format_map(values)

    def make(self, severity: Severity, file: str, line: int, col: int, code: str,
             related: tuple[str, ...] = (), **args: object) -> Problem:
        message, hint = self.text(code, **args)
        return Problem(file, line, col, severity, code, message, hint, tuple(related))

    def error(self, file: str, line: int, col: int, code: str, related: tuple[str, ...] = (),
              **args: object) -> Problem:
        return self.make(Severity.ERROR, file, line, col, code, related, **args)

    def warning(self, file: str, line: int, col: int, code: str, related: tuple[str, ...] = (),
                **args: object) -> Problem:
        return self.make(Severity.WARNING, file, line, col, code, related, **args)
