"""The server's English: every Chinese message a client or a visitor can see, by its Chinese
(the message id; shoumen_server.i18n). A template's named fields appear in both languages.

tests/server/test_i18n.py fails when a message the server answers with is missing here, when an
English text contains Chinese, or when the fields of the two differ. Keep the sections in the
order of the modules they serve.
"""

from __future__ import annotations

from shoumen_core.phone import InvalidPhone
from shoumen_core.temperature import OUT_OF_RANGE_MESSAGE, TEMPERATURE_MAX, TEMPERATURE_MIN

MESSAGES_EN: dict[str, str] = {
    # ---- errors.py: the base errors, validation, HTTP ------------------------------------
    "请求有误": "Bad request",
    "请求参数有误": "Invalid request parameters",
    "请求参数有误：{field}": "Invalid request parameter: {field}",
    "请先登录": "Please log in first",
    "没有权限执行此操作": "You are not allowed to do this",
    "未找到": "Not found",
    "数据已被他人修改，请刷新后重试": "Someone else changed this data; refresh and try again",
    "操作过于频繁，请稍后再试": "Too many requests; please try again later",
    "服务器数据库暂时不可用，请稍后重试": "The server's database is temporarily unavailable; please try again later",
    "服务器内部错误，请稍后重试": "Internal server error; please try again later",
    "接口不存在": "No such endpoint",
    "请求方法不支持": "Method not allowed",
    "一次提交的记录过多（最多 500 条）": "Too many records in one request (at most 500)",
    # the fields named in a validation message
    "手机号码": "phone number",
    "验证码": "verification code",
    "名称": "name",
    "地址": "address",
    "行政区划代码": "region code",
    "场所类型": "venue type",
    "联系电话": "contact phone",
    "证件号码": "document number",
    "检测记录": "check records",
    "登记记录": "registrations",
    "日期": "date",
    # ---- app.py, middleware.py, metrics.py -------------------------------------------------
    "服务器数据库结构未更新，请运行 shoumen-server migrate": (
        "The server's database schema is out of date; run shoumen-server migrate"
    ),
    "请求内容过大": "Request body too large",
    "监控指标仅限本机或指定地址读取": "Metrics can only be read from this machine or an allowed address",
    # ---- deps.py: who may do what ------------------------------------------------------------
    "登录已失效，请重新登录": "Your login has expired; please log in again",
    "场所不存在": "Venue not found",
    "您不是该场所的工作人员": "You are not a staff member of this venue",
    "您的核验权限已被收回，请联系场所管理员": (
        "Your permission to check visitors was revoked; contact the venue's administrator"
    ),
    "场所尚待所在乡镇街道审核，审核通过后才能查询证件信息": (
        "The venue awaits approval by its township; ID lookups are available once it is approved"
    ),
    "场所未通过所在乡镇街道审核，不能查询证件信息": (
        "The venue was not approved by its township and cannot look up IDs"
    ),
    "场所未通过所在乡镇街道审核，不能查询证件信息（原因：{reason}）": (
        "The venue was not approved by its township and cannot look up IDs (reason: {reason})"
    ),
    "只有场所初始管理员可以执行此操作": "Only the venue's owner can do this",
    "只有乡镇街道工作人员可以执行此操作": "Only township staff can do this",
    "不在您负责的区域": "Outside your region",
    # ---- routers/auth.py, sms.py, sms_codes.py, sms_providers.py ---------------------------
    "登录已超过最长有效期，请重新登录": "Your login has reached its maximum lifetime; please log in again",
    "短信发送失败，请稍后再试": "The SMS could not be sent; please try again later",
    "当前网络获取验证码过于频繁，请一小时后再试": (
        "Too many codes requested from this network; please try again in an hour"
    ),
    "验证码发送繁忙，请稍后再试": "Code sending is busy; please try again later",
    "验证码发送过于频繁，请 {seconds} 秒后再试": "Codes requested too often; try again in {seconds} s",
    "今日验证码发送次数已达上限，请明天再试": "Today's limit of verification codes is reached; please try tomorrow",
    "验证码已过期，请重新获取": "The verification code has expired; please request a new one",
    "验证码错误次数过多，请重新获取": "Too many wrong codes; please request a new one",
    "验证码错误，还可尝试 {left} 次": "Wrong verification code; {left} attempts left",
    "短信发送过于频繁，请稍后再试": "SMS sent too often; please try again later",
    "该手机号码无法接收短信，请核对号码": "This phone number cannot receive SMS; please check the number",
    "短信服务配置有误，请联系系统管理员": "The SMS service is misconfigured; contact the system administrator",
    "短信服务暂时无响应，请稍后再试": "The SMS service is not answering; please try again later",
    "暂时无法连接短信服务，请稍后再试": "Cannot reach the SMS service; please try again later",
    # ---- venue_admin.py, routers/venues.py, routers/staff.py --------------------------------
    "行政区划代码无效（应为 6 位数字，如 330624）": "Invalid region code (6 digits, e.g. 330624)",
    "行政区划代码无效（应为 6 位数字）": "Invalid region code (6 digits)",
    "场所类型无效，请从列表中选择": "Invalid venue type; choose one from the list",
    "核酸有效期只能选择 24、48、72、168 小时或不要求": (
        "The NAT window can be 24, 48, 72 or 168 hours, or not required"
    ),
    "乡镇街道工作人员不能成为场所管理员": "Township staff cannot become a venue's administrator",
    "请填写不通过的原因": "Please give the reason for the rejection",
    "该场所没有这个出入口": "This venue has no such entrance",
    "已有名为“{name}”的出入口": "An entrance named “{name}” already exists",
    "场所至少要保留一个出入口": "A venue must keep at least one entrance",
    "您已是该场所的初始管理员，无需添加自己": "You are already this venue's owner; no need to add yourself",
    "此人已是该场所的管理员": "This person is already an administrator of this venue",
    "该场所没有这名管理员": "This venue has no such administrator",
    "不能收回或删除初始管理员": "The venue's owner cannot be revoked or removed",
    "乡镇街道工作人员请使用“代为注册”为场所负责人注册场所": (
        "Township staff register venues for their owners with “Register on behalf”"
    ),
    # ---- routers/checks.py -----------------------------------------------------------------
    "这是场所码，请扫描访客的个人健康码": "This is a venue code; scan the visitor's personal health code",
    "证件类型无效": "Invalid document type",
    "请提供个人健康码或证件号码（二选一）": "Give a personal health code or a document number (one of them)",
    "检查点不属于该场所": "The checkpoint does not belong to this venue",
    # ---- lookup_watch.py -------------------------------------------------------------------
    "查询过于频繁，请稍后再试；本次请人工核验": "Too many lookups; try again later and check this visitor by hand",
    "本账号查询过于频繁，请稍后再试；本次请人工核验": (
        "Too many lookups from this account; try again later and check this visitor by hand"
    ),
    "本场所查询过于频繁，请稍后再试；本次请人工核验": (
        "Too many lookups at this venue; try again later and check this visitor by hand"
    ),
    "本区域查询过于频繁，请稍后再试；本次请人工核验": (
        "Too many lookups in this region; try again later and check this visitor by hand"
    ),
    # ---- routers/stats.py ------------------------------------------------------------------
    "日期超出范围（2000 年至 2099 年）": "Date out of range (2000 to 2099)",
    "日期格式有误，应为 YYYY-MM-DD": "Invalid date; use YYYY-MM-DD",
    "统计范围应为 unit（单位）或 personal（个人）": "The scope must be unit or personal",
    "天数应在 1 到 {max_days} 之间": "Days must be between 1 and {max_days}",
    "卡口不属于该场所": "The checkpoint does not belong to this venue",
    "该场所不在此区域内": "The venue is not in this region",
    # ---- routers/export.py -----------------------------------------------------------------
    "请给出开始和结束日期": "Give a start and an end date",
    "结束日期早于开始日期": "The end date is before the start date",
    "导出范围最多 {max_days} 天": "An export covers at most {max_days} days",
    "导出格式应为 csv 或 xlsx": "The format must be csv or xlsx",
    "记录数超过 Excel 的上限，请缩短日期范围或导出 CSV": (
        "Too many rows for Excel; shorten the date range or export CSV"
    ),
    "场所编号列表有误（如 1,2,3）": "Invalid list of venue ids (e.g. 1,2,3)",
    "所选场所不在您负责的区域": "The chosen venues are outside your region",
    # ---- routers/details.py, routers/anomalies.py, anomaly_store.py ------------------------
    "请指定一条核验记录或一条核查登记（二选一）": "Name one check record or one registration (one of them)",
    "核验记录不存在或已被清理": "The check record does not exist or was purged",
    "登记不存在或已被删除": "The registration does not exist or was deleted",
    "该记录没有可查看的完整信息": "This record has no full details to show",
    "登记的场所与请求地址不一致": "The registration's venue does not match the request's address",
    "新登记的版本号应为 0": "A new registration's version must be 0",
    "登记编号与请求地址不一致": "The registration's id does not match the request's address",
    "修改登记时须给出所依据的版本号": "Give the version a change is based on",
    "关联的核验记录不属于该场所": "The linked check record does not belong to this venue",
    "证件号码（脱敏）过长": "The masked document number is too long",
    "姓名或电话密文无效": "The sealed name or phone is not valid",
    "登记已被他人修改（服务器版本 {version}）": "Someone else changed the registration (server version {version})",
    # ---- pushed_rows.py: why a pushed record was refused -----------------------------------
    "场所不存在或已被删除": "The venue does not exist or was deleted",
    "核验时间晚于服务器时间 10 分钟以上，请校准设备时间": (
        "The check time is over 10 minutes ahead of the server's; set the device's clock"
    ),
    "核验时间早于数据保存期限，或设备时间有误，请校准设备时间": (
        "The check time is older than the retention period, or the device's clock is wrong; set it"
    ),
    "记录时间缺少时区，无法确定核验时间": "The record's time has no time zone; the check time is unknown",
    "核验结论的条目过多或文字过长": "The verdict has too many findings or too long a text",
    "证件号码密文无效": "The sealed document number is not valid",
    "记录内容有误（文字过长或含非法字符）": "The record is invalid (text too long or with forbidden characters)",
    "服务器上已有同一编号但内容不同的核验记录，未覆盖": (
        "The server has a different check record with the same id; it was not overwritten"
    ),
    "同一批次中同一编号的核验记录内容不一致，均未保存": (
        "Check records with the same id differ within one batch; none was saved"
    ),
    OUT_OF_RANGE_MESSAGE: f"The temperature must be between {TEMPERATURE_MIN:.1f} and {TEMPERATURE_MAX:.1f} °C",
    # ---- devices.py, routers/devices.py (device enrolment, issue 18 §1: on its own branch) ---
    "此设备已被解除绑定，请联系场所负责人重新绑定": (
        "This device was unbound; ask the venue's owner to bind it again"
    ),
    "设备凭据只能用于核验、同步和开闸，其他操作请工作人员登录": (
        "A device credential only checks, syncs and opens the gate; for anything else a staff member logs in"
    ),
    "此设备只能在绑定的场所和检查点使用": "This device only works at the venue and checkpoint it is bound to",
    "绑定码无效、已使用或已过期，请向场所负责人索取新的绑定码": (
        "The binding code is invalid, used or expired; ask the venue's owner for a new one"
    ),
    "设备凭据无效，请重新绑定设备": "Invalid device credential; bind the device again",
    "设备凭据已更换，请重新绑定设备": "The device credential was replaced; bind the device again",
    "未使用的绑定码过多，请先使用或等待其过期（10 分钟）": (
        "Too many unused binding codes; use them or wait until they expire (10 minutes)"
    ),
    "设备不存在": "Device not found",
    "绑定尝试过于频繁，请稍后再试": "Too many binding attempts; please try again later",
    "只有已绑定的设备可以执行此操作": "Only a bound device can do this",
    # ---- visitor pages: errors (visitor/pages.py, routes.py, service.py) -------------------
    "提交的内容有误，请返回重试": "What was sent is not valid; go back and try again",
    "系统繁忙，请稍后再试，或向工作人员出示健康码": (
        "The system is busy; try again later, or show your health code to the staff"
    ),
    "页面已过期，请重新扫描场所码后再试": "This page has expired; scan the venue code again",
    "登记记录不存在或已过期，请重新扫描场所码": "This check-in does not exist or has expired; scan the venue code again",
    "场所码无效或已失效，请向工作人员确认": "This venue code is not valid or no longer in use; please ask the staff",
    "该场所已停用场所码自助登记，请向工作人员出示健康码或身份证": (
        "This venue has switched off self check-in; show your health code or ID card to the staff"
    ),
    "今日您在本场所的登记次数已达上限，请向工作人员出示健康码或身份证": (
        "You have reached today's limit of check-ins here; show your health code or ID card to the staff"
    ),
    "请填写出发地（省、市、区县），不超过 100 字": (
        "Enter where you came from (province, city, district), at most 100 characters"
    ),
    "请选择抵达时间": "Choose your arrival time",
    "抵达时间应在最近 30 天内，且不晚于现在": "The arrival time must be within the last 30 days and not in the future",
    "请选择交通方式": "Choose how you travelled",
    # the declaration's means of transport (the Chinese is the value stored)
    "自驾": "By car",
    "火车/高铁": "Train / high-speed rail",
    "飞机": "Plane",
    "长途客车": "Long-distance bus",
    "其他": "Other",
    # ---- visitor pages: the result (visitor/display.py) ------------------------------------
    "请向工作人员出示本页面后通行": "Show this page to the staff, then go in",
    "请向工作人员出示本页面，由工作人员人工核验": "Show this page to the staff for a manual check",
    "请勿进入，听从工作人员安排": "Do not enter; follow the staff's instructions",
    "请向工作人员出示健康码或身份证，由工作人员人工核验": (
        "Show your health code or ID card to the staff for a manual check"
    ),
    "绿码": "Green",
    "黄码": "Yellow",
    "红码": "Red",
    "未申领": "Not applied for",
    "未知": "Unknown",
    "未接种": "Not vaccinated",
    "未完成全程接种": "Partly vaccinated",
    "已完成全程接种": "Fully vaccinated",
    "已加强免疫": "Booster received",
    "暂无记录": "No record",
    "正常": "Normal",
    "异常": "Abnormal",
    "未核验": "Not verified",
    "阳性": "Positive",
    "阴性": "Negative",
    "结果待出": "Result pending",
    "阴性 · {sampled}": "Negative · {sampled}",
    "结果待出 · {sampled}": "Result pending · {sampled}",
    "采样 {hours} 小时前": "sampled {hours} h ago",
    "健康码": "Health code",
    "疫苗接种": "Vaccination",
    "核酸检测": "NAT",
    "行程卡": "Travel card",
    # the verdict (shoumen_core.policy.LEVEL_WORDS)
    "通行": "Pass",
    "人工核验": "Manual check",
    "禁止通行": "No entry",
    "无法核验": "Cannot verify",
    # ---- visitor pages: templates/visitor/*.html ({{ _("...") }}) --------------------------
    "场所码自助登记": "Venue code self check-in",
    "守小门": "Shoumen",
    "场所码 · 自助登记": "Venue code · Self check-in",
    "守小门 · 场所码自助登记": "Shoumen · Venue code self check-in",
    "请验证手机号码": "Verify your phone number",
    "11 位手机号": "11-digit mobile number",
    "获取验证码": "Get a code",
    "验证后，当天再次扫描场所码无需验证码。": "Once verified, scanning a venue code again today needs no code.",
    "没有智能手机或收不到短信？请向门口工作人员出示健康码或身份证，由工作人员核验登记。": (
        "No smartphone, or no SMS? Show your health code or ID card to the staff at the entrance; "
        "they will check you in."
    ),
    "请输入短信验证码": "Enter the SMS code",
    "验证码已发送至": "The code was sent to",
    "演示验证码：": "Demo code: ",
    "6 位数字": "6 digits",
    "验证并登记": "Verify and check in",
    "重新获取验证码": "Send the code again",
    "收不到短信？点下方按钮，再向门口工作人员出示健康码或身份证，由工作人员人工核验。": (
        "No SMS? Tap the button below, then show your health code or ID card to the staff at the "
        "entrance for a manual check."
    ),
    "未收到验证码": "I did not get a code",
    "更换手机号": "Use another phone number",
    "手机": "Phone",
    "今日已验证，无需验证码。": "is verified today; no code needed.",
    "登记进入": "Check in",
    "我的健康码": "My health code",
    "个人健康码二维码": "Personal health code QR",
    "请向门口工作人员出示，由工作人员扫码核验。": "Show it to the staff at the entrance to scan.",
    "生成时间：": "Generated at: ",
    "未查询到手机 {phone} 的本地健康码（未申领）。请向门口工作人员出示外省健康码和通信行程卡，由工作人员人工核验。": (
        "No local health code was found for phone {phone} (not applied for). Show your other "
        "province's health code and your travel card to the staff at the entrance for a manual check."
    ),
    "返回": "Back",
    "登记时间": "Checked in at",
    "当前时间": "Time now",
    "未完成短信验证。请向门口工作人员出示健康码或身份证，由工作人员人工核验。本次登记已记录，工作人员可以看到。": (
        "The SMS check was not completed. Show your health code or ID card to the staff at the "
        "entrance for a manual check. This check-in is recorded and the staff can see it."
    ),
    "您未申领本地健康码。请向门口工作人员出示外省健康码和通信行程卡，由工作人员人工核验。本次登记已记录。": (
        "You have no local health code. Show your other province's health code and your travel "
        "card to the staff at the entrance for a manual check. This check-in is recorded."
    ),
    "✓ 已提交自主申报": "✓ Travel declaration sent",
    "省外来新人员请填写自主申报（出发地、抵达时间、交通方式、联系电话）。": (
        "Arriving from another province? Please fill in a travel declaration (where from, arrival "
        "time, transport, contact phone)."
    ),
    "填写自主申报": "Fill in a travel declaration",
    "省外来新？填写自主申报": "From another province? Fill in a travel declaration",
    "自主申报": "Travel declaration",
    "省外来新人员请如实填写，信息仅用于疫情防控。": (
        "Visitors from other provinces, please answer truthfully; it is used only for epidemic control."
    ),
    "请检查下方标红的内容": "Please check the fields marked in red below",
    "从哪里来（省、市、区县）": "Where from (province, city, district)",
    "例如：四川省成都市锦江区": "e.g. Jinjiang District, Chengdu, Sichuan",
    "抵达时间": "Arrival time",
    "交通方式": "Transport",
    "请选择": "Choose",
    "提交申报": "Send the declaration",
    "无法打开": "Cannot open",
    "如需进入，请向门口工作人员出示健康码或身份证，由工作人员核验登记。": (
        "To go in, show your health code or ID card to the staff at the entrance; they will check you in."
    ),
    "错误代码：": "Error code: ",
    # shoumen_core's fixed messages that a visitor page shows as they are
    InvalidPhone.message: "Invalid phone number",
}

# The English of errors that shoumen_core words in Chinese with values of its own (a document
# number's digits, a birth date): the server passes its code on, and English says it plainly.
CODES_EN: dict[str, str] = {
    # shoumen_core.phone.InvalidPhone
    "bad_phone": "Invalid phone number",
    # shoumen_core.identity.DocumentErrorCode (and the anomaly form's document)
    "empty": "Enter a document number",
    "bad_format": "The document number has characters it cannot have",
    "bad_length": "The document number has the wrong length",
    "bad_region": "The region code is not valid",
    "bad_birth_date": "The birth date in the document number is not valid",
    "bad_checksum": "The document number's check digit is wrong; check it and type it again",
    "bad_document": "The document number is not valid",
    # shoumen_core.codes.CodeError and its kinds
    "invalid_code": "Invalid QR code",
    "malformed_code": "Not a valid personal health code; scan again",
    "unknown_key": "The code's issuer is not in the trust list; it cannot be verified",
    "bad_signature": "The code's signature is invalid; it may have been tampered with",
    "code_expired": "The health code has expired; refresh it and show it again",
    "code_lifetime_too_long": "The health code's validity is abnormal; it cannot be verified",
    "code_not_yet_valid": "The health code is not valid yet; check this device's clock",
    "stale_trust_list": "The trust list has expired; go online to sync before verifying offline",
    "bad_venue_code": "The venue code is not valid or was tampered with",
    "bad_sealed_data": "The encrypted data is damaged or the key does not match",
    # shoumen_core.temperature.TemperatureErrorCode
    "temperature_not_a_reading": "The temperature must be a number, e.g. 36.8",
    "bad_temperature": f"The temperature must be between {TEMPERATURE_MIN:.1f} and {TEMPERATURE_MAX:.1f} °C",
}
