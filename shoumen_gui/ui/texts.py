"""The one place where codes from shoumen_core and services/ become words on the screen.

Core and services return stable codes with their values (Finding.reason + state + args,
ServiceError.code, SyncStatus.state + state_args) and, for the log and old records, Chinese
words. The screen says them in the app's language through the catalogue
(resources/translations/shoumen_en.ts): the tables below are Chinese source texts marked with
QT_TRANSLATE_NOOP so pyside6-lupdate extracts them.

In Chinese (no translation installed) the core's own words are shown unchanged: they carry
details (how many digits were typed, which region code) that the English texts say in general.
A code without a text here (a server code this app does not know) shows the words that came
with it (the server answers in the language the app asks for).
"""

from __future__ import annotations

import errno
import re
from typing import Final

from PySide6.QtCore import QCoreApplication

from shoumen_core.policy import Finding, FindingState, VerdictLevel
from shoumen_core.schemas import AbnormalItem
from shoumen_core.unit_types import UNIT_TYPE_CODES, unit_type
from shoumen_gui.i18n import CONTEXT, QT_TRANSLATE_NOOP
from shoumen_gui.paths import DataDirError
from shoumen_gui.services.anomalies import Problem
from shoumen_gui.services.errors import CaFileError, ServiceError
from shoumen_gui.services.salvage import SalvageReport


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def translated(source: str, fallback: str) -> str:
    """The translation of `source`, or `fallback` (the core's exact Chinese words) when the app
    shows the source language."""
    text = tr(source)
    return fallback if text == source else text


LEVEL_WORDS: Final[dict[VerdictLevel, str]] = {
    VerdictLevel.PASS: QT_TRANSLATE_NOOP("shoumen", "通行"),
    VerdictLevel.REVIEW: QT_TRANSLATE_NOOP("shoumen", "人工核验"),
    VerdictLevel.DENY: QT_TRANSLATE_NOOP("shoumen", "禁止通行"),
    VerdictLevel.CANNOT_VERIFY: QT_TRANSLATE_NOOP("shoumen", "无法核验"),
}


def english() -> bool:
    """Whether a translation is installed (the app shows English, not its Chinese source)."""
    return tr(_NOT_REQUIRED) != _NOT_REQUIRED


def unit_type_words(code: str) -> str:
    """A venue type (shoumen_core.unit_types carries both names); the code for an unknown one."""
    if code not in UNIT_TYPE_CODES:
        return code
    unit = unit_type(code)
    return unit.name_en if english() else unit.name_zh


def level_words(level: VerdictLevel) -> str:
    return tr(LEVEL_WORDS[level])


# --- findings (shoumen_core.policy) -------------------------------------------------------------

# (reason, state) -> text, for the findings whose words depend on the state only.
_BY_STATE: Final[dict[tuple[str, FindingState], str]] = {
    ("code_yellow", FindingState.OK): QT_TRANSLATE_NOOP("shoumen", "黄码（本场所允许通行）"),
    ("code_yellow", FindingState.REVIEW): QT_TRANSLATE_NOOP("shoumen", "黄码，请人工核验"),
    ("code_yellow", FindingState.FAIL): QT_TRANSLATE_NOOP("shoumen", "黄码"),
    ("code_yellow", FindingState.UNKNOWN): QT_TRANSLATE_NOOP("shoumen", "黄码，本场所按无法核验处理"),
    ("code_missing", FindingState.OK): QT_TRANSLATE_NOOP("shoumen", "未申领本地健康码（本场所允许通行）"),
    ("code_missing", FindingState.REVIEW): QT_TRANSLATE_NOOP(
        "shoumen", "未申领本地健康码，请人工核验外省健康码和行程卡"
    ),
    ("code_missing", FindingState.FAIL): QT_TRANSLATE_NOOP("shoumen", "未申领本地健康码"),
    ("code_missing", FindingState.UNKNOWN): QT_TRANSLATE_NOOP("shoumen", "未申领本地健康码，无法核验"),
    ("travel_abnormal", FindingState.REVIEW): QT_TRANSLATE_NOOP("shoumen", "行程卡异常，请人工核验"),
    ("travel_abnormal", FindingState.OK): QT_TRANSLATE_NOOP("shoumen", "行程卡异常（本场所不要求查验）"),
    ("travel_unverified", FindingState.REVIEW): QT_TRANSLATE_NOOP("shoumen", "行程卡未核验，请人工核验"),
    ("travel_unverified", FindingState.OK): QT_TRANSLATE_NOOP("shoumen", "行程卡未核验（本场所不要求查验）"),
}

# reason -> text, for findings with fixed words (and the grey reasons of services/checks.py,
# shoumen_core.codes and the server's lookup).
_FIXED: Final[dict[str, str]] = {
    "code_green": QT_TRANSLATE_NOOP("shoumen", "绿码"),
    "code_red": QT_TRANSLATE_NOOP("shoumen", "红码，请劝返并报告社区"),
    "code_unknown": QT_TRANSLATE_NOOP("shoumen", "健康码状态未知，无法核验"),
    "nat_positive": QT_TRANSLATE_NOOP("shoumen", "核酸阳性"),
    "nat_in_future": QT_TRANSLATE_NOOP("shoumen", "核酸采样时间晚于当前时间"),
    "temperature_implausible": QT_TRANSLATE_NOOP("shoumen", "体温读数异常，请复测"),
    "travel_normal": QT_TRANSLATE_NOOP("shoumen", "行程卡正常"),
    "no_trust_list": QT_TRANSLATE_NOOP("shoumen", "本机没有信任列表，无法离线核验，请联网同步"),
    "offline_document": QT_TRANSLATE_NOOP("shoumen", "离线状态无法核验证件，请人工决定"),
    "lookup_rate_limited": QT_TRANSLATE_NOOP("shoumen", "查询过于频繁，请人工核验"),
    "stale_trust_list": QT_TRANSLATE_NOOP("shoumen", "信任列表已过期，无法离线核验，请联网同步"),
    "unknown_key": QT_TRANSLATE_NOOP("shoumen", "健康码签发方不在信任列表中，无法核验"),
    "person_not_found": QT_TRANSLATE_NOOP("shoumen", "未查询到该证件的健康信息，请人工核验"),
    "venue_pending": QT_TRANSLATE_NOOP("shoumen", "场所尚待所在乡镇街道审核，暂不能查询证件信息"),
    "venue_rejected": QT_TRANSLATE_NOOP("shoumen", "场所未通过乡镇街道审核，不能查询证件信息"),
}

_VACCINATION_FACTS: Final[dict[str, str]] = {
    "none": QT_TRANSLATE_NOOP("shoumen", "未接种"),
    "partial": QT_TRANSLATE_NOOP("shoumen", "未完成全程接种"),
    "full": QT_TRANSLATE_NOOP("shoumen", "已完成全程接种"),
    "booster": QT_TRANSLATE_NOOP("shoumen", "已加强免疫"),
    "unknown": QT_TRANSLATE_NOOP("shoumen", "接种信息未知"),
}
_VACCINATION_WANTED: Final[dict[str, str]] = {
    "full": QT_TRANSLATE_NOOP("shoumen", "场所要求全程接种"),
    "booster": QT_TRANSLATE_NOOP("shoumen", "场所要求加强免疫"),
}
_NOT_REQUIRED: Final = QT_TRANSLATE_NOOP("shoumen", "（本场所不要求）")
_AND: Final = QT_TRANSLATE_NOOP("shoumen", "{0}，{1}")


def _english(finding: Finding) -> str | None:
    """The finding in the installed language, or None when its reason has no text here."""
    reason, args = finding.reason, finding.args
    key = (reason, finding.state)
    if key in _BY_STATE:
        return tr(_BY_STATE[key])
    if reason in _FIXED:
        return tr(_FIXED[reason])
    suffix = tr(_NOT_REQUIRED) if args.get("not_required") else ""
    if reason.startswith("vaccination_") and args.get("vaccination") in _VACCINATION_FACTS:
        fact = tr(_VACCINATION_FACTS[args["vaccination"]])
        wanted = args.get("required", "")
        if reason in ("vaccination_unknown", "vaccination_insufficient") and wanted in _VACCINATION_WANTED:
            return tr(_AND).format(fact, tr(_VACCINATION_WANTED[wanted]))
        return fact + suffix
    hours, window = args.get("hours", ""), args.get("window", "")
    if reason == "nat_none":
        return tr(QT_TRANSLATE_NOOP("shoumen", "无核酸记录")) + suffix
    if reason == "nat_pending":
        if hours:
            text = tr(QT_TRANSLATE_NOOP("shoumen", "核酸结果待出，采样 {hours} 小时前")).format(hours=hours)
        else:
            text = tr(QT_TRANSLATE_NOOP("shoumen", "核酸结果待出"))
        return text + suffix
    if reason == "nat_time_missing":
        return tr(QT_TRANSLATE_NOOP("shoumen", "核酸阴性，但缺少采样时间")) + suffix
    if reason == "nat_negative" and hours:
        return tr(QT_TRANSLATE_NOOP("shoumen", "核酸阴性，采样 {hours} 小时前")).format(hours=hours) + suffix
    if reason == "nat_too_old" and window:
        if hours and int(hours) > int(window):
            text = QT_TRANSLATE_NOOP("shoumen", "核酸 {hours} 小时前，超过 {window} 小时")
            return tr(text).format(hours=hours, window=window)
        return tr(QT_TRANSLATE_NOOP("shoumen", "核酸采样超过 {window} 小时")).format(window=window)
    celsius, threshold = args.get("celsius", ""), args.get("threshold", "")
    if reason == "temperature_fever" and celsius and threshold:
        if args.get("above"):
            text = QT_TRANSLATE_NOOP("shoumen", "体温 {celsius} °C，超过 {threshold} °C")
        else:
            text = QT_TRANSLATE_NOOP("shoumen", "体温 {celsius} °C，达到 {threshold} °C")
        return tr(text).format(celsius=celsius, threshold=threshold)
    if reason == "temperature_normal" and celsius:
        return tr(QT_TRANSLATE_NOOP("shoumen", "体温 {celsius} °C")).format(celsius=celsius)
    return None


def finding_words(finding: Finding) -> str:
    """What the result panel says about one source."""
    if not english():  # the source language: the core's exact words
        return finding.message
    return _english(finding) or finding.message


def headline(level: VerdictLevel, findings: tuple[Finding, ...]) -> str:
    """services.checks.headline in the app's language: the verdict and its first reason."""
    reasons = [finding_words(f) for f in findings if f.state is not FindingState.OK]
    if reasons:
        return tr(QT_TRANSLATE_NOOP("shoumen", "{0}：{1}")).format(level_words(level), reasons[0])
    return tr(QT_TRANSLATE_NOOP("shoumen", "{0}：各项正常")).format(level_words(level))


def joined(parts: list[str] | tuple[str, ...], separator: str = "；") -> str:
    """Parts of one sentence in the app's language: "；" and "、" become "; " and ", "."""
    words = {"；": QT_TRANSLATE_NOOP("shoumen", "；"), "、": QT_TRANSLATE_NOOP("shoumen", "、")}
    return tr(words.get(separator, separator)).join(parts)


def reason_words(message: str) -> str:
    """A reason that arrives as the core's Chinese words only (AbnormalItem.reasons from a server
    that predates AbnormalItem.findings): the fixed ones are catalogue texts above; one with
    values in it (hours, °C) stays as it came (the catalogue's translator answers "" for a text
    it does not hold, and Qt shows that: hence `or message`)."""
    return tr(message) or message


def abnormal_reasons(item: AbnormalItem) -> list[str]:
    """The reasons of an abnormal list's item (the day's drill-down, the region's list) in the
    app's language: from its codes with args when the list carries them, else from its words.
    In Chinese, the words exactly as they came."""
    if item.findings is None:
        return [reason_words(reason) for reason in item.reasons]
    if not english():
        return [finding.message for finding in item.findings]
    # A row the server stored before it kept args has none: its words, as reason_words says them.
    return [_english(finding) or reason_words(finding.message) for finding in item.findings]


# --- document kinds (shoumen_core.identity.DOCUMENT_KIND_NAMES, the source of the words) --------

_DOCUMENT_KINDS: Final[tuple[str, ...]] = (
    QT_TRANSLATE_NOOP("shoumen", "居民身份证"),
    QT_TRANSLATE_NOOP("shoumen", "港澳台居民居住证"),
    QT_TRANSLATE_NOOP("shoumen", "外国人永久居留身份证"),
    QT_TRANSLATE_NOOP("shoumen", "港澳居民来往内地通行证"),
    QT_TRANSLATE_NOOP("shoumen", "台湾居民来往大陆通行证"),
    QT_TRANSLATE_NOOP("shoumen", "护照"),
)


def document_kind_words(name: str) -> str:
    """A document kind's name from the core (DOCUMENT_KIND_NAMES) in the app's language;
    tests/gui/test_texts.py checks every kind has its entry above."""
    return tr(name)


# --- errors (services.errors, shoumen_core codes) -----------------------------------------------

_ERRORS: Final[dict[str, str]] = {
    "service_error": QT_TRANSLATE_NOOP("shoumen", "操作失败，请稍后重试"),
    "offline": QT_TRANSLATE_NOOP("shoumen", "无法连接服务器，已切换到离线模式"),
    "server_busy": QT_TRANSLATE_NOOP("shoumen", "服务器繁忙，稍后自动重试"),
    "certificate_untrusted": QT_TRANSLATE_NOOP(
        "shoumen",
        "服务器证书不受信任，已拒绝连接：证书不是由本机配置的证书颁发机构（CA）签发的。"
        "请检查 CA 文件（--ca 或设置中的 CA 文件）和服务器地址，或联系管理员。",
    ),
    "ca_file_unusable": QT_TRANSLATE_NOOP("shoumen", "证书颁发机构（CA）文件无法使用"),
    "session_expired": QT_TRANSLATE_NOOP("shoumen", "登录已失效，请重新登录"),
    "forbidden": QT_TRANSLATE_NOOP("shoumen", "没有权限执行此操作"),
    "staff_revoked": QT_TRANSLATE_NOOP("shoumen", "您在本场所的核验权限已被收回"),
    "server_error": QT_TRANSLATE_NOOP("shoumen", "服务器暂时无法处理请求，请稍后重试"),
    "rate_limited": QT_TRANSLATE_NOOP("shoumen", "操作过于频繁，请稍后再试"),
    "cache_error": QT_TRANSLATE_NOOP("shoumen", "本机数据文件无法使用，请联系管理员"),
    "storage_error": QT_TRANSLATE_NOOP("shoumen", "无法保存：本机存储出错，请人工核验并联系管理员"),
    "storage_full": QT_TRANSLATE_NOOP("shoumen", "无法保存：本机存储已满，请人工核验并联系管理员"),
    "storage_read_only": QT_TRANSLATE_NOOP("shoumen", "无法保存：本机数据目录只读，请人工核验并联系管理员"),
    "storage_io_error": QT_TRANSLATE_NOOP("shoumen", "无法保存：本机存储读写故障，请人工核验并联系管理员"),
    "sync_error": QT_TRANSLATE_NOOP("shoumen", "同步出错，稍后自动重试"),
    "bad_response": QT_TRANSLATE_NOOP("shoumen", "服务器返回了无法识别的数据"),
    "file_not_written": QT_TRANSLATE_NOOP("shoumen", "无法保存文件，请选择其他位置"),
    "cancelled": QT_TRANSLATE_NOOP("shoumen", "导出已取消"),
    # what a guard scans or types (services.checks.InputRejected, shoumen_core codes/identity)
    "unknown_input": QT_TRANSLATE_NOOP("shoumen", "扫到的不是个人健康码，请访客出示本人的个人健康码"),
    "not_health_code": QT_TRANSLATE_NOOP("shoumen", "扫到的不是个人健康码，请访客出示本人的个人健康码"),
    "empty": QT_TRANSLATE_NOOP("shoumen", "未读取到内容，请重新扫码或输入证件号码"),
    "too_long": QT_TRANSLATE_NOOP("shoumen", "内容过长，不是个人健康码或证件号码"),
    "venue_code_given": QT_TRANSLATE_NOOP(
        "shoumen", "这是场所码，不是个人健康码。请访客出示本人的个人健康码"
    ),
    "web_address": QT_TRANSLATE_NOOP(
        "shoumen", "扫到的是网址二维码，不是个人健康码。请访客出示本人的个人健康码"
    ),
    "invalid_code": QT_TRANSLATE_NOOP("shoumen", "二维码无效"),
    "malformed_code": QT_TRANSLATE_NOOP("shoumen", "不是有效的个人健康码，请重新扫码"),
    "unknown_key": QT_TRANSLATE_NOOP("shoumen", "健康码签发方不在信任列表中，无法核验"),
    "bad_signature": QT_TRANSLATE_NOOP("shoumen", "健康码签名无效，可能已被篡改"),
    "code_expired": QT_TRANSLATE_NOOP("shoumen", "健康码已过期，请刷新后重新出示"),
    "code_lifetime_too_long": QT_TRANSLATE_NOOP("shoumen", "健康码有效期异常，无法核验"),
    "code_not_yet_valid": QT_TRANSLATE_NOOP("shoumen", "健康码尚未生效，请检查本机时间是否准确"),
    "stale_trust_list": QT_TRANSLATE_NOOP("shoumen", "信任列表已过期，无法离线核验，请联网同步"),
    "bad_format": QT_TRANSLATE_NOOP("shoumen", "证件号码格式不正确，请核对后重新输入"),
    "bad_length": QT_TRANSLATE_NOOP("shoumen", "证件号码位数不对，请核对后重新输入"),
    "bad_region": QT_TRANSLATE_NOOP("shoumen", "证件号码的地区代码不存在，请核对后重新输入"),
    "bad_birth_date": QT_TRANSLATE_NOOP("shoumen", "证件号码中的出生日期不对，请核对后重新输入"),
    "bad_checksum": QT_TRANSLATE_NOOP("shoumen", "校验位错误，请核对后重新输入"),
    "temperature_not_a_reading": QT_TRANSLATE_NOOP("shoumen", "体温应为数字，例如 36.8"),
    "bad_temperature": QT_TRANSLATE_NOOP("shoumen", "体温超出可能的范围，请复测"),
    "bad_phone": QT_TRANSLATE_NOOP("shoumen", "手机号码格式不正确"),
    # shoumen_gui.scanning.errors (the camera loop reports these; see ui/scan_view.py)
    "scanning_error": QT_TRANSLATE_NOOP("shoumen", "扫码功能暂时不可用"),
    "source_unavailable": QT_TRANSLATE_NOOP("shoumen", "无法打开视频来源"),
    "camera_unavailable": QT_TRANSLATE_NOOP("shoumen", "未检测到摄像头"),
    "camera_lost": QT_TRANSLATE_NOOP("shoumen", "摄像头连接已断开，请检查后重试"),
    "decoder_unavailable": QT_TRANSLATE_NOOP("shoumen", "二维码解码库不可用"),
    # shoumen_core.trust (a refused trust list: the status bar's banner)
    "trust_list_refused": QT_TRANSLATE_NOOP("shoumen", "信任列表无效，已拒绝（离线核验仍用上一版）"),
    "trust_list_malformed": QT_TRANSLATE_NOOP("shoumen", "信任列表格式无效，已拒绝（离线核验仍用上一版）"),
    "trust_list_unsigned": QT_TRANSLATE_NOOP("shoumen", "信任列表没有签名，已拒绝（离线核验仍用上一版）"),
    "trust_list_bad_signature": QT_TRANSLATE_NOOP(
        "shoumen", "信任列表签名无效，已拒绝（离线核验仍用上一版）"
    ),
    "trust_root_unknown": QT_TRANSLATE_NOOP(
        "shoumen", "信任列表的根密钥与本机记录的不一致，已拒绝（离线核验仍用上一版），请联系管理员"
    ),
    "trust_list_older": QT_TRANSLATE_NOOP("shoumen", "信任列表比本机已有的旧，已拒绝（离线核验仍用上一版）"),
    # services.device (the enrolment code as typed or scanned)
    "enrol_code_invalid": QT_TRANSLATE_NOOP(
        "shoumen", "绑定码应为 8 位字母和数字（例如 K7QX-M2PA），请核对后重新输入"
    ),
    # shoumen_core.anomalies (the server applies the same rules)
    "anomaly_name_missing": QT_TRANSLATE_NOOP("shoumen", "请填写姓名"),
    "anomaly_notes_missing": QT_TRANSLATE_NOOP("shoumen", "请填写情况说明（核验了什么、如何处置）"),
    "anomaly_no_phone_reason": QT_TRANSLATE_NOOP("shoumen", "请填写联系电话，或说明无法留电话的原因"),
    "anomaly_bad_action": QT_TRANSLATE_NOOP(
        "shoumen", "“放行（已做传统纸质登记）”只用于无智能手机且无证件号码的访客"
    ),
}


def code_words(code: str, message: str) -> str:
    """The words for an error code; `message` (the words that came with it) when the app shows
    Chinese or knows no text for the code."""
    source = _ERRORS.get(code)
    return message if source is None else translated(source, message)


# Why the OS refused a file (shoumen_gui.paths.os_reason has the same words without Qt).
_OS_REASONS: Final[dict[int, str]] = {
    errno.EROFS: QT_TRANSLATE_NOOP("shoumen", "磁盘或文件夹是只读的"),
    errno.EACCES: QT_TRANSLATE_NOOP("shoumen", "没有写入权限"),
    errno.EPERM: QT_TRANSLATE_NOOP("shoumen", "没有写入权限"),
    errno.ENOSPC: QT_TRANSLATE_NOOP("shoumen", "磁盘已满"),
    errno.ENOTDIR: QT_TRANSLATE_NOOP("shoumen", "路径上有同名的文件"),
    errno.EEXIST: QT_TRANSLATE_NOOP("shoumen", "已有同名的文件"),
    errno.ENOENT: QT_TRANSLATE_NOOP("shoumen", "文件夹不存在"),
    errno.EISDIR: QT_TRANSLATE_NOOP("shoumen", "这是一个文件夹"),
    errno.ENAMETOOLONG: QT_TRANSLATE_NOOP("shoumen", "文件名太长"),
}


START_FAILURE_TITLE: Final = QT_TRANSLATE_NOOP("shoumen", "守小门无法启动")

_CA_FILE: Final[dict[str, str]] = {
    "ca_file_missing": QT_TRANSLATE_NOOP("shoumen", "找不到证书颁发机构（CA）文件：{0}"),
    "ca_file_unreadable": QT_TRANSLATE_NOOP("shoumen", "无法读取证书颁发机构（CA）文件：{0}"),
    "ca_file_invalid": QT_TRANSLATE_NOOP("shoumen", "证书颁发机构（CA）文件中没有可用的 PEM 证书：{0}"),
}


def start_failure_words(error: DataDirError | CaFileError) -> str:
    """Why the app cannot start, in the app's language (the system's, when the failure came
    before the settings could be read)."""
    if isinstance(error, DataDirError):
        if not english():
            return error.message
        template = (
            QT_TRANSLATE_NOOP(
                "shoumen",
                "守小门无法创建文件夹：{0}（{1}）。请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。",
            )
            if error.creating
            else QT_TRANSLATE_NOOP(
                "shoumen",
                "守小门无法写入文件夹：{0}（{1}）。请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。",
            )
        )
        return tr(template).format(error.folder, os_reason_words(error.error))
    source = _CA_FILE.get(error.code)
    first = tr(source).format(error.path) if source is not None and error.path else error_words(error)
    return first + "\n" + tr(QT_TRANSLATE_NOOP("shoumen", "请检查 --ca 参数或设置中的 CA 文件（ca_file）。"))


def os_reason_words(error: OSError) -> str:
    """Why the OS refused, in the app's language (the crash dialog when its report is not written)."""
    source = _OS_REASONS.get(error.errno or 0)
    return tr(source) if source is not None else error.strerror or type(error).__name__


def problem_words(problem: Problem) -> str:
    """A problem of the 核查登记 form (services/anomalies.Problem): its code's words, or its own
    words when they are a catalogue text (the form's tables)."""
    if problem.code == "notes_too_long":
        text = tr(QT_TRANSLATE_NOOP("shoumen", "情况说明最多 {0} 字"))
        return problem.message if not english() else text.format(*problem.args)
    if problem.code:
        return code_words(problem.code, problem.message)
    return tr(problem.message)


_CJK: Final = re.compile(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]")


def error_words(error: ServiceError) -> str:
    """What the screen says for a service error. The server's own words when it answered in the
    app's language (it follows Accept-Language, services/api.py): they say more than a code."""
    if error.server_code and english() and error.message and not _CJK.search(error.message):
        return error.message
    return code_words(error.code, error.message)


def salvage_words(report: SalvageReport) -> str:
    """The notice after a damaged data file was set aside and its unsent records recovered."""
    if not english():
        return report.message()
    text = tr(QT_TRANSLATE_NOOP("shoumen", "本机数据文件已损坏，已另存为 {0}，已恢复 {1} 条未上传的核验记录"))
    text = text.format(report.moved_to, report.checks)
    if report.anomalies:
        text += tr(QT_TRANSLATE_NOOP("shoumen", "和 {0} 条核查登记")).format(report.anomalies)
    return text + tr(QT_TRANSLATE_NOOP("shoumen", "。"))


# --- gates (services.gate.GateResult) -----------------------------------------------------------

_GATE: Final[dict[str, str]] = {
    "opened": QT_TRANSLATE_NOOP("shoumen", "已开闸"),
    "no_gate": QT_TRANSLATE_NOOP("shoumen", "未配置闸机"),
    "not_pass": QT_TRANSLATE_NOOP("shoumen", "未通行，闸机保持关闭"),
    "link_ok": QT_TRANSLATE_NOOP("shoumen", "闸机连接正常"),
    "timeout": QT_TRANSLATE_NOOP("shoumen", "闸机未响应（超时）"),
    "unreachable": QT_TRANSLATE_NOOP("shoumen", "闸机未响应（无法连接）"),
    "device_error": QT_TRANSLATE_NOOP("shoumen", "闸机未响应"),
    "http_error": QT_TRANSLATE_NOOP("shoumen", "闸机未响应（HTTP 错误）"),
    "auth_failed": QT_TRANSLATE_NOOP("shoumen", "闸机未响应（认证失败，请检查用户名、密码或密钥）"),
    "reset_failed": QT_TRANSLATE_NOOP("shoumen", "已开闸，但闸机未能复位，请立即检查闸机"),
    "not_configured": QT_TRANSLATE_NOOP("shoumen", "闸机设置不完整"),
    "reason_required": QT_TRANSLATE_NOOP("shoumen", "请填写手动开闸的原因"),
    "reason_too_long": QT_TRANSLATE_NOOP("shoumen", "原因过长"),
    "unknown_check": QT_TRANSLATE_NOOP("shoumen", "找不到该核验记录，闸机未开"),
    "not_admitted": QT_TRANSLATE_NOOP("shoumen", "未记录人工放行，闸机未开"),
}


def gate_words(code: str, message: str) -> str:
    """A gate command's outcome; `message` (its Chinese, with the details) in Chinese."""
    source = _GATE.get(code)
    return message if source is None else translated(source, message)


# --- the sync engine's state (services.sync.SyncStatus) -----------------------------------------


def sync_words(state: str, args: dict[str, str], message: str) -> str:
    """The status bar's words for the sync engine's state; `message` is its Chinese."""
    if not english():
        return message
    if state == "epoch_reset":
        return tr(QT_TRANSLATE_NOOP("shoumen", "服务器数据已重置，已重新同步全部记录"))
    if state == "trust_root_changed":
        text = QT_TRANSLATE_NOOP("shoumen", "服务器的信任根已更换为 {root}（由原信任根签署交接）")
        return tr(text).format(root=args.get("root", ""))
    if state == "session_expired":
        return tr(QT_TRANSLATE_NOOP("shoumen", "登录已失效，请重新登录后继续同步"))
    if state == "clock_skew":
        text = QT_TRANSLATE_NOOP("shoumen", "本机时间与服务器相差约 {minutes} 分钟，请校准时间")
        return tr(text).format(minutes=args.get("minutes", ""))
    if state == "sync_error":
        words = code_words(args.get("error", ""), args.get("message", message))
        if args.get("retry"):
            return tr(QT_TRANSLATE_NOOP("shoumen", "{0}（{1} 秒后重试）")).format(words, args["retry"])
        return words
    return message
