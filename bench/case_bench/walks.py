"""The wizard walked through Django's test client: Home Health bundle, Home Health manual visits, DME with two codes."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from urllib.parse import urlparse

from case_bench.settings import HarnessError


class Walk:
    """One request after another through the wizard, each checked for the status the test suite expects."""

    def __init__(self, client, recorder):
        self.client = client
        self.recorder = recorder

    def get(self, label: str, path: str, expect: int = 200):
        return self._send(f"{label} GET", lambda: self.client.get(path), path, expect)

    def post(self, label: str, path: str, data: dict, expect: int = 302):
        return self._send(f"{label} POST", lambda: self.client.post(path, data), path, expect)

    def _send(self, label: str, call: Callable, path: str, expect: int):
        response = self.recorder(self.client, label, call)
        if response.status_code != expect:
            body = response.content.decode(errors="replace")
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', body)
            detail = response.get("Location") or "; ".join(e.strip() for e in errors if e.strip())[:600] or body[:600]
            raise HarnessError(f"{label} {path}: expected {expect}, got {response.status_code} ({detail})")
        return response


def step_url(request_id: str, slug: str) -> str:
    from django.urls import reverse

    return reverse("cases:step", args=[request_id, slug])


def clinical_url(request_id: str, key: str) -> str:
    from django.urls import reverse

    return reverse("cases:clinical_page", args=[request_id, key])


def request_id_from(response) -> str:
    from django.urls import resolve

    return resolve(urlparse(response["Location"]).path).kwargs["request_id"]


def walk_to_service(walk: Walk, user, world: dict, member, program: str, *, dme_delivered: bool) -> str:
    """The wizard from "Request Authorization" up to the service step (not saved); returns the request ID."""
    from django.urls import reverse
    from django.utils import timezone

    from cases import rules
    from practices.selectors import providers_on_account

    rng = world["rng"]
    walk.get("carecore home", reverse("cases:carecore_home"))
    walk.get("in-progress", reverse("cases:in_progress"))
    walk.get("program", reverse("cases:request_authorization"))
    field = "dme_role" if program == "dme" else "hh_role"
    # The practice is posted always: a radio button when the user has several, else the hidden field's value.
    response = walk.post(
        "program",
        reverse("cases:request_authorization"),
        {"program": program, field: "referring_physician", "practice": world["walk_practice_id"]},
    )
    rid = request_id_from(response)
    provider = providers_on_account(user=user).first()
    walk.get("provider", step_url(rid, "provider"))
    walk.post("provider", step_url(rid, "provider"), {"action": "select", "provider": provider.pk})
    walk.get("insurer", step_url(rid, "insurer"))
    walk.post(
        "insurer",
        step_url(rid, "insurer"),
        {"health_plan": world["plan"].pk, "provider_address": provider.address_display},
    )
    walk.get("contact", step_url(rid, "contact"))
    walk.post(
        "contact",
        step_url(rid, "contact"),
        {
            "contact_provider_name": provider.display_name,
            "contact_name": user.get_full_name(),
            "contact_fax": "(860) 666-4321",
            "contact_phone": "860-666-1234",
            "contact_email": user.email,
            "notify_by_email": "on",
        },
    )
    today = timezone.localdate()
    walk.get("date", step_url(rid, "date"))
    if program == "home-health":
        data = {"start_of_care": (today + datetime.timedelta(days=3)).strftime("%m/%d/%Y")}
    elif dme_delivered:
        delivered = today - datetime.timedelta(days=1)
        while not rules.is_business_day(delivered):
            delivered -= datetime.timedelta(days=1)
        data = {"delivered": "yes", "delivered_on": delivered.strftime("%m/%d/%Y")}
    else:
        data = {"delivered": "no"}
    walk.post("date", step_url(rid, "date"), data)
    lookup = {
        "member_id": member.member_id,
        "date_of_birth": member.date_of_birth.strftime("%m/%d/%Y"),
        "last_name": member.last_name.lower(),
    }
    walk.get("patient", step_url(rid, "patient"))
    walk.post("patient lookup", step_url(rid, "patient"), {**lookup, "action": "lookup"}, expect=200)
    walk.post("patient", step_url(rid, "patient"), {**lookup, "action": "select", "member": member.pk})
    walk.get("patient-contact", step_url(rid, "patient-contact"))
    walk.post("patient-contact", step_url(rid, "patient-contact"), {"patient_cell_phone": "", "patient_email": ""})
    walk.get("service", step_url(rid, "service"))
    query = rng.choice(
        ("talus", "S92.15", "fracture of foot") if program == "home-health" else ("Z89.51", "absence of leg")
    )
    walk.post(
        "service lookup", step_url(rid, "service"), {"primary_query": query, "action": "lookup_primary"}, expect=200
    )
    return rid


def walk_whole(walk: Walk, user, world: dict, member, kind: str, *, dme_delivered: bool = False) -> str:
    """Every step of one request, from the CareCore home page to the summary after submission."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    program = "dme" if kind == "dme" else "home-health"
    rid = walk_to_service(walk, user, world, member, program, dme_delivered=dme_delivered)
    code = "S92.151A" if program == "home-health" else "Z89.512"
    walk.post("service", step_url(rid, "service"), {"primary_query": code, "primary_code": code, "action": "continue"})
    site = world["rng"].choice(world["sites"][program])
    walk.get("site", step_url(rid, "site"))
    walk.post(
        "site lookup",
        step_url(rid, "site"),
        {"action": "lookup", "zip_code": site.zip_code[:5], "match": "starts"},
        expect=200,
    )
    walk.post("site select", step_url(rid, "site"), {"action": "select", "site": site.pk}, expect=200)
    walk.post(
        "site",
        step_url(rid, "site"),
        {"action": "continue", "site": site.pk, "site_fax": site.fax, "site_phone": site.phone, "site_email": ""},
    )
    if program == "dme" and dme_delivered:
        walk.get("site-dispensed", step_url(rid, "site-dispensed"))
        walk.post("site-dispensed", step_url(rid, "site-dispensed"), {"urgent_basis": "no", "after_hours": "yes"})
    walk.get("attest", step_url(rid, "attest"))
    walk.post("attest", step_url(rid, "attest"), {"attest": "on"})
    walk.get("clinical (redirect)", step_url(rid, "clinical"), expect=302)

    def page(key: str, data: dict) -> None:
        walk.get(f"clinical:{key}", clinical_url(rid, key))
        walk.post(f"clinical:{key}", clinical_url(rid, key), data)

    if kind == "hh-bundle":
        page("homebound", {"homebound": "yes"})
        page("admitting-diagnosis", {"admitting_diagnosis": "orthopedic"})
        page("bundle-offer", {"bundle": "yes"})
    elif kind == "hh-manual":
        page("homebound", {"homebound": "no-unknown"})
        page(
            "manual-services",
            {
                "skilled_nurse_visits": "2",
                "physical_therapy_visits": "2",
                "occupational_therapy_visits": "0",
                "speech_therapy_visits": "0",
                "social_worker_visits": "1",
                "home_health_aide_visits": "3",
                "dietitian_visits": "0",
                "timeframe_days": "45",
            },
        )
    else:
        page("hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "2"})
        page("hcpcs-line.0.more", {"hcpcs_more": "yes"})
        page("hcpcs-line.1", {"hcpcs_code": "K0005", "hcpcs_units": "1"})
        page("hcpcs-line.1.more", {"hcpcs_more": "no"})
    walk.get("clinical-summary", step_url(rid, "clinical-summary"))
    walk.post("clinical-summary", step_url(rid, "clinical-summary"), {"action": "continue"})
    if kind != "hh-bundle":
        walk.get("urgency", step_url(rid, "urgency"))
        if kind == "dme":
            walk.post("urgency", step_url(rid, "urgency"), {"is_routine": "no", "urgency_criterion": "jeopardy"})
        else:
            walk.post("urgency", step_url(rid, "urgency"), {"is_routine": "yes"})
        walk.get("upload", step_url(rid, "upload"))
        if kind == "dme":
            from cases.tests.files import pdf_bytes  # the tests' real PDF (needs Django set up first)

            upload = SimpleUploadedFile("office-notes.pdf", pdf_bytes(), content_type="application/pdf")
            walk.post("upload file", step_url(rid, "upload"), {"action": "upload", "files": [upload]})
        walk.post("upload", step_url(rid, "upload"), {"action": "continue", "additional_notes": ""})
    walk.get("review", step_url(rid, "review"))
    walk.post("review (submit)", step_url(rid, "review"), {"action": "submit"})
    walk.get("summary", reverse("cases:summary", args=[rid]))
    return rid


def walk_member(world: dict):
    return world["members"].get(pk=world["rng"].choice(world["member_ids"]))


def member_with_most_open_cases(world: dict, program_code: str):
    """A covered member with the most open or approved cases of ``program_code``: the conflict check's worst
    case, for the query-count pass."""
    from django.db.models import Count

    from cases.models import OPEN_OR_APPROVED, Case

    row = (
        Case.objects.filter(status__in=OPEN_OR_APPROVED, program__code=program_code, member_id__in=world["member_ids"])
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n", "member_id")
        .first()
    )
    if row is None:
        return walk_member(world), 0
    return world["members"].get(pk=row["member_id"]), row["n"]
