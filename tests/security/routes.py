"""Every URL pattern of the portal, read from the resolver, and one isolated request to any of them.

Shared by the crawler and the access matrix, so both see the same list of URLs as the portal grows: the
admin's per-model URLs included (``admin.site.urls`` is an include like any other).
"""

import copy
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import quote, urlsplit

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from django.utils.regex_helper import normalize

from portal.middleware import is_no_store

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Django's own converters by class; a custom converter shows up under its class name, which no filler knows.
_CONVERTERS = {
    "IntConverter": "int",
    "StringConverter": "str",
    "SlugConverter": "slug",
    "PathConverter": "path",
    "UUIDConverter": "uuid",
}


def _converter_kind(converter) -> str:
    name = type(converter).__name__
    return _CONVERTERS.get(name, name)


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "int", "str", "slug", "path", "uuid", "regex" (a re_path's named group), or a custom converter's class


@dataclass(frozen=True)
class Route:
    """One URL pattern with the prefixes of the includes it sits in."""

    name: str  # "cases:step"; an unnamed pattern gets "<namespace>:<its pattern>"
    template: str  # "/cases/%(request_id)s/step/%(slug)s/"
    params: tuple[Param, ...]
    admin_model: str | None = None  # "cases.case" for a ModelAdmin's own views
    admin_view: str | None = None  # "change", "delete", "history", "redirect", "changelist", "add"

    def url(self, **values: str) -> str:
        """The path with each parameter replaced by ``values`` as given: the caller quotes (or doesn't)."""
        return self.template % values

    @property
    def key(self) -> str:
        """How the tables name this URL: the URL name, or ``admin:<model>:<view>`` for a ModelAdmin's views."""
        if self.admin_model:
            return f"admin:{self.admin_model}:{self.admin_view}"
        return self.name

    def matches(self, pattern: str) -> bool:
        return fnmatchcase(self.key, pattern)


def routes() -> list[Route]:
    """Every URL pattern, depth first, in the order the resolver tries them."""
    return list(_walk(get_resolver(), "/", (), ()))


def _walk(resolver: URLResolver, template: str, params: tuple, namespaces: tuple):
    for entry in resolver.url_patterns:
        part, part_params = _template_of(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, template + part, params + part_params, inner)
        elif isinstance(entry, URLPattern):
            namespace = ":".join(namespaces)
            name = entry.name or str(entry.pattern)
            # ModelAdmin.get_urls marks its own views with the ModelAdmin; the bare "<id>/" redirect is a
            # RedirectView (it has a view_class), the others are named after the method: "change_view"...
            model_admin = getattr(entry.callback, "model_admin", None)
            admin_model = admin_view = None
            if model_admin is not None:
                admin_model = model_admin.model._meta.label_lower
                view_class = getattr(entry.callback, "view_class", None)
                admin_view = "redirect" if view_class is not None else entry.callback.__name__.removesuffix("_view")
            yield Route(
                name=f"{namespace}:{name}" if namespace else name,
                template=template + part,
                params=params + part_params,
                admin_model=admin_model,
                admin_view=admin_view,
            )


def _template_of(pattern) -> tuple[str, tuple[Param, ...]]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern).replace("%", "%%")
        params = tuple(
            Param(match["name"], _converter_kind(pattern.converters[match["name"]]))
            for match in _ROUTE_PARAMETER.finditer(route)
        )
        return _ROUTE_PARAMETER.sub(lambda match: f"%({match['name']})s", route), params
    # A re_path: Django's own reverse() reads it the same way (the first of its possible forms).
    template, names = normalize(pattern.regex.pattern)[0]
    return template, tuple(Param(name, "regex") for name in names)


def quoted(value) -> str:
    """A real value as it appears in a URL (hostile values are written pre-encoded and sent as they are)."""
    return quote(str(value), safe="")


# --- One request, leaving nothing behind ------------------------------------------------------------


def send(client, method: str, url: str, data=None):
    """``method`` on ``url`` as ``client``; the response, or the exception the view raised.

    Each request runs in a savepoint that is rolled back, so a POST that withdraws a case, deletes a row in
    the admin or ends a session leaves the world as it was for the next request. The client's cookies are
    put back too: a logout or a failed MFA step must not sign the role out for the requests after it.
    (Rebuilding the world between requests would be cleaner still, but costs a second each; a savepoint
    costs three statements.)
    """
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = _dispatch(client, method, url, data)
            if response.streaming:
                # Read to the end: the test client then closes the file without closing the database
                # connection (``response.close()`` called here would close it, inside the world's transaction).
                # Before the rollback is marked: a streamed CSV queries its rows as it is read.
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        return response
    except Exception as error:  # the crawler reports it as a 500, with its type and message
        return error
    finally:
        client.cookies = cookies


@dataclass(frozen=True)
class Answer:
    """What the tests keep of a response."""

    status: int  # 500 when the view raised
    location: str
    answer: str  # the class the matrix compares: "ok", "missing", ...
    description: str  # "302 -> /accounts/login/?next=...", "404", "ValueError: ..."
    no_store: bool


class Probe:
    """Requests as the world's roles, each distinct request sent once per session.

    The crawler and the access matrix ask many of the same questions (every URL with a real id, every
    method, every role); within one world, a request rolled back after it always gets the same answer, so
    the second test reads the first one's answer instead of sending it again. Either test alone sends all
    it needs.
    """

    def __init__(self, world):
        self.world = world
        self.answers: dict = {}
        self.sent = 0

    def __call__(self, role: str, method: str, url: str, data: dict | None = None) -> Answer:
        key = (role, method, url, tuple(sorted((data or {}).items())))
        if key not in self.answers:
            self.answers[key] = _answer(send(self.world.clients[role], method, url, data))
            self.sent += 1
        return self.answers[key]


def _answer(response) -> Answer:
    if isinstance(response, Exception):
        return Answer(500, "", classify(response), describe(response), False)
    return Answer(
        response.status_code,
        response.get("Location", ""),
        classify(response),
        describe(response),
        is_no_store(response),
    )


def _dispatch(client, method: str, url: str, data):
    if method == "GET":
        return client.get(url, data)
    if method == "HEAD":
        return client.head(url, data)
    if method == "POST":
        return client.post(url, data or {})
    if method == "OPTIONS":
        return client.options(url)
    return client.generic(method, url, b"", content_type="application/octet-stream")


# --- What an answer means -------------------------------------------------------------------------

LOGIN, MFA, OK, FORBIDDEN, MISSING, METHOD = "login", "mfa", "ok", "forbidden", "missing", "method"
# The admin's own answers: its login page, its "doesn't exist" redirect to the index, and a 400 page.
ADMIN_LOGIN, ADMIN_MISSING, INVALID = "admin_login", "admin_missing", "invalid"


def classify(response) -> str:
    """The class of an answer, as the matrix writes its expectations."""
    if isinstance(response, Exception):
        return f"exception {type(response).__name__}"
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response["Location"]).path
        if path == reverse("accounts:login"):
            return LOGIN
        if path in (reverse("mfa:start"), reverse("mfa:setup"), reverse("mfa:verify")):
            return MFA
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        if path == reverse("admin:index"):
            return ADMIN_MISSING
        return OK
    if 200 <= status < 300:
        return OK
    return {400: INVALID, 403: FORBIDDEN, 404: MISSING, 405: METHOD}.get(status, f"status {status}")


def describe(response) -> str:
    """Status and, for a redirect, where to: for failure messages."""
    if isinstance(response, Exception):
        return f"{type(response).__name__}: {str(response)[:200]}"
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} -> {response['Location']}"
    return str(response.status_code)
