"""Clinical uploads (CASE-13): check each file's real type and size, store it outside the web root.

Up to five files per upload step, .doc, .docx, .pdf or .png, at most 5 MB each for Home Health and 25 MB
for DME. The type comes from the file's content (libmagic, then a look inside zip and OLE2 containers);
the name the browser sent is only ever used to tell a Word 97 file from another OLE2 container, and for
messages. Stored files get generated names under ``settings.CLINICAL_UPLOAD_ROOT``; they have no URL and
are streamed by a view after it has checked that the user may see the case.
"""

import contextlib
import copy
import functools
import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from pathlib import Path

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

PDF_MIME = "application/pdf"
PNG_MIME = "image/png"
DOC_MIME = "application/msword"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Detected MIME type -> the extension the file is stored under.
ALLOWED_TYPES: dict[str, str] = {
    PDF_MIME: ".pdf",
    PNG_MIME: ".png",
    DOC_MIME: ".doc",
    DOCX_MIME: ".docx",
}
MAX_FILES_PER_UPLOAD = 5
DISPLAY_NAME_MAX_LENGTH = 100

# libmagic needs little of the file to know a PDF or PNG (python-magic recommends 2048 bytes).
HEAD_BYTES = 2048
# An OLE2 directory can sit anywhere in the file; libmagic itself reads at most 7 MiB by default.
OLE_SCAN_BYTES = 8 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
# What libmagic says of an OLE2 container it cannot place (depends on the version and the structure).
GENERIC_OLE_MIMES = frozenset({"application/cdf", "application/x-ole-storage", "application/octet-stream"})
DOCX_PARTS = frozenset({"[content_types].xml", "word/document.xml"})
# The main part's type tells a .docx from a macro-enabled .docm or a .dotx template with the same parts.
DOCX_MAIN_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
_UNREADABLE_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError)

MEGABYTE = 1024 * 1024

# A .docx is a zip whose parts Word, a viewer or a reviewer's tool inflates in full: a 1 MB upload can unpack
# to 1 GB (deflate reaches about 1000:1 on repeated bytes). The caps leave every real document room. Pictures
# are already compressed and unpack at about 1:1, so one can never exceed the largest upload (25 MB, DME)
# and fits one part's cap twice over; Word's XML packs about 5-10:1, so 100 MB in all holds 10 MB or more of
# text-only document, thousands of pages. A bomb passes neither.
DOCX_PART_MAX_BYTES = 50 * MEGABYTE
DOCX_TOTAL_MAX_BYTES = 100 * MEGABYTE
# Word writes a few dozen parts (a few hundred with many pictures); more is a zip made to waste our time.
DOCX_MAX_PARTS = 10_000
# Open Packaging Conventions (ECMA-376 Part 2) allow only these two; bzip2 or LZMA would be no Word file.
_OPC_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
INFLATE_CHUNK_BYTES = 1024 * 1024


# --- Names --------------------------------------------------------------------------------------------


# Dropped from names: control (Cc), format (Cf: the bidirectional overrides and isolates U+202A-202E and
# U+2066-2069, zero-width spaces and joiners, the byte order mark), surrogate (Cs), private-use (Co) and
# unassigned (Cn) characters, and the line and paragraph separators (Zl, Zp). A right-to-left override would
# show "report\u202efdp.exe" as "reportexe.pdf"; without it the name reads as what it is, "reportfdp.exe".
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# What counts as a file name's extension: a dot and up to ten letters or digits ("notes.html", not "Dr. Smith").
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")


@contextlib.contextmanager
def clinical_file_stored(uploaded_file, *, max_bytes: int):
    """Check ``uploaded_file`` (``check_clinical_file``) and store it outside the web root; yields the fields of
    its ``ClinicalDocument`` row. If the block raises (the row, or what is written with it, fails), the stored
    file is removed again: no orphan file without its row."""
    mime, extension = check_clinical_file(uploaded_file, max_bytes=max_bytes)
    digest = sha256_of(uploaded_file)
    stored_name = store_clinical_file(uploaded_file, extension=extension)
    try:
        yield {
            "original_name": display_name(uploaded_file.name),
            "stored_name": stored_name,
            "content_type": mime,
            "size": uploaded_file.size,
            "sha256": digest,
        }
    except BaseException:
        clinical_upload_storage().delete(stored_name)
        raise


def display_name(name: str | None) -> str:
    """The uploaded file's name fit for messages and lists: basename only, no control, format or direction
    characters, 100 at most."""
    return _shortened(_cleaned(name))


def download_name(original_name: str | None, content_type: str) -> str:
    """The name a document downloads under: its name with the extension of the type found in its content,
    so a PDF uploaded as "notes.html" saves as "notes.pdf" and opens in a PDF reader, not a browser."""
    name = _cleaned(original_name)
    stem, suffix = os.path.splitext(name)
    if not _EXTENSION.fullmatch(suffix):
        stem = name  # "Dr. Smith notes": no extension to replace
    return _shortened(stem + ALLOWED_TYPES.get(content_type, ""))  # a type never stored claims no extension


def _cleaned(name: str | None) -> str:
    basename = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in basename if unicodedata.category(char) not in _INVISIBLE_CATEGORIES).strip()
    return cleaned or "Unnamed file"


def _shortened(name: str) -> str:
    if len(name) <= DISPLAY_NAME_MAX_LENGTH:
        return name
    stem, suffix = os.path.splitext(name)
    if len(suffix) > 10:  # keep a real extension visible; a long "suffix" is just part of the name
        stem, suffix = name, ""
    return stem[: DISPLAY_NAME_MAX_LENGTH - len(suffix) - 1] + "…" + suffix


def _claimed_extension(name: str | None) -> str:
    return os.path.splitext(display_name(name))[1].lower()


def generated_upload_name(extension: str) -> str:
    """A fresh storage name such as ``2026/11/<uuid4 hex>.pdf``, never derived from the user's file name."""
    _check_extension(extension)
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def _check_extension(extension: str) -> None:
    # The extension becomes part of a path: only the canonical ones, never something from the request.
    if extension not in ALLOWED_TYPES.values():
        raise ValueError(f"Not a clinical upload extension: {extension!r}")


# --- Type detection -----------------------------------------------------------------------------------


def _read_from_start(uploaded_file, size: int) -> bytes:
    """Up to ``size`` bytes from the start of the file, which is left at position 0 for the next reader."""
    uploaded_file.seek(0)
    try:
        return uploaded_file.read(size)
    finally:
        uploaded_file.seek(0)


def _magic_mime(data: bytes) -> str:
    if not data:
        return "application/x-empty"
    try:
        return magic.from_buffer(data, mime=True)
    except magic.MagicException:
        return "application/octet-stream"  # unreadable to libmagic is simply not an allowed type


def _is_docx(uploaded_file) -> bool:
    """True for a zip holding ``[Content_Types].xml`` and ``word/document.xml`` typed as a Word document.

    ValidationError (code "unpacked_size") for one that would unpack past the caps (a zip bomb).
    """
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = {info.filename.lower(): info for info in archive.infolist()}
            if not DOCX_PARTS.issubset(members):
                return False
            content_types = members["[content_types].xml"]
            if content_types.file_size > CONTENT_TYPES_MAX_BYTES:  # a zip bomb is not a Word document
                return False
            # Before any part is read whole: zipfile's read() inflates a lying part's entire stream into memory.
            if not _unpacks_within_caps(archive):
                raise _unpacked_size_error(uploaded_file)
            return DOCX_MAIN_CONTENT_TYPE in archive.read(content_types)
    except _UNREADABLE_ZIP:
        return False
    finally:
        uploaded_file.seek(0)


def _unpacks_within_caps(archive: zipfile.ZipFile) -> bool:
    """Whether every part unpacks to at most DOCX_PART_MAX_BYTES and all of them to DOCX_TOTAL_MAX_BYTES.

    The sizes the zip declares refuse an honest bomb without inflating anything. They may lie, and zipfile
    stops at the declared size (a lying header then reads as a small, valid part), so each part is also
    inflated for real, a chunk at a time, with a byte budget. BadZipFile when a part's real size differs
    from its declared one: after this, the declared sizes can be trusted.
    """
    parts = archive.infolist()
    if len(parts) > DOCX_MAX_PARTS:
        return False
    if any(part.file_size > DOCX_PART_MAX_BYTES for part in parts):
        return False
    if sum(part.file_size for part in parts) > DOCX_TOTAL_MAX_BYTES:
        return False
    remaining = DOCX_TOTAL_MAX_BYTES
    for part in parts:
        if part.compress_type not in _OPC_COMPRESSION:
            raise zipfile.BadZipFile(f"{part.filename}: compression {part.compress_type} is not allowed in a .docx")
        budget = min(DOCX_PART_MAX_BYTES, remaining)
        unpacked = _inflated_size(archive, part, budget=budget)
        if unpacked > budget:
            return False
        if unpacked != part.file_size:
            raise zipfile.BadZipFile(f"{part.filename}: unpacks to {unpacked} bytes, not the {part.file_size} declared")
        remaining -= unpacked
    return True


def _inflated_size(archive: zipfile.ZipFile, part: zipfile.ZipInfo, *, budget: int) -> int:
    """The part's real unpacked size, counted chunk by chunk; stops once past ``budget``."""
    # zipfile stops at the ZipInfo's file_size and then checks the CRC: a copy claiming more than the count
    # can reach (the budget and one more chunk) lets it see a stream longer than its header says.
    unchecked = copy.copy(part)
    unchecked.file_size = budget + 2 * INFLATE_CHUNK_BYTES
    inflated = 0
    with archive.open(unchecked) as stream:
        while chunk := stream.read(INFLATE_CHUNK_BYTES):
            inflated += len(chunk)
            if inflated > budget:
                break
    return inflated


def _is_word_97(uploaded_file) -> bool:
    """True for an OLE2 container that libmagic calls Word, or cannot place and that is named ``.doc``."""
    # libmagic finds the Word stream or CLSID in the OLE2 directory, which may lie past the first bytes.
    mime = _magic_mime(_read_from_start(uploaded_file, OLE_SCAN_BYTES)).lower()
    if mime == DOC_MIME:
        return True
    # The name only settles a container libmagic cannot place; an Excel workbook named .doc is refused.
    return mime in GENERIC_OLE_MIMES and _claimed_extension(uploaded_file.name) == ".doc"


def _type_error(uploaded_file) -> ValidationError:
    name = display_name(uploaded_file.name)
    claimed = _claimed_extension(uploaded_file.name)
    if claimed in ALLOWED_TYPES.values():
        message = f"{name} is not a real {claimed[1:].upper()} file: its content is not an allowed type."
    else:
        message = f"{name} is not a .doc, .docx, .pdf or .png file."
    return ValidationError(message, code="type")


def _unpacked_size_error(uploaded_file) -> ValidationError:
    return ValidationError(
        f"{display_name(uploaded_file.name)} is too large once opened: a Word document may unpack to at most "
        f"{_megabytes(DOCX_TOTAL_MAX_BYTES)}, and each of its parts to {_megabytes(DOCX_PART_MAX_BYTES)}.",
        code="unpacked_size",
    )


def detect_clinical_type(uploaded_file) -> tuple[str, str]:
    """The file's (MIME type, extension) from its content; ValidationError (code "type") if not allowed, or
    (code "unpacked_size") for a .docx that would unpack past the caps."""
    head = _read_from_start(uploaded_file, HEAD_BYTES)
    if head.startswith(ZIP_SIGNATURE):
        if _is_docx(uploaded_file):
            return DOCX_MIME, ALLOWED_TYPES[DOCX_MIME]
    elif head.startswith(OLE2_SIGNATURE):
        if _is_word_97(uploaded_file):
            return DOC_MIME, ALLOWED_TYPES[DOC_MIME]
    else:
        # Word formats are only ever accepted through the container checks above.
        mime = _magic_mime(head)
        if mime in (PDF_MIME, PNG_MIME):
            return mime, ALLOWED_TYPES[mime]
    raise _type_error(uploaded_file)


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


def check_clinical_file(uploaded_file, *, max_bytes: int) -> tuple[str, str]:
    """Refuse an empty, too large or disallowed file with a message naming it; return (MIME type, extension)."""
    name = display_name(uploaded_file.name)
    if not uploaded_file.size:
        raise ValidationError(f"{name} is empty.", code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(f"{name} is larger than {_megabytes(max_bytes)}.", code="size")
    return detect_clinical_type(uploaded_file)


# --- Storage ------------------------------------------------------------------------------------------


def _upload_root() -> Path:
    return Path(getattr(settings, "CLINICAL_UPLOAD_ROOT", settings.BASE_DIR / "var" / "clinical-uploads"))


@deconstructible(path="cases.uploads.ClinicalUploadStorage")
class ClinicalUploadStorage(FileSystemStorage):
    """Files under CLINICAL_UPLOAD_ROOT, readable by the portal's user only, and without any URL."""

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @cached_property
    def base_location(self):
        return _upload_root()

    @property
    def base_url(self):
        # None makes url() raise: a view streams the file once it has checked who may see the case.
        return None

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("CLINICAL_UPLOAD_ROOT", "BASE_DIR"):  # tests point uploads at a temporary directory
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


@functools.cache
def clinical_upload_storage() -> ClinicalUploadStorage:
    """The one storage for clinical uploads, made on first use (after settings are loaded)."""
    return ClinicalUploadStorage()


def sha256_of(uploaded_file) -> str:
    """Hex SHA-256 of the whole file, which is left at position 0."""
    digest = hashlib.sha256()
    try:
        for chunk in uploaded_file.chunks():  # chunks() starts from the beginning
            digest.update(chunk)
    finally:
        uploaded_file.seek(0)
    return digest.hexdigest()


def store_clinical_file(uploaded_file, *, extension: str) -> str:
    """Save an already checked file under a generated name; return the stored name (relative to the root)."""
    _check_extension(extension)
    uploaded_file.seek(0)
    return clinical_upload_storage().save(generated_upload_name(extension), uploaded_file)


def open_clinical_file(stored_name: str):
    """The stored file opened for reading, for a view to stream with FileResponse after its access check."""
    return clinical_upload_storage().open(stored_name, "rb")
