"""PDFs of case pages, rendered from Django templates with WeasyPrint.

WeasyPrint loads stylesheets, images and fonts through a URL fetcher; ours only reads files inside the
project's ``static/`` directory and ``data:`` URLs. Everything else (http, https, ftp, file:// outside
``static/``) is refused: rendering a PDF never touches the network or the rest of the disk, whatever a
template or the user data in it asks for. A refused resource is left out and logged by WeasyPrint.

The document's base URL is the project directory (``BASE_DIR``) as a file URL, so a template links the
print stylesheet by a relative path, without ``{% static %}`` (whose "/static/..." URL is the web
server's, not a file)::

    <link rel="stylesheet" href="static/css/print-pdf.css">

and images the same way, e.g. ``<img src="static/img/favicon.svg" alt="">``. The stylesheet sets US
Letter pages, the "EviCore by Evernorth" running header and "Page n of m" footers; the first ``<h1>``
is repeated in the header and an element with ``class="case-reference"`` in the footer.

A document rendered many times in one process (the letters, rendered by the worker) passes its stylesheets
by name instead (``html_to_pdf(html, stylesheets=["css/print-pdf.css"])``): each is read and parsed once per
thread and reused, instead of fetched and parsed again for each PDF. Every PDF of a thread also shares one
``FontConfiguration``: a fresh one (WeasyPrint's default) loads the system's font configuration and starts
Pango's font and shaping caches cold, the costliest part of rendering a one-page PDF. Per thread, because
Pango's font map is not safe to share between threads. Our templates declare no ``@font-face`` (the shared
configuration would keep a declared face for later PDFs; the fetcher refuses remote fonts anyway).

Such a document may also replace WeasyPrint's user-agent stylesheet (html5_ua.css, matched against every element
and page of every PDF) with a short one of its own, for the few elements its templates use:
``html_to_pdf(html, user_agent_stylesheet="css/letter-ua-pdf.css")``; the letters do (about 10 % faster).
"""

import mimetypes
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url


def static_dir() -> Path:
    """The only directory PDFs may load files from."""
    return Path(settings.BASE_DIR) / "static"


def default_base_url() -> str:
    """``file:///.../`` for the project directory, against which ``static/...`` hrefs resolve."""
    return path2url(f"{Path(settings.BASE_DIR).resolve()}/")  # the trailing slash keeps it a directory


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint 70 URL fetcher that serves files under one directory and ``data:`` URLs, nothing else."""

    def __init__(self, root: Path):
        # Defence in depth: the parent refuses other schemes too, should its fetch() ever be reached.
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        scheme = url.partition(":")[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        if scheme == "file":
            return self._static_file(url)
        raise ValueError(f"PDF rendering loads only static files and data: URLs, not {url}")

    def _static_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"Not a local file: {url}")
        # resolve() follows "..", symlinks and %2e%2e before the containment check.
        path = Path(url2pathname(parts.path)).resolve()
        if not (path.is_relative_to(self.root) and path.is_file()):
            raise ValueError(f"Not a file in {self.root}: {url}")
        # WeasyPrint ignores a <link> stylesheet unless its type is text/css.
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


_per_thread = threading.local()


def font_config() -> FontConfiguration:
    """This thread's FontConfiguration, made on first use."""
    if getattr(_per_thread, "font_config", None) is None:
        _per_thread.font_config = FontConfiguration()
        _per_thread.stylesheets = {}
    return _per_thread.font_config


def stylesheet(name: str) -> CSS:
    """The static stylesheet ``name`` (a path under ``static/``, e.g. ``css/print-pdf.css``), parsed once per
    thread, through the same locked-down fetcher as the documents' own resources."""
    config = font_config()
    parsed = _per_thread.stylesheets.get(name)
    if parsed is None:
        parsed = CSS(
            url=f"{default_base_url()}static/{name}",
            url_fetcher=StaticFilesFetcher(static_dir()),
            font_config=config,
        )
        _per_thread.stylesheets[name] = parsed
    return parsed


class _OwnUserAgentHTML(HTML):
    """An HTML document whose user-agent stylesheet is ours, not WeasyPrint's html5_ua.css (and its form sheet).
    ``_ua_stylesheets`` is WeasyPrint's hook for this (``HTML``'s own method; test_pdf.py checks it is there)."""

    def __init__(self, *args, user_agent_stylesheet: CSS, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_agent_stylesheet = user_agent_stylesheet

    def _ua_stylesheets(self, forms=False):
        return [self.user_agent_stylesheet]


def html_layout(
    html: str,
    *,
    base_url: str | None = None,
    stylesheets: Iterable[str] = (),
    user_agent_stylesheet: str | None = None,
) -> Document:
    """An HTML string laid out in pages, ready to write; relative URLs resolve against ``base_url`` (default:
    BASE_DIR). ``stylesheets`` (static paths, parsed once per thread) cascade in order as user stylesheets: over
    WeasyPrint's defaults, under any style the document carries itself. ``user_agent_stylesheet`` (a static
    path, parsed once per thread) replaces WeasyPrint's defaults: an element it does not style is inline."""
    source = {
        "string": html,
        "base_url": base_url or default_base_url(),
        "url_fetcher": StaticFilesFetcher(static_dir()),
    }
    if user_agent_stylesheet:
        document = _OwnUserAgentHTML(**source, user_agent_stylesheet=stylesheet(user_agent_stylesheet))
    else:
        document = HTML(**source)
    return document.render(font_config=font_config(), stylesheets=[stylesheet(name) for name in stylesheets])


def html_to_pdf(html: str, **layout) -> bytes:
    """Render an HTML string to PDF bytes; ``layout`` is ``html_layout``'s options."""
    return html_layout(html, **layout).write_pdf()


def render_to_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a Django template, then the resulting HTML to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))
