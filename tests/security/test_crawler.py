"""Every URL of the portal, with real ids and hostile values, every method, as every role: never a 500 (SEC-4).

The URLs come from the resolver (the admin's included), so a URL added later is crawled without anyone
touching this file, unless it has a path parameter no filler below knows: then the crawl fails and names it.
Every answer to a signed-in role must carry ``Cache-Control: no-store`` (a shared office computer's cache
must not keep a patient's page).

What is sent, for each URL:

1. every method with the world's first real values, as every role (the admin's own model views: see
   ``methods_for``);
2. then, as each role the URL lets in, once per way of answering (roles answered alike on every method take
   the same path, and roles the sign-in gate turns away never reach a parameter or a body): GET with the
   other real values, and a few hostile bodies wherever an empty POST got past the sign-in, the method, the
   permission and the object;
3. hostile values in each path parameter, as the first role the URL lets in (the superuser in the admin):
   all of them with GET, a few with POST and DELETE.

Each request runs in a savepoint rolled back after it (``routes.send``), and answers are shared with the
access matrix when both run in one session (``routes.Probe``).
"""

import importlib
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType

from cases import wizard
from cases.questionnaires import engine
from tests.security.routes import (
    ADMIN_LOGIN,
    FORBIDDEN,
    LOGIN,
    METHOD,
    METHODS,
    MFA,
    MISSING,
    classify,
    quoted,
    routes,
    send,
)
from tests.security.world import ANONYMOUS, OWNER, PASSWORD_ONLY, REVIEWER, ROLES, SUPERUSER

pytestmark = pytest.mark.django_db

SUPERSCRIPT_TWO = "\u00b2"  # "²": a digit to str.isdigit(), not to int()
ARABIC_INDIC_THREE = "\u0663"  # int() reads it as 3
FULLWIDTH_ONE = "\uff11"  # int() reads it as 1
# What a hostile user types into an address, as sent on the wire (percent-encoded where a browser would).
HOSTILE = (
    "0",
    "-1",
    "999999999999",
    quote(SUPERSCRIPT_TWO),
    quote(ARABIC_INDIC_THREE),
    quote(FULLWIDTH_ONE),
    "%00",
    "..%2f",
    "x" * 2000,
    quote("' OR '1'='1"),
    quote("<script>alert(1)</script>"),
    quote("\U0001f600"),  # an emoji
    quote("\u202egpj.exe"),  # a right-to-left override
)
# With POST and DELETE (most views refuse those methods before reading the address).
HOSTILE_FEW = ("999999999999", "%00")
# The change page of each model in the admin, but the case queue's (they all read the id the same way).
HOSTILE_ADMIN = ("0", "999999999999", quote(SUPERSCRIPT_TWO), quote(ARABIC_INDIC_THREE), "%00", "x" * 2000)
# The hostile kinds of text a body carries: one kind in every field of a body.
BODY_VALUES = (SUPERSCRIPT_TWO, ARABIC_INDIC_THREE, FULLWIDTH_ONE, "y" * 2000, "02/30/2026", "' OR '1'='1")

# Real values for each path parameter: (URL key pattern, parameter name, converter) -> values. A URL key is
# its name ("cases:step"), or "admin:<app.model>:<view>" for a ModelAdmin's own views. The first value of
# each parameter is the one every method and role is tried with; each other value is tried with GET, the
# other parameters staying at their first.
FILLERS = {
    ("cases:*", "request_id", "RequestIdConverter"): lambda w, r: [
        case.request_id for case in (w.draft, w.pending, w.approved, w.other_draft, w.held, w.denied)
    ],
    ("p2p:start", "request_id", "RequestIdConverter"): lambda w, r: [
        case.request_id for case in (w.denied, w.held, w.pending, w.draft, w.other_draft)
    ],
    ("p2p:confirmation", "pk", "int"): lambda w, r: [w.p2p_request.pk],
    ("p2p:request_detail", "pk", "int"): lambda w, r: [w.p2p_request.pk],
    ("p2p:reschedule", "pk", "int"): lambda w, r: [w.p2p_request.pk],
    ("p2p:cancel", "pk", "int"): lambda w, r: [w.p2p_request.pk],
    ("cases:appeal", "sequence", "int"): lambda w, r: [w.appeal_draft.sequence, 2],
    ("cases:alternative", "line_number", "int"): lambda w, r: [1, 99],
    ("cases:step", "slug", "slug"): lambda w, r: ["review", *(s.slug for s in wizard.STEPS if s.slug != "review")],
    ("cases:clinical_page", "key", "str"): lambda w, r: _question_pages(),
    ("cases:document", "pk", "int"): lambda w, r: [w.draft_document.pk, w.pending_document.pk],
    ("accounts:verify_email", "uidb64", "str"): lambda w, r: [w.email_verification_link()[0]],
    ("accounts:verify_email", "token", "str"): lambda w, r: [w.email_verification_link()[1], "bad-token"],
    ("accounts:email_change_confirm", "token", "str"): lambda w, r: [w.email_change_token(), "bad-token"],
    ("practices:provider_remove", "pk", "int"): lambda w, r: [w.account_provider.pk, w.other_account_provider.pk],
    ("practices:worklist_access_revoke", "pk", "int"): lambda w, r: [w.grant.pk, w.revoked_grant.pk],
    ("practices:*", "practice_id", "int"): lambda w, r: [w.practice.pk, w.other_practice.pk],
    ("practices:member_access", "membership_id", "int"): lambda w, r: [
        w.colleague_membership.pk,
        w.other_membership.pk,
    ],
    ("mfa:forget_device", "pk", "int"): lambda w, r: [w.remembered_device.pk, w.other_remembered_device.pk],
    ("admin:view_on_site", "content_type_id", "path"): lambda w, r: [
        ContentType.objects.get_for_model(model).pk for model in (w.pending, w.users[OWNER])
    ],
    ("admin:view_on_site", "object_id", "path"): lambda w, r: [w.pending.pk],
    ("admin:*:*", "object_id", "path"): lambda w, r: _admin_ids(w, r),
    # The case page's own actions in the admin (cases.admin.actions): the queue's case, a held one, a draft.
    ("admin:cases_case_*", "object_id", "int"): lambda w, r: [w.pending.pk, w.held.pk, w.denied.pk, w.draft.pk],
    ("admin:cases_case_document", "document_id", "int"): lambda w, r: [w.pending_document.pk, w.draft_document.pk],
    ("admin:auth_user_password_change", "id", "str"): lambda w, r: [w.users[OWNER].pk],
    ("admin:otp_totp_totpdevice_*", "pk", "int"): lambda w, r: [w.admin_objects["otp_totp.totpdevice"]],
    ("admin:app_list", "app_label", "regex"): lambda w, r: sorted(
        {model._meta.app_label for model in admin.site._registry}, key=lambda label: label != "cases"
    ),
    ("admin:(?P<url>.*)$", "url", "regex"): lambda w, r: ["no-such-page/", "no-such-page"],
    ("admin:correspondence_letter_pdf", "pk", "int"): lambda w, r: [w.hold_letter.pk],
    # A ticket's actions in the admin (ecrm/admin.py).
    ("admin:ecrm_ticket_*", "object_id", "int"): lambda w, r: [w.ticket.pk],
    # A P2P request's outcome in the admin (p2p/admin.py).
    ("admin:p2p_p2prequest_*", "object_id", "int"): lambda w, r: [w.p2p_request.pk],
    ("correspondence:letter_pdf", "pk", "int"): lambda w, r: [w.hold_letter.pk],
    ("correspondence:message_action", "pk", "int"): lambda w, r: [w.hold_letter.pk],
    ("correspondence:practice_preferences", "practice_id", "int"): lambda w, r: [w.practice.pk, w.other_practice.pk],
    ("ecrm:category", "slug", "slug"): lambda w, r: ["claims", "appeals"],
    ("ecrm:*", "slug", "slug"): lambda w, r: [w.ticket.request_form.slug],
    ("ecrm:verify_email", "uidb64", "str"): lambda w, r: [w.email_verification_link()[0]],
    ("ecrm:verify_email", "token", "str"): lambda w, r: ["bad-token"],
    ("ecrm:*", "number", "TicketNumberConverter"): lambda w, r: [w.ticket.number],
    ("ecrm:attachment", "pk", "int"): lambda w, r: [w.ticket.attachments.get().pk],
}


def _question_pages() -> list[str]:
    pages = ["homebound"]
    for program in ("home-health", "dme"):
        pages += [item.link_id for item in engine.question_set_for(program).items if item.link_id not in pages]
    return pages


def _admin_ids(world, route) -> list:
    if route.admin_model is None:
        return []
    hidden = [world.draft.pk] if route.admin_model == "cases.case" else []  # the review queue leaves drafts out
    return [world.admin_objects[route.admin_model], *hidden]


def _filler(route, param):
    for (pattern, name, kind), filler in FILLERS.items():
        if name == param.name and kind == param.kind and (route.key == pattern or route.matches(pattern)):
            return filler
    return None


def fills(world, route) -> tuple[list[dict], list[str]]:
    """The real values of ``route``'s parameters, the all-first combination first; and what has no filler."""
    values, unknown = {}, []
    for param in route.params:
        filler = _filler(route, param)
        found = filler(world, route) if filler else []
        if not found:
            unknown.append(
                f"{route.key} ({route.template}): no filler for <{param.kind}:{param.name}>; "
                f"add one to FILLERS in tests/security/{Path(__file__).name}"
            )
        values[param.name] = [quoted(value) for value in found]
    if unknown:
        return [], unknown
    first = {name: found[0] for name, found in values.items()}
    combos = [first]
    for name, found in values.items():
        combos += [{**first, name: value} for value in found[1:]]
    return combos, []


# --- Hostile bodies --------------------------------------------------------------------------------

_POSTED_NAME = re.compile(r"""(?:POST(?:\.get|\.getlist)?\(|POST\[|_posted_pk\(request,\s*)\s*["']([\w-]+)["']""")
# ``action == "select"``, ``request.POST.get("action") != "send"``, ``action in ("a", "b")``
_ACTION_COMPARISON = re.compile(r"""action["')\]]*\s*(?:(?:==|!=)\s*("\w+")|in\s*\(([^)]*)\))""")


def body_fields() -> dict[str, tuple[set[str], list[str]]]:
    """Per app (a URL's namespace): every field name its forms and views read, and the ``action`` values
    its views compare with. Read from the code, so a new form field or action is posted to without a change
    here."""
    base = str(settings.BASE_DIR)
    found = {}
    for app in apps.get_app_configs():
        if not app.path.startswith(base) or "/.venv/" in app.path:
            continue
        names, actions = _form_fields(app), set()
        views = Path(app.path) / "views.py"
        if views.exists():
            source = views.read_text()
            names |= set(_POSTED_NAME.findall(source))
            actions = {
                value
                for match in _ACTION_COMPARISON.finditer(source)
                for value in re.findall(r'"(\w+)"', match[1] or match[2])
            }
        found[app.label] = (names, sorted(actions))
    names, actions = found.get("cases", (set(), []))
    found["cases"] = (names | _question_fields(), actions)
    return found


def _form_fields(app) -> set[str]:
    try:
        module = importlib.import_module(f"{app.name}.forms")
    except ModuleNotFoundError:
        return set()
    names = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, forms.BaseForm):
            names |= set(value.base_fields)
    return names


def _question_fields() -> set[str]:
    names = set()
    for program in ("home-health", "dme"):
        items = list(engine.question_set_for(program).items)
        while items:
            item = items.pop()
            names.add(item.field_name)
            items += list(item.children)
    return names


def hostile_bodies(route, fields: dict) -> list[dict]:
    """The bodies posted to ``route``: every field its app reads set to one hostile kind, and an ``action``.

    Every action its views know comes with non-ASCII digits in every field (``provider=²``, ``site=²``,
    ``health_plan=²``...); the other kinds come once each, with the actions in turn. An admin form gets its
    model's fields, with non-ASCII digits and with long strings.
    """
    if route.admin_model:
        model = apps.get_model(route.admin_model)
        names = {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many} | {"_continue"}
        return [dict.fromkeys(names, SUPERSCRIPT_TWO), dict.fromkeys(names, "y" * 2000)]
    names, actions = fields.get(route.name.split(":")[0], (set(), []))
    names = names | {"action", "next", "document"}
    actions = actions or [""]
    bodies = [{**dict.fromkeys(names, SUPERSCRIPT_TWO), "action": action} for action in actions]
    bodies += [
        {**dict.fromkeys(names, value), "action": actions[index % len(actions)]}
        for index, value in enumerate(BODY_VALUES[1:])
    ]
    if "remove" in actions:  # a document id that is no number at all
        bodies.append({**dict.fromkeys(names, SUPERSCRIPT_TWO), "action": "remove", "document": "abc"})
    return bodies


# --- The crawl ---------------------------------------------------------------------------------------

GATES = {LOGIN, MFA, ADMIN_LOGIN}  # answered before any view reads a parameter or a body
STAFF = (REVIEWER, SUPERUSER)


def methods_for(route, role) -> tuple[str, ...]:
    """Every method, except on the admin's own views of a model other than the case admin's:

    - those answer HEAD, PUT, PATCH, DELETE and OPTIONS exactly as GET (Django's ModelAdmin only asks whether
      the method is POST), and POST means something only to its forms: the staff roles get GET, and POST on
      the add and change pages (with the hostile bodies);
    - everyone else is turned away by the admin's gate (``AdminSite.admin_view``) before the view, whatever
      the method: GET.

    The access matrix checks GET and POST on every object URL of every model as every role. The case admin,
    the one with code of ours in its views (the audit of PHI reads), gets every method as every role. All
    seven methods on the 26 other models' 156 URLs as 10 roles would be some 10,000 requests more: over the
    whole time budget on their own.
    """
    if not route.admin_model or route.admin_model == "cases.case":
        return METHODS
    return ("GET", "POST") if role in STAFF and route.admin_view in ("add", "change") else ("GET",)


def hostile_values(route) -> tuple[str, ...]:
    """All of them, but fewer on the admin's model views of a model other than cases.case (they all read the
    id through ``ModelAdmin.get_object``): a handful on the change page, the few elsewhere."""
    if not route.admin_model or route.admin_model == "cases.case":
        return HOSTILE
    return HOSTILE_ADMIN if route.admin_view == "change" else HOSTILE_FEW


def test_crawler(world, probe, crawling):
    fields, sent_before = body_fields(), probe.sent
    failures, no_store, unknown, requests = [], {}, [], set()

    def ask(route, role, method, url, data=None):
        answer, key = probe(role, method, url, data), (role, method, url, tuple(sorted((data or {}).items())))
        if key in requests:  # asked already (the empty POST before the bodies): reported already
            return answer
        requests.add(key)
        if answer.status >= 500 and not (route.key == "portal:health" and answer.status == 503):
            body = f" body={_short(data)}" if data else ""
            failures.append(f"{answer.status} {method} {url[:300]} as {role}{body}: {answer.description}")
        elif role != ANONYMOUS and not answer.no_store:
            no_store.setdefault(route.key, set()).add(f"{method} as {role}")
        return answer

    for route in routes():
        combos, missing = fills(world, route) if route.params else ([{}], [])
        unknown += missing
        if not combos:
            continue
        bodies, seen, hostile_role = hostile_bodies(route, fields), set(), None
        for role in ROLES:
            url = route.url(**combos[0])
            answers = [ask(route, role, method, url) for method in methods_for(route, role)]
            signature = tuple((answer.status, answer.location) for answer in answers)
            if all(answer.answer in GATES for answer in answers) or signature in seen:
                continue
            seen.add(signature)
            if hostile_role is None or (role == SUPERUSER and route.name.startswith("admin:")):
                hostile_role = role
            gets = {0: answers[0]} | {i: ask(route, role, "GET", route.url(**c)) for i, c in enumerate(combos) if i}
            for index, combo in enumerate(combos if "POST" in methods_for(route, role) else ()):
                post = ask(route, role, "POST", route.url(**combo))
                # A body is read once the sign-in, the method, the permission and (with a parameter) the object
                # were accepted; a 404 without a parameter may come from the body (a posted id): tried. A view
                # that sends GET and an empty POST to the same place did so before reading any body.
                refused = post.answer in (METHOD, FORBIDDEN) or (route.params and post.answer == MISSING)
                redirected_anyway = post.location and post.location == gets[index].location
                if post.answer in GATES or refused or redirected_anyway:
                    continue
                for body in bodies:
                    ask(route, role, "POST", route.url(**combo), body)
        # A hostile id fails the same lookup for everyone, before anyone's rights are weighed.
        for param in route.params if hostile_role else ():
            for value in hostile_values(route):
                ask(route, hostile_role, "GET", route.url(**{**combos[0], param.name: value}))
            for value in HOSTILE_FEW:
                for method in ("POST", "DELETE") if "DELETE" in methods_for(route, hostile_role) else ("POST",):
                    ask(route, hostile_role, method, route.url(**{**combos[0], param.name: value}))

    sent = probe.sent - sent_before
    print(
        f"\ncrawler: {len(requests)} requests ({sent} sent by the crawler, "
        f"{len(requests) - sent} answered earlier in this session for the access matrix)"
    )
    report = []
    if unknown:
        report += ["URL parameters the crawler cannot fill:", *unknown]
    if failures:
        report += [f"{len(failures)} answers were server errors:", *failures]
    if no_store:
        report += [
            f"{sum(len(cells) for cells in no_store.values())} answers to a signed-in user without "
            "Cache-Control: no-store:",
            *(f"{key}: {', '.join(sorted(cells))}" for key, cells in sorted(no_store.items())),
        ]
    assert not report, "\n".join(report)


def _short(data: dict) -> str:
    shown = {name: (value[:20] + "..." if len(value) > 20 else value) for name, value in sorted(data.items())[:8]}
    more = f" (+{len(data) - 8} fields)" if len(data) > 8 else ""
    return f"{shown}{more}"


def test_the_roles_are_still_signed_in_after_the_crawl(world, crawling):
    """A crawl whose roles were signed out on the way (a log-out, a password change) would find nothing more:
    after it, fresh requests (not the shared answers) still get the owner her draft, the superuser the admin,
    and the password-only session the MFA page."""
    owner_draft = send(world.clients[OWNER], "GET", f"/cases/{world.draft.request_id}/step/review/")
    admin_index = send(world.clients[SUPERUSER], "GET", "/admin/")
    password_only = send(world.clients[PASSWORD_ONLY], "GET", "/cases/")
    assert (owner_draft.status_code, admin_index.status_code) == (200, 200)
    assert classify(password_only) == MFA
