"""ECRM in Chromium (issue 13): register, verify, set the password through Identify / Verify / Reset, log in,
submit a Provider Services request for *Multiple carriers with an attachment, land on its Ticket Details, then
find it under My Cases and post a message on its Activity."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from ecrm.models import Ticket
from reference.services import catalog_load

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Tq7!mzPw2=kXv"
EMAIL = "maria.johnson@office.example"


def link_from_last_email(pattern: str) -> str:
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_an_office_registers_for_ecrm_and_submits_a_provider_services_request(
    page, live_url, audit, complete_mfa, tmp_path, settings
):
    settings.ECRM_ATTACHMENT_ROOT = tmp_path / "attachments"
    catalog_load()
    call_command("loaddata", "ecrm_catalog", verbosity=0)

    page.goto(live_url + "/ecrm/")
    audit.check()
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", name="ECRM Registration")).to_be_visible()
    audit.check()
    page.get_by_label(re.compile("^First name")).fill("Maria")
    page.get_by_label(re.compile("^Last name")).fill("Johnson")
    page.get_by_label(re.compile("^Email")).fill(EMAIL)
    page.get_by_label(re.compile("^Business Phone")).fill("860-555-0142")
    page.get_by_label(re.compile("^Organization Name")).fill("Granby Therapy")
    page.get_by_label(re.compile("^Address")).fill("12 Main Street")
    page.get_by_label(re.compile("^City")).fill("Hartford")
    page.get_by_label(re.compile("^State")).select_option("CT")
    page.get_by_label(re.compile("^Individual Tax ID")).fill("061234567")
    page.get_by_label(re.compile("^Individual NPI")).fill("1234567893")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.check()

    page.goto(link_from_last_email(r"http://\S+/ecrm/verify/\S+/"))
    expect(page.get_by_text("Your email address has been verified.")).to_be_visible()
    expect(page.get_by_text("Please check your registered email for further details.")).to_be_visible()
    audit.check()

    # The password email leads to the accounts' three steps.
    page.goto(link_from_last_email(r"http://\S+/accounts/password/forgot/"))
    audit.check()
    page.get_by_label("Username").fill(EMAIL)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("Verify")
    page.get_by_role("button", name="Send verification code").click()
    expect(page.get_by_text("a verification code is on its way")).to_be_visible()
    audit.check()
    page.get_by_label("Verification code").fill(re.search(r"\b\d{6}\b", mail.outbox[-1].body).group(0))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Reset Password")).to_be_visible()
    audit.check()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Retype password").fill(PASSWORD)
    page.get_by_role("button", name="Reset Password").click()
    expect(page.get_by_text("Your password has been reset. You can now log in.")).to_be_visible()
    audit.check()

    # Log in: an ECRM-only account's home is the ECRM landing page.
    page.get_by_label("User name").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    complete_mfa(User.objects.get(email=EMAIL))
    expect(page).to_have_url(re.compile(r"/ecrm/$"))
    audit.check()

    page.get_by_role("link", name="Submit Case").click()
    audit.check()
    page.get_by_role("link", name="Client & Provider Services").first.click()
    expect(page.get_by_role("heading", name="Client & Provider Services", level=1)).to_be_visible()
    audit.check()
    page.get_by_role("link", name="View Details for Provider Services").click()
    expect(page.get_by_role("heading", name="Provider Services", level=1)).to_be_visible()
    audit.check()

    page.get_by_label("Short Description").fill("Wrong fax number populates during case build.")
    page.get_by_label(re.compile("^Insurance Carrier")).select_option(label="*Multiple")
    plans = page.get_by_role("group", name=re.compile("^Health plans"))
    expect(plans).to_be_visible()
    plans.get_by_role("checkbox").nth(0).check()
    plans.get_by_role("checkbox").nth(1).check()
    # The toolbar wraps the selected text in the HTML the server keeps.
    description = page.get_by_role("textbox", name="Description", exact=True)
    description.fill("555-555-5555")
    description.evaluate("element => element.select()")
    page.get_by_role("button", name="Bold").click()
    expect(description).to_have_value("<b>555-555-5555</b>")
    page.get_by_label(re.compile("^Request Type")).select_option(label="Provider Info Change")
    page.get_by_label(re.compile("^Subrequest")).select_option(label="Phone & FAX Update EviCore PAR")
    page.get_by_label(re.compile("^Claim/EDI Number")).fill("123456789")
    page.get_by_label("Add Attachments").set_input_files(
        [{"name": "fax-sheet.txt", "mimeType": "text/plain", "buffer": b"Fax 555-555-5555"}]
    )
    page.locator("summary", has_text="Instructions for Insurance Carrier").click()
    expect(page.get_by_text("Choose *All when it concerns every plan")).to_be_visible()
    audit.check()
    page.get_by_role("button", name="Submit", exact=True).click()

    ticket = Ticket.objects.get()
    expect(page.get_by_role("heading", name="Ticket Details")).to_be_visible()
    expect(page.get_by_text("Your request has been submitted")).to_be_visible()
    main = page.get_by_role("main")
    expect(main).to_contain_text(ticket.number)
    expect(main).to_contain_text("just now")
    expect(main).to_contain_text("3 - Moderate")
    expect(main).to_contain_text("*Multiple")
    expect(main).to_contain_text("fax-sheet.txt")
    assert re.fullmatch(r"EC\d{8}", ticket.number) and page.url.endswith(f"/ecrm/tickets/{ticket.number}/")
    assert ticket.health_plans.count() == 2 and ticket.attachments.count() == 1
    assert ticket.description_html == "<b>555-555-5555</b>"
    audit.check()
    assert ticket.number in mail.outbox[-1].subject

    # My Cases (upper right): the request is listed; its number opens the Activity, where a message is posted.
    page.get_by_role("link", name="My Cases").click()
    expect(page.get_by_role("heading", name="My Cases")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(ticket.number))
    expect(row).to_contain_text("Wrong fax number populates during case build.")
    expect(row).to_contain_text("New")
    audit.check()
    row.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("main")).to_contain_text(f"{ticket.number} Created")
    audit.check()
    page.get_by_label("Message").fill("Our correct fax number is 555-555-5555.")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("Your message has been posted.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Our correct fax number is 555-555-5555.")
    audit.check()
    assert ticket.comments.get().body_html == "<p>Our correct fax number is 555-555-5555.</p>"
