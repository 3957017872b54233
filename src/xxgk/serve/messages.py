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
    "unattributed": "这份报告还没有认定单位（待认定），请先认定单位",
    "no_reason": "请说明为什么选用这个版本",
    "bad_choice": "取值不在可选的范围内",
    "store": "数据库无法打开或使用",
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
    text = ERRORS.get(error.kind) or ERRORS[_class_kind(error)]
    return f"{error.where}：{text}" if error.where else text


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
