"""ECRM-2 to ECRM-4: the catalog as data, a request form's rules, the EC number, Ticket Details, the email."""

import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audit.models import AuditEvent
from ecrm import tickets
from ecrm.models import Category, RequestForm, RequestType, Subrequest, Ticket, TicketPriority, TicketState
from ecrm.tests.factories import ecrm_user
from reference.models import HealthPlan

pytestmark = pytest.mark.django_db
CARD = 'class="card__title">{}'


@pytest.fixture
def reporter():
    return ecrm_user()


@pytest.fixture
def client_of(signed_in_client):
    return signed_in_client


def provider_services_answers(**changes):
    plans = list(HealthPlan.objects.order_by("name")[:2])
    phone_fax = Subrequest.objects.get(name="Phone & FAX Update EviCore PAR")
    answers = {
        "short_description": "Wrong fax number populates during case build.",
        "carrier": "multiple",
        "health_plans": [str(plan.pk) for plan in plans],
        "description": "Correct fax number is <b>555-555-5555</b>.",
        "request_type": str(phone_fax.request_type_id),
        "subrequest": str(phone_fax.pk),
        "claim_number": "123456789",
        "contact_name": "Maria Johnson",
        "contact_phone": "860-555-0142",
        "contact_email": "maria@office.example",
    }
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def submit(client, committed, slug="provider-services", **changes):
    return committed(client.post, f"/ecrm/forms/{slug}/", provider_services_answers(**changes))


def test_submit_case_lists_the_five_categories_and_client_and_provider_services_forms(
    ecrm_catalog, reporter, client_of
):
    client = client_of(reporter)
    page = client.get("/ecrm/submit/").content.decode()
    for name in ("Appeals", "Claims", "Client &amp; Provider Services", "Credentialing &amp; Accuracy Management"):
        assert name in page
    assert "Eligibility" in page
    page = client.get("/ecrm/submit/client-provider-services/").content.decode()
    for name in ("Client Services", "Provider &amp; Network Relations", "Provider Services"):
        assert f">{name}" in page
    assert page.count("View Details") == 3


def test_a_form_added_in_the_database_appears_in_its_category(ecrm_catalog, reporter, client_of):
    category = Category.objects.create(name="Pharmacy", slug="pharmacy", sort_order=9)
    form = RequestForm.objects.create(category=category, name="Formulary Question", slug="formulary-question")
    form.request_types.add(RequestType.objects.create(name="Formulary Exception"))
    client = client_of(reporter)
    assert "Pharmacy" in client.get("/ecrm/submit/").content.decode()
    assert "Formulary Question" in client.get("/ecrm/submit/pharmacy/").content.decode()
    page = client.get("/ecrm/forms/formulary-question/").content.decode()
    assert "Formulary Exception" in page and "Claim/EDI Number" not in page and "*Multiple" not in page


def test_a_favorite_is_listed_first_and_the_star_toggles_without_javascript(ecrm_catalog, reporter, client_of):
    client = client_of(reporter)
    response = client.post("/ecrm/forms/provider-services/favorite/")
    assert response.status_code == 302 and response.url == "/ecrm/forms/provider-services/"
    assert 'aria-pressed="true"' in client.get(response.url).content.decode()
    page = client.get("/ecrm/submit/client-provider-services/").content.decode()
    assert page.index(CARD.format("Provider Services")) < page.index(CARD.format("Client Services"))
    client.post("/ecrm/forms/provider-services/favorite/")
    page = client.get("/ecrm/submit/client-provider-services/").content.decode()
    assert page.index(CARD.format("Client Services")) < page.index(CARD.format("Provider Services"))


def test_the_request_form_shows_the_seed_words(ecrm_catalog, reporter, client_of):
    page = client_of(reporter).get("/ecrm/forms/provider-services/").content.decode()
    for words in (
        "Issues affecting multiple users or impacting your primary job function should be reported by contacting "
        "the helpdesk.",
        "Add to Favorites?",
        "Indicates required",
        "Short Description",
        "Insurance Carrier",
        "*All",
        "*Multiple",
        "Request Type",
        "Subrequest",
        "Claim/EDI Number",
        "Request Details",
        "Contact Name",
        "Contact Phone",
        "Contact Email",
        "Add Attachments",
        "Instructions for Insurance Carrier",
    ):
        assert words in page, words
    # Each "?" shows its own field's instructions, only where the form has some.
    assert page.count("Instructions for ") == 6 and "{&#x27;" not in page and "{'" not in page


def test_submitting_gives_an_ec_number_state_new_priority_moderate_and_a_confirmation_email(
    ecrm_catalog, reporter, client_of, committed
):
    client = client_of(reporter)
    response = submit(client, committed)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/ecrm/tickets/{ticket.number}/"
    assert ticket.number == "EC00000001" and ticket.reporter == reporter
    assert (ticket.state, ticket.priority) == (TicketState.NEW, TicketPriority.MODERATE)
    assert ticket.health_plans.count() == 2 and ticket.carrier_scope == "multiple"
    assert ticket.subrequest.name == "Phone & FAX Update EviCore PAR" and ticket.claim_number == "123456789"
    page = client.get(response.url).content.decode()
    for words in (
        "EC00000001",
        "New",
        "just now",
        "3 - Moderate",
        "Wrong fax number populates during case build.",
        "<b>555-555-5555</b>",
        "Provider Info Change",
        "Phone &amp; FAX Update EviCore PAR",
        "123456789",
        "Your request has been submitted",
    ):
        assert words in page, words
    email = mail.outbox[-1]
    assert email.from_email == "EviCore ECRM <ecrm@portal.example>" or "ecrm" in email.from_email.lower()
    assert "EC00000001" in email.subject and email.to == [reporter.email]


def test_numbers_are_sequential(ecrm_catalog, reporter, client_of, committed):
    client = client_of(reporter)
    for _ in range(3):
        submit(client, committed)
    assert list(Ticket.objects.order_by("sequence").values_list("number", flat=True)) == [
        "EC00000001",
        "EC00000002",
        "EC00000003",
    ]


@pytest.mark.parametrize(
    ("slug", "changes", "field_error"),
    [
        ("provider-services", {"carrier": "multiple", "health_plans": []}, "Tick two or more health plans"),
        ("provider-services", {"carrier": "", "health_plans": None}, "Select insurance carrier"),
        ("appeal-status", {"carrier": "all", "health_plans": None, "subrequest": None}, "Select insurance carrier"),
        ("appeal-status", {"carrier": "multiple", "subrequest": None}, "Select insurance carrier"),
        ("provider-services", {"subrequest": "999999"}, "Select subrequest from the list"),
        ("provider-services", {"subrequest": ""}, "Select the subrequest of Provider Info Change"),
        ("provider-services", {"request_type": "not-a-number"}, "Select request type from the list"),
        ("provider-services", {"contact_phone": "12"}, "Enter a 10-digit US number"),
        ("claim-status", {"claim_number": "", "subrequest": None}, "Enter Claim/EDI number"),
        ("provider-services", {"claim_number": "<script>"}, "Enter the claim or EDI number"),
    ],
)
def test_wrong_answers_are_refused_with_a_message_and_nothing_saved(
    ecrm_catalog, reporter, client_of, committed, slug, changes, field_error
):
    if slug != "provider-services" and "request_type" not in changes:
        changes["request_type"] = str(RequestForm.objects.get(slug=slug).request_types.first().pk)
    if slug == "claim-status":
        changes.update(carrier=str(HealthPlan.objects.first().pk), health_plans=None)
    response = submit(client_of(reporter), committed, slug=slug, **changes)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and field_error in page, page[page.find("error-summary") :][:800]
    assert not Ticket.objects.exists()


def test_a_subrequest_of_another_request_type_is_refused(ecrm_catalog, reporter, client_of, committed):
    other = Subrequest.objects.get(name="Login or Password")
    response = submit(client_of(reporter), committed, subrequest=str(other.pk))
    assert response.status_code == 400 and "Select a subrequest of Provider Info Change" in response.content.decode()


def test_all_carriers_store_no_plan_and_one_plan_stores_it(ecrm_catalog, reporter, client_of, committed):
    client = client_of(reporter)
    submit(client, committed, carrier="all", health_plans=None)
    plan = HealthPlan.objects.order_by("name").first()
    submit(client, committed, carrier=str(plan.pk), health_plans=None)
    first, second = Ticket.objects.order_by("sequence")
    assert first.carrier_scope == "all" and not first.health_plans.exists()
    assert second.carrier_scope == "one" and list(second.health_plans.all()) == [plan]
    assert "*All" in client.get(f"/ecrm/tickets/{first.number}/").content.decode()


def test_attachments_of_any_type_are_stored_and_served_only_as_downloads(
    ecrm_catalog, reporter, client_of, committed, attachment_root
):
    client = client_of(reporter)
    files = [
        SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html"),
        SimpleUploadedFile("export.csv", b"a,b\n1,2\n", content_type="text/csv"),
    ]
    committed(client.post, "/ecrm/forms/provider-services/", {**provider_services_answers(), "attachments": files})
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get(original_name="page.html")
    assert (attachment_root / attachment.stored_name).read_bytes() == b"<script>alert(1)</script>"
    assert not attachment.stored_name.endswith(".html")
    response = client.get(f"/ecrm/tickets/{ticket.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "page.html" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_an_attachment_over_the_cap_or_empty_is_refused(ecrm_catalog, reporter, client_of, committed, settings):
    settings.ECRM_ATTACHMENT_MAX_BYTES = 10
    files = [SimpleUploadedFile("big.bin", b"x" * 11), SimpleUploadedFile("empty.txt", b"")]
    response = committed(
        client_of(reporter).post,
        "/ecrm/forms/provider-services/",
        {**provider_services_answers(), "attachments": files},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The file big.bin must be smaller than" in page and "The file empty.txt is empty" in page
    assert not Ticket.objects.exists()


def test_the_description_is_sanitized_before_it_is_stored(ecrm_catalog, reporter, client_of, committed):
    description = (
        '<p style="color:red" onclick="steal()">Hi <b>there</b></p><script>alert(1)</script>'
        '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">link</a><a href="https://x.example">ok</a>'
    )
    submit(client_of(reporter), committed, description=description)
    html = Ticket.objects.get().description_html
    for gone in ("<script", "alert(1)", "onerror", "onclick", "style=", "javascript:", "<img"):
        assert gone not in html.lower(), gone
    assert "<b>there</b>" in html and 'href="https://x.example"' in html


def test_reading_a_ticket_is_audited_without_its_text(ecrm_catalog, reporter, client_of, committed):
    client = client_of(reporter)
    submit(client, committed)
    ticket = Ticket.objects.get()
    client.get(f"/ecrm/tickets/{ticket.number}/")
    event = AuditEvent.objects.filter(action="ecrm.ticket_viewed").get()
    assert event.target_id == str(ticket.pk) and event.details == {}


def _submit_in_thread(user, form, plans, request_type, numbers, errors, barrier):
    try:
        barrier.wait()
        ticket = tickets.ticket_submit(
            request=None,
            user=user,
            request_form=form,
            data={
                "short_description": "Race",
                "carrier_scope": "multiple",
                "health_plans": plans,
                "request_type": request_type,
            },
        )
        numbers.append(ticket.sequence)
    except Exception as error:
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_get_distinct_increasing_numbers(django_db_setup):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs PostgreSQL")
    from django.core.management import call_command

    from reference.services import catalog_load

    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)
    user = ecrm_user()
    form = RequestForm.objects.get(slug="provider-services")
    plans = list(HealthPlan.objects.all()[:2])
    request_type = form.request_types.first()
    count = 12
    barrier = threading.Barrier(count)
    numbers, errors = [], []
    threads = [
        threading.Thread(target=_submit_in_thread, args=(user, form, plans, request_type, numbers, errors, barrier))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, count + 1))
    # Commit order is number order: sorted by creation time, the numbers increase.
    assert list(Ticket.objects.order_by("created_at", "pk").values_list("sequence", flat=True)) == sorted(numbers)
