"""Additional notes typed on the Clinical Upload step are shown on the review page, the summary and its PDF."""

import pytest
from django.urls import reverse

from cases.tests.factories import submitted_case
from cases.tests.test_wizard import clinical, office, step_url, walk_to_attestation, world  # noqa: F401
from correspondence.tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

NOTES = 'Call before 10 <b>am</b> & ask for "Dr. O\'Neil".\nPatient lives on the 2nd floor.'
NOTES_AS_HTML = (
    "Call before 10 &lt;b&gt;am&lt;/b&gt; &amp; ask for &quot;Dr. O&#x27;Neil&quot;.<br>Patient lives on the 2nd floor."
)


def test_notes_typed_on_the_upload_step_are_on_the_review_page_escaped_with_their_line_breaks(office, world):  # noqa: F811
    _user, client = office
    case = walk_to_attestation(client, world, program="dme")
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "1"})
    clinical(client, case, "hcpcs-line.0.more", {"hcpcs_more": "no"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "yes"})
    response = client.post(step_url(case, "upload"), {"action": "continue", "additional_notes": NOTES})
    assert response["Location"] == step_url(case, "review")
    page = client.get(step_url(case, "review")).content.decode()
    assert NOTES_AS_HTML in page
    assert "<b>am</b>" not in page


def test_the_summary_shows_the_notes_escaped_with_their_line_breaks(signed_in_client, catalog):
    case = submitted_case(additional_notes=NOTES)
    page = signed_in_client(case.created_by).get(reverse("cases:summary", args=[case.request_id])).content.decode()
    assert NOTES_AS_HTML in page
    assert "<b>am</b>" not in page


def test_the_summary_pdf_prints_the_notes_as_typed_on_two_lines(signed_in_client, catalog):
    """Read from the PDF itself: the text WeasyPrint drew, through the fonts' ToUnicode maps."""
    case = submitted_case(additional_notes=NOTES)
    response = signed_in_client(case.created_by).get(reverse("cases:summary_pdf", args=[case.request_id]))
    lines = pdf_text(response.content).splitlines()
    # A long line may wrap in the cell, so the text is searched with the lines joined; the typed line break
    # still starts the second line.
    assert NOTES.replace("\n", " ") in " ".join(lines)
    assert any(line.startswith("Patient lives on") for line in lines)


def test_no_notes_row_when_none_were_typed(signed_in_client, catalog):
    case = submitted_case()
    page = signed_in_client(case.created_by).get(reverse("cases:summary", args=[case.request_id])).content.decode()
    assert "Additional Notes" not in page
