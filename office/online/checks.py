"""What a petitioner may send online: the fields, the files (type read from the content, not the
name) and the PIPL consent. Errors are [{field, message}] in Chinese, as on the counter's form."""
from __future__ import annotations

from dataclasses import dataclass

from engine.errors import ValidationFailed
from office.directory.service import resolve_region
from office.intake.service import PURPOSES, valid_id_number, valid_phone

MAX_FILES = 5
MAX_FILE_BYTES = 4 * 1024 * 1024
# magic bytes → (extension, content type): the file's own first bytes decide, never its name
SIGNATURES = ((b"%PDF-", "pdf", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
              (b"\xff\xd8\xff", "jpg", "image/jpeg"))
TEXT_LIMITS = {"name": 50, "id_number": 18, "phone": 20, "address": 200, "subject": 200, "content": 20000}
CONSENT_TEXT = ("本人同意信访机构为办理本信访事项，依法收集、存储和使用本人填写的个人信息"
                "（《个人信息保护法》第三十四条至第三十六条），信息仅用于办理本事项。")


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def sniff(content: bytes) -> tuple[str, str] | None:
    """(extension, content type) of an image or PDF by its leading bytes, else None."""
    return next(((ext, kind) for magic, ext, kind in SIGNATURES if content.startswith(magic)), None)


def _error(problems: list, field: str, message: str) -> None:
    problems.append({"field": field, "message": message})


def check_files(files: list[Upload], problems: list, limit: int = MAX_FILE_BYTES) -> list[tuple[Upload, str, str]]:
    if len(files) > MAX_FILES:
        _error(problems, "attachments", f"附件最多{MAX_FILES}个")
        return []
    checked = []
    for i, upload in enumerate(files):
        field = f"attachments.{i}"
        name = (upload.filename or "").strip()
        if not name or len(name) > 200 or any(c in name for c in "/\\") or ".." in name:
            _error(problems, field, "文件名不正确")
            continue
        if not upload.content or len(upload.content) > limit:
            _error(problems, field, f"“{name}”大小应在1字节至{limit // (1024 * 1024)}MB之间")
            continue
        found = sniff(upload.content)
        if found is None:
            _error(problems, field, f"“{name}”不是图片（JPG、PNG）或PDF文件")
            continue
        checked.append((upload, *found))
    return checked


def check_submission(form: dict, files: list[Upload], *, file_limit: int = MAX_FILE_BYTES) -> tuple[dict, list]:
    """The cleaned form and the checked files, or ValidationFailed listing every problem."""
    problems: list[dict] = []
    text = {k: str(form.get(k) or "").strip() for k in (*TEXT_LIMITS, "purpose", "region")}
    for key, limit in TEXT_LIMITS.items():
        if len(text[key]) > limit:
            _error(problems, key, f"最多{limit}字")
    if not text["name"]:
        _error(problems, "name", "请填写姓名")
    if not text["id_number"]:
        _error(problems, "id_number", "请填写身份证号码")
    elif not valid_id_number(text["id_number"]):
        _error(problems, "id_number", "身份证号码不正确（请核对出生日期和校验位）")
    if not text["phone"]:
        _error(problems, "phone", "请填写联系电话")
    elif not valid_phone(text["phone"]):
        _error(problems, "phone", "电话号码不正确（手机号11位，固定电话请加区号）")
    if not text["address"]:
        _error(problems, "address", "请填写通讯地址")
    if not text["subject"]:
        _error(problems, "subject", "请填写事由")
    if not text["content"]:
        _error(problems, "content", "请填写信访内容")
    if text["purpose"] not in PURPOSES:
        _error(problems, "purpose", "请选择信访目的：" + "、".join(PURPOSES))
    region = None
    if not text["region"]:
        _error(problems, "region", "请选择问题发生地")
    else:
        region, found = resolve_region(text["region"], "region")
        problems += found
    if form.get("consent") not in (True, "true", "on", "1", "yes"):
        _error(problems, "consent", "请阅读并同意个人信息处理说明后提交")
    checked = check_files(files, problems, file_limit)
    if problems:
        raise ValidationFailed("提交的内容有误，请按提示修改", problems)
    cleaned = {k: text[k] for k in TEXT_LIMITS} | {"purpose": text["purpose"], "region": region,
                                                   "region_text": text["region"]}
    return cleaned, checked
