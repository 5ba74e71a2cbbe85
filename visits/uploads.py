"""What an evidence file really is, judged by its first bytes rather than its name.

A bank receives PDFs, photos (JPEG, PNG, an iPhone's HEIC) and Office documents (the zip-based
.docx/.xlsx/.pptx and the older .doc/.xls/.ppt). Anything else — an executable renamed to .pdf,
an HTML page calling itself a PNG — is refused, and so is a file whose content and name disagree.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
JPEG = FileType("JPEG", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileType("PNG", "image/png", (".png",))
HEIC = FileType("HEIC", "image/heic", (".heic", ".heif"))
DOCX = FileType("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
XLSX = FileType("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                (".xlsx",))
PPTX = FileType("PowerPoint",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                (".pptx",))
OLE = FileType("Office 97–2003", "application/octet-stream", (".doc", ".xls", ".ppt"))

ALLOWED_EXTENSIONS = sorted({ext for t in (PDF, JPEG, PNG, HEIC, DOCX, XLSX, PPTX, OLE)
                             for ext in t.extensions})
OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
# The ISO media file brands of HEIC/HEIF still images (an iPhone writes "heic").
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"}
PHOTOS = (JPEG, PNG, HEIC)


def _ooxml(upload) -> FileType | None:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in OOXML_PARTS.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def detect(upload) -> FileType | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(upload)
    return None


def check_name(name: str) -> str:
    """The name as shown later; a name that tries to climb out of a folder is refused."""
    if (not name or "/" in name or "\\" in name or ".." in name or "\x00" in name
            or any(ord(c) < 32 for c in name)):
        raise ValidationError(_("The file name “%(name)s” is not allowed: it may not contain "
                                "folders or special characters.") % {"name": name[:80]},
                              code="bad_name")
    if len(name) > 200:
        raise ValidationError(_("The file name is longer than 200 characters."),
                              code="bad_name")
    return name


def check_file(upload, *, name: str, max_bytes: int) -> tuple[FileType, str]:
    """(type, SHA-256) of an acceptable upload, or a ValidationError saying what is wrong."""
    check_name(name)
    if upload.size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; files may be at most %(limit)s MB.")
            % {"name": name, "size": f"{upload.size / 1048576:.1f}",
               "limit": f"{max_bytes / 1048576:g}"}, code="too_large")
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    kind = detect(upload)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG, PNG or Office document (judged by its content, "
              "not its name).") % {"name": name}, code="bad_type")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in kind.extensions:
        raise ValidationError(
            _("“%(name)s” contains a %(kind)s file but its name says otherwise; rename it to "
              "end in %(ext)s.") % {"name": name, "kind": kind.name,
                                   "ext": " / ".join(kind.extensions)}, code="mismatch")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return kind, digest.hexdigest()
