"""What the web app says when something goes wrong, in Chinese: the library's errors by kind
(xxgk.errors: `kind`), HTTP statuses, request validation by pydantic's error type. The CLI says
the library's English; a JSON error body gives the Chinese with the English beside it, for the
program that reads it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from xxgk.errors import XxgkError

# xxgk.errors kinds (the class's, or a narrower one named where it is raised)
ERRORS = {
    "error": "出错了",
    "unreadable": "无法读取这个文件",
    "empty": "文件是空的，没有可读取的内容",
    "encoding": "无法识别文件的文字编码，请另存为 UTF-8 或 GB18030 编码的文本后再试",
    "unknown_format": "文件不是能读取的格式；可以读取的格式：文本、HTML、DOCX、DOC、WPS、PDF 和图片",
    "archive": "这是一个压缩包，不是 Word 文档；请先解压",
    "presentation": "这是演示文稿（PowerPoint、WPS 演示），不是报告文档",
    "password": "文件设有密码，请去掉密码另存后再上传",
    "damaged": "文件已损坏，无法打开",
    "too_large": "文件超出了可以读取的规模（大小、页数或结构），已停止读取",
    "needs_ocr": "这是扫描件，需要文字识别（OCR）组件才能读取，服务器上没有安装",
    "no_libreoffice": "读取这种格式需要 LibreOffice，服务器上没有安装",
    "not_report": "这不是政府信息公开工作年度报告：没有找到报告的统计表格",
    "no_year": "报告没有写明年度，无法归入某一年",
    "same_year": "比较需要至少两个不同的年度",
    "no_report": "语料库中没有这个单位该年度的报告",
    "no_such_report": "语料库中没有这份报告",
    "no_body": "语料库中没有这个单位",
    "empty_name": "单位名称是空的",
    "other_report": "所选的报告不是这个单位该年度的版本",
    "bad_row": "单位名单中有不能导入的行：同一单位列了两次、层级不可选、上级单位循环，或别名与其他单位重名",
    "unattributed": "这份报告还没有认定单位（待认定），请先认定单位",
    "no_reason": "请说明为什么选用这个版本",
    "bad_choice": "取值不在可选的范围内",
    "store": "数据库无法打开或使用",
    # a manifest (清单) of a batch upload
    "manifest": "清单无法读取，请使用 CSV 或 XLSX 文件",
    "manifest_empty": "清单是空的",
    "manifest_long": "清单的行数超过了上限",
    "manifest_columns": "清单的第一行须写明各列的名称，至少有“文件”和“单位”两列",
    "manifest_twice": "同一个文件列了两次",
    "manifest_no_file": "没有填写文件",
    "manifest_no_body": "没有填写单位",
    "manifest_year": "年度不是有效的年份",
    "manifest_date": "发布日期不是日期（如 2021-01-20）",
    "manifest_url": "网址不是以 http:// 或 https:// 开头的地址",
    # the register (台账): what an application's history does not allow
    "missing": "缺少必填的内容",
    "not_whole": "应当是整数",
    "no_user": "没有这个用户",
    "not_allowed": "这个用户在该单位没有办理此事项的权限",
    "locked": "该年度已锁定：修改须作为更正并说明理由",
    "number_taken": "该单位已有这个编号的申请",
    "no_application": "该单位没有这个编号的申请",
    "fee_needs_name": "按件计收信息处理费须填写申请人姓名",
    "no_receipt": "须先登记“收到申请”，才能记录其他事项",
    "received_twice": "这件申请已经登记收到；如有误，请更正那条记录",
    "before_receipt": "日期早于收到申请的日期",
    "future": "日期还没有到：台账只记录已经发生的事项",
    "closed": "这件申请已经办结，不能再记录其他事项",
    "notice_twice": "已经发出过补正通知（只能补正一次）",
    "no_notice": "没有等待补正的补正通知",
    "corrected_twice": "已经收到过补正后的申请",
    "pause_first": "补正后期限重新计算：补正之前不能有中止计算期限的事项",
    "pause_open": "还有尚未结束的征求意见或收费通知",
    "awaits_correction": "这件申请正在等待补正",
    "nothing_open": "没有尚未结束的征求意见或收费通知",
    "void_names_event": "作废须指明所作废的记录",
    "corrects_other": "所更正的记录不属于这件申请",
    "correction_kind": "更正须与原记录同类，或将其作废",
    "receipt_void": "收到申请的记录不能作废，请更正其日期",
    "appeal_incomplete": "已决的复议或诉讼须同时填写决定日期和结果",
    "decided_before_filed": "决定日期早于提起日期",
    "appeal_decided": "已经作出决定",
}

# a status whose message is the HTTP phrase (Starlette's own 404, 405…)
STATUSES = {
    400: "请求不正确",
    401: "请先登录",
    403: "没有权限",
    404: "没有这个页面",
    405: "不支持这种请求方式",
    413: "请求过大",
    415: "不支持的文件类型",
    422: "请求参数不正确",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，已记录；请稍后再试",
    503: "服务器正忙，请稍后再试",
}

# pydantic's error types; {…} are filled from the error's context
VALIDATION = {
    "missing": "必须填写",
    "int_parsing": "应当是整数",
    "int_type": "应当是整数",
    "int_from_float": "应当是整数",
    "float_parsing": "应当是数字",
    "bool_parsing": "应当是是或否",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_type": "应当是文字",
    "literal_error": "应当是以下之一：{expected}",
    "enum": "应当是以下之一：{expected}",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "date_from_datetime_parsing": "应当是日期（如 2024-01-31）",
    "date_parsing": "应当是日期（如 2024-01-31）",
}
WHERE = {"query": "参数", "path": "地址中的", "body": "提交内容中的", "header": "请求头", "cookie": "Cookie"}

_ENGLISH_TAIL = re.compile(r"\s*\([\x20-\x7e]*\)\s*$")  # "没有这个单位 (no such body)"


def for_error(error: XxgkError) -> str:
    """A library error in Chinese, after the file or body it concerns."""
    text = wording(error)
    return f"{error.where}：{text}" if error.where else text


def wording(error: XxgkError) -> str:
    """A library error in Chinese, alone."""
    return ERRORS.get(error.kind) or ERRORS[_class_kind(error)]


def _class_kind(error: XxgkError) -> str:
    """The kind of the nearest class that has a message (a kind named at a raise may have none)."""
    for cls in type(error).__mro__:
        kind = getattr(cls, "kind", None)
        if kind in ERRORS:
            return kind
    return "error"


def for_status(status: int, detail: str) -> str:
    """An HTTP error's message: the app's own (Chinese), or Chinese for the bare HTTP phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = None
    if detail == phrase or not detail:
        return STATUSES.get(status, f"出错了（{status}）")
    return detail


def for_page(message: str) -> str:
    """A message as a page shows it: without the English the JSON body gives beside it."""
    return _ENGLISH_TAIL.sub("", message) or message


def for_validation(errors: Sequence[Mapping[str, Any]]) -> str:
    """The first invalid value of a request, in Chinese: which parameter, what it should be."""
    if not errors:
        return STATUSES[422]
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ())]
    where = f"{WHERE.get(loc[0], loc[0])} {'.'.join(loc[1:])}".strip() if loc else ""
    wording = VALIDATION.get(str(first.get("type")), "格式不正确")
    context = {k: _shown(v) for k, v in (first.get("ctx") or {}).items()}
    try:
        wording = wording.format(**context)
    except (KeyError, IndexError):
        wording = "格式不正确"
    return f"{STATUSES[422]}：{where} {wording}".replace("： ", "：")  # nothing to name: no blank


def _shown(value: object) -> str:
    # pydantic's `expected` reads "'error', 'warning' or 'info'"
    return str(value).replace(" or ", "、").replace("', '", "'、'")


def with_english(chinese: str, english: str) -> str:
    """For a JSON body: the Chinese, and the English original for the program (and its log)."""
    return chinese if not english or english == chinese else f"{chinese} ({english})"
