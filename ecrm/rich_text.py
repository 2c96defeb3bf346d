"""The Description's rich text (seed 000: Paragraph, B, I, lists, link, code), sanitized on the server.

The page may send any HTML (the editor is a progressively enhanced textarea, and nothing stops a hand-made
POST), so what is stored is what ``nh3`` (the maintained Rust "ammonia" sanitizer) keeps: a short list of
tags, ``href`` on links with http, https or mailto only, and no other attribute at all (no ``style``, no
``on*`` handler, no ``class``). Script and style elements go with their content.
"""

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = frozenset({"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "code", "pre", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
REMOVED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})


def description_sanitized(text: str) -> str:
    """Safe HTML for ``text``: typed HTML is cleaned; plain text (no tag at all) keeps its paragraphs."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return ""
    if "<" not in text:
        return linebreaks(escape(text))
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def description_is_empty(html: str) -> bool:
    """True when the sanitized HTML shows no text (only tags or spaces were typed)."""
    return not nh3.clean(html or "", tags=set()).strip()
