"""Reads of patient data in the admin are audited like the provider pages' (PHIAuditAdminMixin): one row per
page shown, with ids and counts, never the search text."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from portal.admin_mixins import PHIAuditAdminMixin
from reference.models import Eligibility, Member
from reference.tests.factories import EligibilityFactory, MemberFactory

pytestmark = pytest.mark.django_db

SEARCH_TEXT = "Quennell"


@pytest.fixture
def staff(signed_in_client):
    """Support staff who may look members up (view permission on members and their eligibility)."""
    user = UserFactory(username="support", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="reference", codename__in=["view_member", "view_eligibility"]
        )
    )
    return user, signed_in_client(user)


@pytest.fixture
def member():
    found = MemberFactory(last_name=SEARCH_TEXT, first_name="Ines", date_of_birth=datetime.date(1951, 6, 9))
    EligibilityFactory(member=found, coverage_start=datetime.date(2021, 1, 1))
    EligibilityFactory(member=found, coverage_start=datetime.date(2023, 1, 1))
    return found


def reads():
    return AuditEvent.objects.filter(action__in=["member.listed", "member.viewed"])


def test_the_member_list_writes_one_audit_row(staff, member):
    user, client = staff
    MemberFactory()
    response = client.get(reverse("admin:reference_member_changelist"))
    assert response.status_code == 200
    event = reads().get()
    assert (event.action, event.actor, event.actor_username) == ("member.listed", user, "support")
    details = dict(event.details)
    assert sorted(details.pop("ids")) == sorted(Member.objects.values_list("pk", flat=True))
    assert details == {
        "via": "admin",
        "model": "reference.member",
        "page": 1,
        "searched": False,
        "filtered": False,
        "rows": 2,
    }


def test_a_member_search_writes_one_audit_row_without_the_search_text(staff, member):
    user, client = staff
    MemberFactory(last_name="Someone")
    response = client.get(reverse("admin:reference_member_changelist"), {"q": SEARCH_TEXT})
    assert SEARCH_TEXT in response.content.decode()  # the page does show the patient
    event = reads().get()
    assert (event.action, event.actor) == ("member.listed", user)
    assert (event.details["searched"], event.details["rows"], event.details["ids"]) == (True, 1, [member.pk])
    stored = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert SEARCH_TEXT.lower() not in str(stored).lower()


def test_a_later_page_of_the_member_list_records_its_number(staff, monkeypatch):
    _user, client = staff
    monkeypatch.setattr(admin.site._registry[Member], "list_per_page", 2)
    MemberFactory.create_batch(3)
    client.get(reverse("admin:reference_member_changelist"), {"p": 2})
    assert (reads().get().details["page"], reads().get().details["rows"]) == (2, 1)


def test_a_member_record_writes_one_audit_row_naming_its_eligibility_spans(staff, member):
    user, client = staff
    response = client.get(reverse("admin:reference_member_change", args=[member.pk]))
    assert response.status_code == 200
    event = reads().get()
    assert (event.action, event.actor) == ("member.viewed", user)
    assert (event.target_type, event.target_id) == ("reference.member", str(member.pk))
    assert event.details == {
        "via": "admin",
        "page": "change",
        "inlines": {"reference.eligibility": sorted(Eligibility.objects.values_list("pk", flat=True), reverse=True)},
    }


def test_a_member_history_page_is_audited(staff, member):
    user, client = staff
    assert client.get(reverse("admin:reference_member_history", args=[member.pk])).status_code == 200
    event = reads().get()
    assert (event.action, event.actor, event.target_id, event.details["page"]) == (
        "member.viewed",
        user,
        str(member.pk),
        "history",
    )


def test_a_missing_member_writes_no_audit_row(staff):
    _user, client = staff
    assert client.get(reverse("admin:reference_member_change", args=[999999])).status_code == 302
    assert not reads().exists()


def test_staff_without_permission_on_members_read_nothing_and_write_nothing(signed_in_client, member):
    client = signed_in_client(UserFactory(is_staff=True))
    assert client.get(reverse("admin:reference_member_changelist")).status_code == 403
    assert client.get(reverse("admin:reference_member_change", args=[member.pk])).status_code == 403
    assert not reads().exists()


def test_members_are_read_only_in_the_admin_even_for_the_superuser(signed_in_client, member):
    client = signed_in_client(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:reference_member_delete", args=[member.pk])).status_code == 403
    assert client.get(reverse("admin:reference_member_add")).status_code == 403
    response = client.post(reverse("admin:reference_member_change", args=[member.pk]), {"last_name": "Changed"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.last_name != "Changed"
    assert not reads().filter(details__page="delete").exists()


# Every admin that shows patient data: the patient (with eligibility spans), the case (with its services,
# documents and status history), and the queues after a decision (a case's reconsiderations, appeals and
# extension requests, with the provider's reasons). A new one joins this list, and the mixin, in the same commit.
PHI_MODELS = {
    "reference.member",
    "cases.case",
    "cases.reconsideration",
    "cases.appeal",
    "cases.authorizationextension",
    "correspondence.letter",
    "correspondence.delivery",
}


def test_every_admin_showing_patient_data_audits_its_reads():
    registry = admin.site._registry
    audited = {
        model._meta.label_lower
        for model, model_admin in registry.items()
        if isinstance(model_admin, PHIAuditAdminMixin)
    }
    assert audited == PHI_MODELS
    # A patient's rows shown as an inline elsewhere (a case under a practice, say) would escape the audit.
    for model, model_admin in registry.items():
        for inline in model_admin.inlines:
            linked = {
                field.related_model._meta.label_lower for field in inline.model._meta.get_fields() if field.is_relation
            }
            if linked & PHI_MODELS:
                assert model._meta.label_lower in PHI_MODELS, f"{inline.__name__} shows patient data under {model}"
