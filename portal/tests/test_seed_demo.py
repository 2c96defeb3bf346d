import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.demo import DEMO_USERS
from accounts.models import User
from reference.models import DiagnosisCode, Eligibility, HcpcsCode, Member, PlanProgram, Program, Provider, Site
from reference.validators import is_valid_npi
from resources.models import ClinicalGuideline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("icd10cm")]


def world_fingerprint():
    return {
        "members": list(Member.objects.order_by("member_id").values_list("member_id", "last_name", "date_of_birth")),
        "spans": Eligibility.objects.count(),
        "providers": list(Provider.objects.order_by("npi").values_list("npi", "last_name", "organization_name")),
        "sites": list(Site.objects.order_by("npi").values_list("npi", "name")),
        "users": list(User.objects.order_by("username").values_list("username", "password")),
        "reference": [
            model.objects.count() for model in (DiagnosisCode, HcpcsCode, Program, PlanProgram, ClinicalGuideline)
        ],
        "delegations": list(PlanProgram.objects.order_by("pk").values_list("pk", "phone", "fax")),
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", scale=120)
    first = world_fingerprint()
    call_command("seed_demo", scale=120)
    assert world_fingerprint() == first
    assert len(first["members"]) == 120


def test_the_generator_makes_the_same_people_on_every_run():
    call_command("seed_demo", scale=50)
    first = world_fingerprint()
    Member.objects.all().delete()
    Provider.objects.all().delete()
    Site.objects.all().delete()
    call_command("seed_demo", scale=50)
    regenerated = world_fingerprint()
    for key in ("members", "providers", "sites"):
        assert regenerated[key] == first[key]


def test_a_larger_scale_appends_members_without_touching_the_first_ones():
    call_command("seed_demo", scale=40)
    first_ids = set(Member.objects.values_list("member_id", flat=True))
    call_command("seed_demo", scale=90)
    assert Member.objects.count() == 90
    assert first_ids <= set(Member.objects.values_list("member_id", flat=True))


def test_every_generated_npi_has_a_valid_check_digit_and_every_member_has_coverage():
    call_command("seed_demo", scale=200)
    assert all(is_valid_npi(npi) for npi in Provider.objects.values_list("npi", flat=True))
    assert all(is_valid_npi(npi) for npi in Site.objects.values_list("npi", flat=True))
    assert not Member.objects.filter(eligibility_spans__isnull=True).exists()
    # Some members are covered now, some lapsed, some on a plan that does not delegate HH or DME.
    assert Eligibility.objects.filter(coverage_end__isnull=False).exists()
    assert Eligibility.objects.filter(health_plan__code="keystone-community").exists()


def test_every_demo_login_works_with_the_demo_password(settings):
    call_command("seed_demo", scale=10)
    for demo in DEMO_USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": demo.username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, demo.username
    assert User.objects.get(username="rnreviewer").groups.filter(name="Clinical reviewers").exists()


def test_demo_logins_are_not_created_in_production(settings):
    settings.PRODUCTION = True
    call_command("seed_demo", scale=10)
    assert not User.objects.exists()


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        call_command("seed_demo", scale=0)


def test_every_demo_login_can_pass_mfa_with_the_pin_from_the_email(settings):
    import re

    from django.core import mail

    call_command("seed_demo", scale=10)
    for demo in DEMO_USERS:
        client = Client()
        client.post("/accounts/login/", {"username": demo.username, "password": settings.DEMO_PASSWORD})
        verify = client.get("/", follow=True)
        assert "Verify your identity" in verify.content.decode(), demo.username
        pin = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        response = client.post("/mfa/verify/", {"code": pin}, follow=True)
        assert "Welcome," in response.content.decode(), demo.username
