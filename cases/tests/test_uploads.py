"""Clinical uploads: the type comes from the content, sizes have a limit, files are stored privately."""

import contextlib
import hashlib
import io
import re
import stat
import tracemalloc
import zipfile

import magic
import pytest
from django.core.exceptions import ValidationError

from cases import uploads
from cases.tests import files
from cases.tests.files import upload

MB = 1024 * 1024
HOME_HEALTH_MAX = 5 * MB
DME_MAX = 25 * MB


@pytest.fixture
def upload_root(settings, tmp_path):
    """Clinical uploads go to a temporary directory for the test."""
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"
    return settings.CLINICAL_UPLOAD_ROOT


def refusal(uploaded_file, max_bytes=HOME_HEALTH_MAX) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uploads.check_clinical_file(uploaded_file, max_bytes=max_bytes)
    return caught.value


# --- The test files are what they claim to be ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "libmagic_says"),
    [
        (files.pdf_bytes(), "application/pdf"),
        (files.png_bytes(), "image/png"),
        (files.docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (files.doc_bytes(), "application/msword"),
        (files.xls_bytes(), "application/vnd.ms-excel"),
        (files.cfb_bytes(stream_name="Contents", clsid=b"\0" * 16), "application/x-ole-storage"),
        (files.jpeg_bytes(), "image/jpeg"),
        (files.html_bytes(), "text/html"),
        (files.zip_bytes(), "application/zip"),
        (files.text_bytes(), "text/plain"),
    ],
)
def test_generated_test_files_are_recognised_by_libmagic(content, libmagic_says):
    assert magic.from_buffer(content, mime=True) == libmagic_says


def test_generated_exe_is_a_windows_executable_to_libmagic():
    # Older libmagic says application/x-dosexec, newer application/vnd.microsoft.portable-executable.
    assert magic.from_buffer(files.exe_bytes(), mime=True) in (
        "application/x-dosexec",
        "application/vnd.microsoft.portable-executable",
    )


# --- Accepted types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("discharge summary.pdf", files.pdf_bytes(), ("application/pdf", ".pdf")),
        ("wound photo.png", files.png_bytes(), ("image/png", ".png")),
        ("plan of care.docx", files.docx_bytes(), (uploads.DOCX_MIME, ".docx")),
        ("physician order.doc", files.doc_bytes(), ("application/msword", ".doc")),
        ("SCAN.PDF", files.pdf_bytes(), ("application/pdf", ".pdf")),
    ],
)
def test_each_real_type_is_accepted_with_its_extension(name, content, expected):
    assert uploads.check_clinical_file(upload(name, content), max_bytes=HOME_HEALTH_MAX) == expected


def test_a_pdf_named_png_is_accepted_as_a_pdf():
    assert uploads.check_clinical_file(upload("notes.png", files.pdf_bytes()), max_bytes=HOME_HEALTH_MAX) == (
        "application/pdf",
        ".pdf",
    )


def test_a_word_97_file_named_pdf_is_accepted_as_a_doc():
    assert uploads.detect_clinical_type(upload("order.pdf", files.doc_bytes())) == ("application/msword", ".doc")


def test_an_ole2_container_libmagic_cannot_place_is_accepted_when_named_doc():
    container = files.cfb_bytes(stream_name="Contents", clsid=b"\0" * 16)
    assert uploads.detect_clinical_type(upload("order.doc", container)) == ("application/msword", ".doc")


def test_the_browser_content_type_is_ignored():
    pdf_sent_as_exe = upload("report.pdf", files.pdf_bytes(), content_type="application/x-msdownload")
    assert uploads.detect_clinical_type(pdf_sent_as_exe) == ("application/pdf", ".pdf")


# --- Refused types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", files.exe_bytes(), "invoice.pdf is not a real PDF file: its content is not an allowed type."),
        ("notes.docx", files.html_bytes(), "notes.docx is not a real DOCX file: its content is not an allowed type."),
        (
            "archive.docx",
            files.zip_bytes(),
            "archive.docx is not a real DOCX file: its content is not an allowed type.",
        ),
        ("photo.png", files.jpeg_bytes(), "photo.png is not a real PNG file: its content is not an allowed type."),
        ("macros.docx", files.docm_bytes(), "macros.docx is not a real DOCX file: its content is not an allowed type."),
        ("budget.doc", files.xls_bytes(), "budget.doc is not a real DOC file: its content is not an allowed type."),
        ("notes.txt", files.text_bytes(), "notes.txt is not a .doc, .docx, .pdf or .png file."),
        ("setup.exe", files.exe_bytes(), "setup.exe is not a .doc, .docx, .pdf or .png file."),
        ("page.html", files.html_bytes(), "page.html is not a .doc, .docx, .pdf or .png file."),
        ("photo.jpg", files.jpeg_bytes(), "photo.jpg is not a .doc, .docx, .pdf or .png file."),
        ("letter.docx", b"PK\x03\x04 truncated, not a zip", "letter.docx is not a real DOCX file: its content"),
    ],
)
def test_fake_files_are_refused_with_a_message_naming_them(name, content, message):
    error = refusal(upload(name, content))
    assert error.code == "type"
    assert error.message.startswith(message)


def test_exe_renamed_pdf_is_refused():
    error = refusal(upload("report.pdf", files.exe_bytes(), content_type="application/pdf"))
    assert error.code == "type"
    assert error.message.startswith("report.pdf ")


def test_an_ole2_container_is_not_accepted_on_its_content_alone():
    container = files.cfb_bytes(stream_name="Contents", clsid=b"\0" * 16)
    with pytest.raises(ValidationError) as caught:
        uploads.detect_clinical_type(upload("order.pdf", container))
    assert caught.value.code == "type"


def test_an_empty_file_is_refused_as_empty():
    error = refusal(upload("blank.pdf", b""))
    assert (error.code, error.message) == ("empty", "blank.pdf is empty.")


def test_an_empty_file_has_no_allowed_type():
    with pytest.raises(ValidationError) as caught:
        uploads.detect_clinical_type(upload("blank.pdf", b""))
    assert caught.value.code == "type"


# --- Size ----------------------------------------------------------------------------------------------


def pdf_of_size(size: int) -> bytes:
    """A real PDF padded to ``size`` bytes (readers ignore whitespace after %%EOF)."""
    pdf = files.pdf_bytes()
    return pdf + b"\n" * (size - len(pdf))


def test_a_file_of_exactly_the_limit_is_accepted():
    accepted = upload("big.pdf", pdf_of_size(HOME_HEALTH_MAX))
    assert uploads.check_clinical_file(accepted, max_bytes=HOME_HEALTH_MAX) == ("application/pdf", ".pdf")


@pytest.mark.parametrize(("max_bytes", "limit"), [(HOME_HEALTH_MAX, "5 MB"), (DME_MAX, "25 MB")])
def test_a_file_one_byte_over_the_limit_is_refused(max_bytes, limit):
    error = refusal(upload("big.pdf", pdf_of_size(max_bytes + 1)), max_bytes=max_bytes)
    assert (error.code, error.message) == ("size", f"big.pdf is larger than {limit}.")


def test_size_is_checked_before_type():
    error = refusal(upload("huge.exe", files.exe_bytes() + b"\0" * HOME_HEALTH_MAX))
    assert error.code == "size"


# --- Word documents that unpack too far (zip bombs) ------------------------------------------------------


GIBIBYTE = 1024 * MB


def unpacked_size_refusal(content: bytes) -> ValidationError:
    error = refusal(upload("notes.docx", content), max_bytes=DME_MAX)
    assert error.code == "unpacked_size"
    assert error.message == (
        "notes.docx is too large once opened: a Word document may unpack to at most 100 MB, "
        "and each of its parts to 50 MB."
    )
    return error


def test_a_one_megabyte_docx_that_unpacks_to_a_gibibyte_is_refused():
    bomb = files.bomb_docx_bytes(GIBIBYTE)
    assert len(bomb) < 1.1 * MB
    unpacked_size_refusal(bomb)


def test_a_docx_whose_headers_hide_a_gibibyte_is_refused():
    bomb = files.bomb_docx_bytes(GIBIBYTE, declared_size=4096)
    # zipfile trusts the header: the picture reads as 4096 valid bytes, so reading the sizes is not enough.
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive, archive.open("word/media/image1.png") as picture:
        assert archive.getinfo("word/media/image1.png").file_size == 4096
        assert len(picture.read(64 * 1024)) == 4096
    unpacked_size_refusal(bomb)


def test_a_bomb_is_refused_without_unpacking_it_into_memory():
    bomb = files.bomb_docx_bytes(GIBIBYTE, declared_size=1000, instead_of="[Content_Types].xml")
    tracemalloc.start()
    try:
        unpacked_size_refusal(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB


def test_a_part_one_byte_over_its_cap_is_refused():
    unpacked_size_refusal(files.bomb_docx_bytes(uploads.DOCX_PART_MAX_BYTES + 1))


def test_parts_within_their_cap_but_over_the_total_are_refused():
    unpacked_size_refusal(files.bomb_docx_bytes(40 * MB, parts=3))


def test_parts_whose_headers_understate_their_size_are_refused_as_no_word_document():
    # Each stays within its part's cap, and unpacks past its header: the lie alone refuses the file.
    error = refusal(upload("notes.docx", files.bomb_docx_bytes(40 * MB, parts=3, declared_size=1024)), DME_MAX)
    assert error.code == "type"


def test_a_docx_of_too_many_parts_is_refused():
    unpacked_size_refusal(files.bomb_docx_bytes(0, parts=uploads.DOCX_MAX_PARTS))


def test_a_part_that_unpacks_to_another_size_than_declared_is_not_a_word_document():
    error = refusal(upload("notes.docx", files.bomb_docx_bytes(3000, declared_size=2000)))
    assert error.code == "type"


def test_a_docx_compressed_other_than_word_does_is_not_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(files.docx_bytes())) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_BZIP2)
    assert refusal(upload("notes.docx", buffer.getvalue())).code == "type"


def test_a_large_real_word_document_is_accepted():
    # 45 MB of text and a 24 MB photo, in a file just under the DME limit: a document far beyond clinical notes.
    document = files.large_docx_bytes(text_bytes=45 * MB, picture_bytes=24 * MB)
    assert len(document) < DME_MAX
    uploaded = upload("home-assessment.docx", document)
    assert uploads.check_clinical_file(uploaded, max_bytes=DME_MAX) == (files.DOCX_MIME, ".docx")
    assert uploaded.tell() == 0


# --- Reading -------------------------------------------------------------------------------------------


class CountingBytesIO(io.BytesIO):
    """Remembers the furthest position read, to show detection reads only the start of a file."""

    furthest = 0

    def read(self, size=-1):
        data = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return data


def test_detection_reads_only_the_start_of_a_pdf_and_rewinds():
    uploaded = upload("big.pdf", b"")
    uploaded.file = CountingBytesIO(pdf_of_size(3 * MB))
    uploaded.file.seek(1000)
    assert uploads.detect_clinical_type(uploaded) == ("application/pdf", ".pdf")
    assert uploaded.file.furthest <= uploads.HEAD_BYTES
    assert uploaded.tell() == 0


@pytest.mark.parametrize("builder", [files.docx_bytes, files.doc_bytes, files.zip_bytes, files.exe_bytes])
def test_detection_leaves_the_file_at_its_start(builder):
    uploaded = upload("file.docx", builder())
    with contextlib.suppress(ValidationError):  # refused or not, the file is rewound
        uploads.detect_clinical_type(uploaded)
    assert uploaded.tell() == 0


# --- Names ---------------------------------------------------------------------------------------------


def test_messages_show_only_the_base_name():
    # Old browsers send the whole Windows path; Django keeps it on Linux, where "\\" is no separator.
    error = refusal(upload("C:\\Users\\pat\\Desktop\\notes.txt", files.text_bytes()))
    assert error.message == "notes.txt is not a .doc, .docx, .pdf or .png file."


def test_display_names_drop_control_and_direction_characters():
    assert uploads.display_name("report\u202efdp.exe") == "reportfdp.exe"
    assert uploads.display_name("a\x00b\nc.pdf") == "abc.pdf"


def test_long_names_are_cut_to_100_characters_keeping_the_extension():
    name = uploads.display_name("x" * 300 + ".pdf")
    assert len(name) == 100
    assert name.endswith("….pdf")


def test_a_nameless_file_still_gets_a_name_in_messages():
    assert uploads.display_name("") == "Unnamed file"


@pytest.mark.parametrize(
    "invisible",
    [
        "\u202e",  # RIGHT-TO-LEFT OVERRIDE
        "\u202d",  # LEFT-TO-RIGHT OVERRIDE
        "\u2066",  # LEFT-TO-RIGHT ISOLATE
        "\u2067",  # RIGHT-TO-LEFT ISOLATE
        "\u2068",  # FIRST STRONG ISOLATE
        "\u2069",  # POP DIRECTIONAL ISOLATE
        "\u200f",  # RIGHT-TO-LEFT MARK
        "\u061c",  # ARABIC LETTER MARK
        "\u200b",  # ZERO WIDTH SPACE
        "\u200d",  # ZERO WIDTH JOINER
        "\u2060",  # WORD JOINER
        "\ufeff",  # ZERO WIDTH NO-BREAK SPACE (byte order mark)
        "\U000e0041",  # TAG LATIN CAPITAL LETTER A
        "\u2028",  # LINE SEPARATOR
        "\u2029",  # PARAGRAPH SEPARATOR
        "\ue000",  # a private-use character
        "\u0378",  # unassigned
        "\x85",  # NEXT LINE
    ],
)
def test_display_names_drop_every_invisible_or_direction_character(invisible):
    assert uploads.display_name(f"visit{invisible}notes{invisible}.pdf") == "visitnotes.pdf"


def test_a_right_to_left_override_cannot_disguise_an_extension():
    assert uploads.display_name("report\u2067fdp.exe\u2069") == "reportfdp.exe"
    assert uploads.download_name("report\u202efdp.exe", files.PDF_MIME) == "reportfdp.pdf"


@pytest.mark.parametrize(
    ("original", "content_type", "downloaded"),
    [
        ("notes.html", files.PDF_MIME, "notes.pdf"),
        ("notes.pdf", files.PDF_MIME, "notes.pdf"),
        ("NOTES.PDF", files.PDF_MIME, "NOTES.pdf"),
        ("wound photo", files.PNG_MIME, "wound photo.png"),
        ("Dr. Okafor letter", files.PDF_MIME, "Dr. Okafor letter.pdf"),
        ("plan.v2.doc", files.DOCX_MIME, "plan.v2.docx"),
        ("plan.docx", files.DOC_MIME, "plan.doc"),
        ("C:\\Users\\pat\\scan.exe", files.PNG_MIME, "scan.png"),
        ("", files.PDF_MIME, "Unnamed file.pdf"),
        ("notes.html", "text/html", "notes"),  # never stored: no extension is claimed for it
    ],
)
def test_the_download_name_carries_the_extension_of_the_detected_type(original, content_type, downloaded):
    assert uploads.download_name(original, content_type) == downloaded


def test_a_pdf_uploaded_as_html_downloads_as_a_pdf():
    uploaded = upload("notes.html", files.pdf_bytes(), content_type="text/html")
    mime, _extension = uploads.check_clinical_file(uploaded, max_bytes=HOME_HEALTH_MAX)
    assert uploads.download_name(uploads.display_name(uploaded.name), mime) == "notes.pdf"


def test_a_long_download_name_is_cut_to_100_characters_keeping_the_detected_extension():
    name = uploads.download_name("x" * 300 + ".html", files.PDF_MIME)
    assert len(name) == 100
    assert name.endswith("x….pdf")


# --- Storage -------------------------------------------------------------------------------------------


def test_generated_names_are_dated_random_and_carry_the_canonical_extension():
    first, second = uploads.generated_upload_name(".pdf"), uploads.generated_upload_name(".pdf")
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.pdf", first)
    assert first != second


@pytest.mark.parametrize("extension", [".exe", "/../../x.pdf", "pdf", ""])
def test_only_canonical_extensions_can_be_stored(extension, upload_root):
    with pytest.raises(ValueError, match="Not a clinical upload extension"):
        uploads.store_clinical_file(upload("a.pdf", files.pdf_bytes()), extension=extension)


def test_stored_files_land_under_the_upload_root_with_a_generated_name(upload_root):
    content = files.pdf_bytes()
    stored_name = uploads.store_clinical_file(upload("Jane Doe discharge.pdf", content), extension=".pdf")

    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.pdf", stored_name)
    assert "Jane" not in stored_name and "discharge" not in stored_name
    path = upload_root / stored_name
    assert path.read_bytes() == content
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_a_stored_file_opens_for_streaming(upload_root):
    content = files.png_bytes()
    stored_name = uploads.store_clinical_file(upload("photo.png", content), extension=".png")
    with uploads.open_clinical_file(stored_name) as stored:
        assert stored.read() == content


def test_the_storage_has_no_url(upload_root):
    stored_name = uploads.store_clinical_file(upload("a.pdf", files.pdf_bytes()), extension=".pdf")
    assert uploads.clinical_upload_storage().base_url is None
    with pytest.raises(ValueError):
        uploads.clinical_upload_storage().url(stored_name)


def test_the_storage_follows_the_setting(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "first"
    assert uploads.clinical_upload_storage().location == str(tmp_path / "first")
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "second"
    assert uploads.clinical_upload_storage().location == str(tmp_path / "second")


def test_stored_names_cannot_escape_the_upload_root(upload_root):
    from django.core.exceptions import SuspiciousFileOperation

    with pytest.raises(SuspiciousFileOperation):
        uploads.open_clinical_file("../../etc/passwd")


def test_sha256_covers_the_whole_file_and_rewinds():
    content = pdf_of_size(3 * MB)
    uploaded = upload("a.pdf", content)
    uploaded.seek(10)
    assert uploads.sha256_of(uploaded) == hashlib.sha256(content).hexdigest()
    assert uploaded.tell() == 0


def test_the_public_constants_match_the_spec():
    assert uploads.MAX_FILES_PER_UPLOAD == 5
    assert uploads.ALLOWED_TYPES == {
        "application/pdf": ".pdf",
        "image/png": ".png",
        "application/msword": ".doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    }
