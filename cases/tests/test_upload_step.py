"""The Clinical Upload step through the client: one message per refused file, and a message for no file."""

import re
from html import unescape

import pytest

from cases.tests import files
from cases.tests.files import upload
from cases.tests.test_wizard import clinical, office, step_url, walk_to_attestation, world  # noqa: F401

pytestmark = pytest.mark.django_db

NO_FILE_SUBMITTED = "No file was submitted. Check the encoding type on the form."


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.CLINICAL_UPLOAD_ROOT = tmp_path / "clinical-uploads"


@pytest.fixture
def at_upload(office, world):  # noqa: F811
    """A routine DME request at the Clinical Upload step, and the office's client."""
    _user, client = office
    case = walk_to_attestation(client, world, program="dme")
    client.post(step_url(case, "attest"), {"attest": "on"})
    clinical(client, case, "hcpcs-line.0", {"hcpcs_code": "E0260", "hcpcs_units": "1"})
    clinical(client, case, "hcpcs-line.0.more", {"hcpcs_more": "no"})
    client.post(step_url(case, "clinical-summary"), {"action": "continue"})
    client.post(step_url(case, "urgency"), {"is_routine": "yes"})
    return case, client


def field_errors(page: str) -> list[str]:
    """The messages shown next to the file field (``includes/_field.html``: one per line, each after "Error:")."""
    shown = re.search(r'<p class="error-message" id="id_files_error">(.*?)</p>', page, re.S)
    assert shown, "the file field shows no errors"
    return [
        unescape(re.sub(r"<[^>]+>", "", line)).replace("Error:", "", 1).strip() for line in shown.group(1).split("<br>")
    ]


def test_each_refused_file_gets_exactly_one_message_and_no_encoding_message(at_upload):
    case, client = at_upload
    good = upload("notes.pdf", files.pdf_bytes(), files.PDF_MIME)
    fake = upload("virus.pdf", files.exe_bytes(), files.PDF_MIME)
    script = upload("page.pdf", files.html_bytes(), files.PDF_MIME)
    response = client.post(step_url(case, "upload"), {"action": "upload", "files": [good, fake, script]})
    assert response.status_code == 200
    page = response.content.decode()
    assert NO_FILE_SUBMITTED not in page
    errors = field_errors(page)
    assert len(errors) == 2
    assert errors[0].startswith("virus.pdf ")
    assert errors[1].startswith("page.pdf ")
    assert case.documents.get().original_name == "notes.pdf"


def test_one_refused_file_shows_only_its_own_message(at_upload):
    case, client = at_upload
    fake = upload("virus.pdf", files.exe_bytes(), files.PDF_MIME)
    page = client.post(step_url(case, "upload"), {"action": "upload", "files": [fake]}).content.decode()
    assert NO_FILE_SUBMITTED not in page
    assert len(field_errors(page)) == 1
    assert not case.documents.exists()


def test_upload_with_no_file_chosen_asks_for_a_file(at_upload):
    case, client = at_upload
    response = client.post(step_url(case, "upload"), {"action": "upload", "additional_notes": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert field_errors(page) == ["Choose a file to upload."]
    assert NO_FILE_SUBMITTED not in page


def test_continue_without_a_new_file_moves_on_when_none_is_required(at_upload):
    case, client = at_upload
    response = client.post(step_url(case, "upload"), {"action": "continue", "additional_notes": ""})
    assert response.status_code == 302
    assert response["Location"] == step_url(case, "review")


def test_continue_without_a_new_file_moves_on_when_documents_exist(at_upload):
    case, client = at_upload
    good = upload("notes.pdf", files.pdf_bytes(), files.PDF_MIME)
    client.post(step_url(case, "upload"), {"action": "upload", "files": [good]})
    response = client.post(step_url(case, "upload"), {"action": "continue", "additional_notes": ""})
    assert response.status_code == 302
    assert response["Location"] == step_url(case, "review")
    assert case.documents.count() == 1


def test_more_than_five_files_at_once_are_refused_with_one_message(at_upload):
    case, client = at_upload
    chosen = [upload(f"notes-{n}.pdf", files.pdf_bytes(), files.PDF_MIME) for n in range(6)]
    page = client.post(step_url(case, "upload"), {"action": "upload", "files": chosen}).content.decode()
    assert field_errors(page) == ["Select up to 5 documents at a time."]
    assert not case.documents.exists()
