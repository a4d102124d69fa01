"""What a file is, decided by its content (leading bytes, and the parts inside an Office ZIP),
never by its name or the browser's claim."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file: its MIME type, its extension and a label for messages."""

    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
PNG = FileType("image/png", "png", "PNG")
JPEG = FileType("image/jpeg", "jpg", "JPEG")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx", "DOCX")
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "pptx", "PPTX")

DOCUMENTS_AND_IMAGES = (PDF, PNG, JPEG)
OFFICE = (DOCX, PPTX)

_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_ZIP_SIGNATURE = b"PK\x03\x04"
# The part every Office Open XML file of the kind must contain (ECMA-376).
_OFFICE_MAIN_PARTS = {DOCX: "word/document.xml", PPTX: "ppt/presentation.xml"}


def _office_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in _OFFICE_MAIN_PARTS.items() if part in names), None)


def sniff(data: bytes, accepted: tuple[FileType, ...]) -> FileType | None:
    """The accepted type the content shows, or None."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind if kind in accepted else None
    if data.startswith(_ZIP_SIGNATURE) and any(kind in accepted for kind in OFFICE):
        kind = _office_type(data)
        return kind if kind in accepted else None
    return None


def extension_for(content_type: str | None) -> str:
    """The extension of a known MIME type ("bin" otherwise)."""
    known = {kind.content_type: kind.extension for kind in DOCUMENTS_AND_IMAGES + OFFICE}
    return known.get(content_type or "", "bin")


def labels(accepted: tuple[FileType, ...]) -> str:
    """"PDF, PNG, JPEG" for messages."""
    return ", ".join(kind.label for kind in accepted)


def clean_filename(filename: str | None, most: int = 200) -> str:
    """The last path part of an uploaded file's name, trimmed ("-" when empty)."""
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:most] or "-"
