"""PDFs with WeasyPrint: real PDFs, the print stylesheet, and no loading from anywhere but static/."""

import base64
import contextlib
import re
import socket
import threading
import zlib
from pathlib import Path

import pytest
import weasyprint
from django.conf import settings

from cases.tests import files
from correspondence import pdf
from correspondence.tests.conftest import laid_out_boxes

STYLESHEET = '<link rel="stylesheet" href="static/css/print-pdf.css">'


# --- Reading the PDFs WeasyPrint writes (compressed object streams, fonts subset to glyph ids) ----------


def inflated(document: bytes) -> bytes:
    """The PDF with every Flate stream decompressed after it, so dictionaries and text can be searched."""
    parts = [document]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", document, re.S):
        with contextlib.suppress(zlib.error):  # not Flate (or not a stream at all): nothing to search in
            parts.append(zlib.decompress(match.group(1)))
    return b"\n".join(parts)


def pdf_text(document: bytes) -> str:
    """The text drawn on the pages, one line per TJ operator, decoded through the fonts' ToUnicode maps."""
    content = inflated(document)
    characters = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", content, re.S):
        for glyph, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            characters[glyph.lower()] = bytes.fromhex(code.decode()).decode("utf-16-be")
    lines = []
    for array in re.findall(rb"\[([^\]]*)\]\s*TJ", content):
        glyphs = b"".join(re.findall(rb"<([0-9a-fA-F]+)>", array)).lower()
        lines.append("".join(characters.get(glyphs[i : i + 4], "?") for i in range(0, len(glyphs), 4)))
    return "\n".join(lines)


def page_count(document: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", inflated(document)))


def media_boxes(document: bytes) -> list[list[float]]:
    return [
        [float(number) for number in box.split()]
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", inflated(document))
    ]


def image_count(document: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image\b", inflated(document)))


@pytest.fixture
def connection_attempts(monkeypatch):
    """Network connections tried during the test (none is made; WeasyPrint would swallow an exception)."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


# --- Rendering -----------------------------------------------------------------------------------------


def test_html_becomes_a_pdf():
    assert pdf.html_to_pdf("<p>Hospital bed</p>").startswith(b"%PDF-")


def test_the_text_of_the_html_is_in_the_pdf():
    document = pdf.html_to_pdf("<h1>Request summary</h1><p>Hospital bed for Jane Doe</p>")
    text = pdf_text(document)
    assert "Request summary" in text
    assert "Hospital bed for Jane Doe" in text


def test_page_breaks_make_pages():
    document = pdf.html_to_pdf('<p>One</p><p style="break-before: page">Two</p><p style="break-before: page">3</p>')
    assert page_count(document) == 3


def test_a_django_template_renders_to_pdf(settings, tmp_path):
    (tmp_path / "summary.html").write_text(f"{STYLESHEET}<h1>Case {{{{ number }}}}</h1>")
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path], "OPTIONS": {}}
    ]
    document = pdf.render_to_pdf("summary.html", {"number": "A123456789"})
    assert "Case A123456789" in pdf_text(document)
    assert media_boxes(document) == [[0, 0, 612, 792]]


# --- The print stylesheet ------------------------------------------------------------------------------


def test_the_print_stylesheet_makes_letter_pages():
    # WeasyPrint's own default is A4 (595 x 842): Letter shows the stylesheet was fetched and applied.
    document = pdf.html_to_pdf(f"{STYLESHEET}<p>One</p><p style='break-before: page'>Two</p>")
    assert media_boxes(document) == [[0, 0, 612, 792], [0, 0, 612, 792]]


def test_without_the_stylesheet_pages_are_a4():
    assert media_boxes(pdf.html_to_pdf("<p>One</p>")) == [[0, 0, 595.275591, 841.889764]]


def test_the_print_stylesheet_adds_the_header_and_page_numbers():
    document = pdf.html_to_pdf(f"{STYLESHEET}<h1>Request summary</h1><p>1</p><p style='break-before: page'>2</p>")
    text = pdf_text(document)
    assert text.count("EviCore by Evernorth") == 2
    assert "Page 1 of 2" in text
    assert "Page 2 of 2" in text


def test_a_stylesheet_passed_by_name_applies_like_a_linked_one():
    document = pdf.html_to_pdf(
        "<h1>Letter</h1><p>1</p><p style='break-before: page'>2</p>", stylesheets=["css/print-pdf.css"]
    )
    assert media_boxes(document) == [[0, 0, 612, 792], [0, 0, 612, 792]]
    assert "Page 2 of 2" in pdf_text(document)


def test_a_stylesheet_passed_by_name_is_parsed_once_per_thread():
    first = pdf.stylesheet("css/print-pdf.css")
    assert pdf.stylesheet("css/print-pdf.css") is first
    other = {}
    thread = threading.Thread(
        target=lambda: other.update(css=pdf.stylesheet("css/print-pdf.css"), fonts=pdf.font_config())
    )
    thread.start()
    thread.join()
    assert other["css"] is not first
    assert other["fonts"] is not pdf.font_config()


def test_a_stylesheet_passed_by_name_comes_from_the_static_directory_only():
    with pytest.raises(weasyprint.urls.URLFetchingError, match="Not a file in"):
        pdf.stylesheet("../manage.py")


def test_weasyprint_still_takes_its_user_agent_stylesheets_from_the_hook_we_override():
    """``pdf._OwnUserAgentHTML`` overrides ``HTML._ua_stylesheets``; a WeasyPrint without it would silently use
    its own stylesheet again (same pages, the letters' render 10 % slower)."""
    assert "_ua_stylesheets" in vars(weasyprint.HTML)


def test_an_own_user_agent_stylesheet_replaces_weasyprints():
    """An element the letters' stylesheet does not list (h5) is inline there; WeasyPrint's makes it a block."""
    html = "<div><span>first</span><h5>second</h5></div>"

    def lines(document):
        return [box for box in laid_out_boxes(document)[0] if box[1] == "LineBox"]

    assert len(lines(pdf.html_layout(html))) == 2
    assert len(lines(pdf.html_layout(html, user_agent_stylesheet="css/letter-ua-pdf.css"))) == 1


def test_the_user_agent_stylesheet_comes_from_the_static_directory_only():
    with pytest.raises(weasyprint.urls.URLFetchingError, match="Not a file in"):
        pdf.html_to_pdf("<p>1</p>", user_agent_stylesheet="../manage.py")


def test_the_print_stylesheet_is_in_the_static_directory():
    assert (Path(settings.BASE_DIR) / "static" / "css" / "print-pdf.css").is_file()


# --- What the fetcher loads ----------------------------------------------------------------------------


def test_weasyprints_own_fetcher_would_have_connected(connection_attempts):
    # Shows the guard works: without our fetcher the same image is requested from the network.
    weasyprint.HTML(string='<img src="http://example.com/x.png" alt="x">').write_pdf()
    assert connection_attempts


def test_a_remote_image_is_not_fetched_and_the_pdf_still_renders(connection_attempts, caplog):
    document = pdf.html_to_pdf('<p>Before</p><img src="http://example.com/x.png" alt="x"><p>After</p>')
    assert connection_attempts == []
    assert document.startswith(b"%PDF-")
    assert "Before" in pdf_text(document)
    assert "After" in pdf_text(document)
    assert image_count(document) == 0
    assert "http://example.com/x.png" in caplog.text


def test_remote_stylesheets_fonts_and_backgrounds_are_not_fetched(connection_attempts):
    html = (
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        "<style>@font-face { font-family: Remote; src: url(https://example.com/font.woff2); }"
        "p { font-family: Remote; background: url(http://169.254.169.254/latest/meta-data/); }</style>"
        "<p>Still here</p>"
    )
    assert "Still here" in pdf_text(pdf.html_to_pdf(html))
    assert connection_attempts == []


def test_a_data_url_image_is_embedded():
    png = base64.b64encode(files.png_bytes()).decode()
    document = pdf.html_to_pdf(f'<img src="data:image/png;base64,{png}" alt="">')
    assert image_count(document) == 1


def test_a_file_outside_the_static_directory_is_not_loaded(tmp_path):
    image = tmp_path / "private.png"
    image.write_bytes(files.png_bytes())
    document = pdf.html_to_pdf(f'<img src="{image.as_uri()}" alt="">')
    assert image_count(document) == 0


def test_a_stylesheet_outside_the_static_directory_is_not_loaded(tmp_path):
    stylesheet = tmp_path / "letter.css"
    stylesheet.write_text("@page { size: letter }")
    document = pdf.html_to_pdf(f'<link rel="stylesheet" href="{stylesheet.as_uri()}"><p>x</p>', base_url=None)
    assert media_boxes(document) == [[0, 0, 595.275591, 841.889764]]


def test_a_relative_path_climbing_out_of_the_static_directory_is_not_loaded(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "letter.css").write_text("@page { size: letter }")
    base_url = (tmp_path / "static").as_uri() + "/"
    document = pdf.html_to_pdf('<link rel="stylesheet" href="../letter.css"><p>x</p>', base_url=base_url)
    assert media_boxes(document) == [[0, 0, 595.275591, 841.889764]]


def test_the_fetcher_serves_a_static_stylesheet_as_css():
    fetcher = pdf.StaticFilesFetcher(pdf.static_dir())
    response = fetcher.fetch(pdf.default_base_url() + "static/css/print-pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x.css",
        "file:///etc/passwd",
        "file://remote-host/share/x.css",
        "{base}static/../manage.py",
        "{base}static/%2e%2e/manage.py",
        "{base}static/css",
        "{base}static/css/missing.css",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    fetcher = pdf.StaticFilesFetcher(pdf.static_dir())
    with pytest.raises(ValueError):
        fetcher.fetch(url.format(base=pdf.default_base_url()))


def test_the_fetcher_does_not_follow_a_symlink_out_of_the_static_directory(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("@page { size: letter }")
    root = tmp_path / "static"
    root.mkdir()
    (root / "linked.css").symlink_to(secret)
    with pytest.raises(ValueError):
        pdf.StaticFilesFetcher(root).fetch((root / "linked.css").as_uri())


def test_the_fetcher_decodes_data_urls():
    response = pdf.StaticFilesFetcher(pdf.static_dir()).fetch("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"
