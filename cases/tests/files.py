"""Real files of each clinical upload type, and fakes, built in memory for the upload tests."""

import functools
import io
import random
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

PDF_MIME = "application/pdf"
PNG_MIME = "image/png"
DOC_MIME = "application/msword"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- Allowed types ---------------------------------------------------------------------------------


def pdf_bytes(text: str = "Clinical notes") -> bytes:
    """A minimal valid one-page PDF 1.4 showing ``text``, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def image_bytes(image_format: str = "PNG") -> bytes:
    """A small real image (PNG by default, or JPEG) drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return image_bytes("PNG")


def jpeg_bytes() -> bytes:
    return image_bytes("JPEG")


_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)
_DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
)


def docx_bytes(text: str = "Clinical notes", *, content_types: str = _DOCX_CONTENT_TYPES) -> bytes:
    """A minimal valid Office Open XML word-processing document ([Content_Types].xml written first, as Word does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", _DOCX_DOCUMENT.format(text=text))
    return buffer.getvalue()


def docm_bytes() -> bytes:
    """A macro-enabled Word document: same parts as a .docx but a different main content type."""
    macro_types = _DOCX_CONTENT_TYPES.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    return docx_bytes(content_types=macro_types)


def _deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes, made in milliseconds however large ``size`` is.

    After a full flush the compressor starts afresh, so each mebibyte of zeros compresses to the same block
    (about 1 KiB): the block is written once and repeated, instead of deflating a gibibyte.
    """
    mebibyte = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressor.compress(mebibyte)
    compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, len(mebibyte))
    return block * whole + compressor.compress(bytes(rest)) + compressor.flush()


@functools.cache
def _crc32_of_zeros(size: int) -> int:
    crc, mebibyte = 0, bytes(1024 * 1024)
    whole, rest = divmod(size, len(mebibyte))
    for _ in range(whole):
        crc = zlib.crc32(mebibyte, crc)
    return zlib.crc32(bytes(rest), crc)


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written byte by byte from (name, raw deflate stream, CRC-32, declared size) parts, so that a test
    can declare a size the data does not have (zipfile always writes the truth)."""
    body, directory = bytearray(), bytearray()
    for name, deflated, crc, declared_size in parts:
        encoded, offset = name.encode(), len(body)
        fields = (zipfile.ZIP_DEFLATED, 0, 0x21, crc, len(deflated), declared_size, len(encoded))  # 1980-01-01
        body += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, *fields, 0) + encoded + deflated
        directory += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, *fields, 0, 0, 0, 0, 0, offset)
        directory += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), len(body), 0)
    return bytes(body + directory + end)


def _deflated_part(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def bomb_docx_bytes(
    unpacked_size: int, *, parts: int = 1, declared_size: int | None = None, instead_of: str = ""
) -> bytes:
    """A valid .docx plus ``parts`` pictures of ``unpacked_size`` zero bytes each: a zip bomb when large
    (a gibibyte packs into about a mebibyte).

    With ``declared_size`` the zip's headers claim that size for each picture, with the CRC-32 of its first
    ``declared_size`` bytes: zipfile then reads a small valid picture, while anything that inflates the
    whole stream (Word, unzip, a viewer) gets ``unpacked_size`` bytes. With ``instead_of`` (a part's name,
    such as "[Content_Types].xml") the one bomb part takes that part's place.
    """
    docx_parts = [
        _deflated_part("[Content_Types].xml", _DOCX_CONTENT_TYPES.encode()),
        _deflated_part("_rels/.rels", _DOCX_RELS.encode()),
        _deflated_part("word/document.xml", _DOCX_DOCUMENT.format(text="Clinical notes").encode()),
    ]
    if declared_size is None:
        crc, declared_size = _crc32_of_zeros(unpacked_size), unpacked_size
    else:
        crc = zlib.crc32(bytes(declared_size))
    deflated = _deflated_zeros(unpacked_size)
    if instead_of:
        return _zip(
            [
                (name, deflated, crc, declared_size) if name == instead_of else (name, *rest)
                for name, *rest in docx_parts
            ]
        )
    pictures = [(f"word/media/image{number}.png", deflated, crc, declared_size) for number in range(1, parts + 1)]
    return _zip(docx_parts + pictures)


def large_docx_bytes(*, text_bytes: int, picture_bytes: int) -> bytes:
    """A big but real .docx: a long document.xml (text compresses several times over) and one photo of
    random bytes (a photo is already compressed: stored as it is)."""
    paragraph = "<w:p><w:r><w:t>Patient ambulates 20 feet with a walker; needs help with transfers.</w:t></w:r></w:p>"
    body = paragraph * (text_bytes // len(paragraph))
    document = _DOCX_DOCUMENT.replace("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>", body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/media/image1.jpeg", random.randbytes(picture_bytes), zipfile.ZIP_STORED)
    return buffer.getvalue()


# Compound File Binary (MS-CFB) version 3: 512-byte sectors, sector numbers are little-endian uint32.
_CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_SECTOR = 512
_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_WORD_97_CLSID = bytes.fromhex("0609020000000000C000000000000046")  # {00020906-0000-0000-C000-000000000046}
_EXCEL_97_CLSID = bytes.fromhex("1008020000000000C000000000000046")  # {00020810-0000-0000-C000-000000000046}


def _cfb_header(fat_sectors: int, first_directory_sector: int) -> bytes:
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _CFB_SIGNATURE,
        b"\0" * 16,  # header CLSID
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order mark (little-endian)
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"\0" * 6,
        0,  # directory sectors (always 0 in version 3)
        fat_sectors,
        first_directory_sector,
        0,  # transaction signature
        4096,  # mini stream cutoff: streams of 4096 bytes or more live in regular sectors
        _ENDOFCHAIN,  # first mini FAT sector: none
        0,
        _ENDOFCHAIN,  # first DIFAT sector: none
        0,
    )
    difat = struct.pack("<I", 0) + struct.pack("<I", _FREESECT) * 108  # the FAT is sector 0
    return header + difat


def _cfb_entry(name: str, kind: int, *, child=_NOSTREAM, start=_ENDOFCHAIN, size=0, clsid=b"\0" * 16) -> bytes:
    """One 128-byte directory entry; kind 5 is the root storage, 2 a stream, 0 an unused slot."""
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded),
        kind,
        1,  # black: a one-entry red-black tree is trivially valid
        _NOSTREAM,  # left sibling
        _NOSTREAM,  # right sibling
        child,
        clsid,
        0,  # state bits
        0,  # creation time
        0,  # modified time
        start,
        size,
    )


def _word_document_stream(size: int = 4096) -> bytes:
    """The start of a Word 97 File Information Block: wIdent 0xA5EC, nFib 0x00C1 (Word 97 and later)."""
    fib = struct.pack("<HHHHH", 0xA5EC, 0x00C1, 0, 0x0409, 0)
    return fib + b"\0" * (size - len(fib))


def cfb_bytes(stream_name: str = "WordDocument", clsid: bytes = _WORD_97_CLSID) -> bytes:
    """A valid compound file holding one 4096-byte stream: FAT in sector 0, directory in 1, stream in 2-9."""
    stream = _word_document_stream()
    stream_sectors = len(stream) // _SECTOR
    fat = [_FATSECT, _ENDOFCHAIN]  # sector 0 is the FAT, sector 1 the one directory sector
    fat += [2 + index + 1 for index in range(stream_sectors - 1)] + [_ENDOFCHAIN]
    fat += [_FREESECT] * (_SECTOR // 4 - len(fat))
    directory = (
        _cfb_entry("Root Entry", 5, child=1, clsid=clsid)
        + _cfb_entry(stream_name, 2, start=2, size=len(stream))
        + _cfb_entry("", 0) * 2
    )
    return _cfb_header(fat_sectors=1, first_directory_sector=1) + struct.pack("<128I", *fat) + directory + stream


def doc_bytes() -> bytes:
    """A Word 97-2003 .doc: a compound file with a WordDocument stream under Word's root CLSID."""
    return cfb_bytes()


def xls_bytes() -> bytes:
    """An Excel 97-2003 workbook container: a compound file with a Workbook stream."""
    return cfb_bytes(stream_name="Workbook", clsid=_EXCEL_97_CLSID)


# --- Fakes -----------------------------------------------------------------------------------------


def exe_bytes() -> bytes:
    """The start of a Windows PE executable: an MZ stub pointing at a PE header."""
    dos_header = b"MZ" + b"\x90\x00" + b"\0" * 56 + struct.pack("<I", 0x80)
    dos_stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    pe_header = b"PE\0\0" + struct.pack("<HHIIIHH", 0x014C, 0, 0, 0, 0, 0xE0, 0x0102)
    body = dos_header + dos_stub
    return body + b"\0" * (0x80 - len(body)) + pe_header + b"\0" * 512


def html_bytes() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><title>Notes</title></head><body><script>alert(1)</script></body></html>\n"


def zip_bytes() -> bytes:
    """A plain zip archive: a zip container, but not an Office document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("readme.txt", "Not a Word document.\n")
        archive.writestr("word/notes.txt", "Still not a Word document.\n")
    return buffer.getvalue()


def text_bytes() -> bytes:
    return b"Patient seen on 2026-11-02. Needs a hospital bed.\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """An uploaded file as Django's request parser makes it; the browser's content type is never trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)
