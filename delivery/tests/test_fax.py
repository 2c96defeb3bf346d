import io

import pytest
from django.core.exceptions import ImproperlyConfigured

from delivery.fax import FaxMessage, get_connection, send_fax
from delivery.fax.backends.base import BaseFaxBackend
from delivery.fax.backends.locmem import outbox

PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


@pytest.fixture(autouse=True)
def fax_outbox():
    outbox.clear()
    return outbox


def test_send_fax_delivers_through_the_configured_backend_into_the_test_outbox(fax_outbox):
    fax_id = send_fax(to="8666637740", pdf=PDF, reference="letter-7")
    assert fax_id == "locmem-1"
    assert fax_outbox == [FaxMessage(to="8666637740", pdf=PDF, reference="letter-7")]


def test_the_file_backend_writes_each_fax_as_a_pdf_named_by_reference_and_number(settings, tmp_path):
    settings.FAX_BACKEND = "delivery.fax.backends.filebased.FaxBackend"
    settings.FAX_FILE_PATH = tmp_path / "fax"
    first = send_fax(to="8666637740", pdf=PDF, reference="letter-1")
    second = send_fax(to="8005550100", pdf=PDF, reference="letter-2")
    files = sorted((tmp_path / "fax").iterdir())
    assert [path.name for path in files] == [
        f"{first}-letter-1-to-8666637740.pdf",
        f"{second}-letter-2-to-8005550100.pdf",
    ]
    assert files[0].read_bytes() == PDF


def test_the_console_backend_writes_who_and_what_but_never_the_document():
    stream = io.StringIO()
    connection = get_connection("delivery.fax.backends.console.FaxBackend", stream=stream)
    fax_id = send_fax(to="8666637740", pdf=PDF, reference="letter-7", connection=connection)
    assert fax_id.startswith("console-")
    assert f"Fax to: 8666637740\nReference: letter-7\nPDF: {len(PDF)} bytes\n" in stream.getvalue()
    assert "a letter" not in stream.getvalue()


def test_the_unconfigured_backend_refuses_to_send(fax_outbox):
    connection = get_connection("delivery.fax.backends.unconfigured.FaxBackend")
    with pytest.raises(ImproperlyConfigured, match="FAX_BACKEND"):
        send_fax(to="8666637740", pdf=PDF, reference="letter-7", connection=connection)


@pytest.mark.parametrize("number", ["866-663-7740", "+18666637740", "866663774", "1866663774", ""])
def test_a_number_that_is_not_ten_us_digits_is_refused_before_any_backend_sees_it(number, fax_outbox):
    with pytest.raises(ValueError, match="ten-digit"):
        send_fax(to=number, pdf=PDF, reference="letter-7")
    assert fax_outbox == []


def test_only_a_pdf_is_faxed(fax_outbox):
    with pytest.raises(ValueError, match="PDF"):
        send_fax(to="8666637740", pdf=b"<html>", reference="letter-7")
    assert fax_outbox == []


def test_the_base_backend_names_the_one_method_a_service_must_implement():
    with pytest.raises(NotImplementedError, match="send_fax"):
        BaseFaxBackend().send_fax(FaxMessage(to="8666637740", pdf=PDF, reference="letter-7"))
