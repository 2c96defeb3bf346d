"""Fixtures of the correspondence tests: the fax outbox, tasks run in the test process, and cases with letters."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases import appeals, holds
from cases.models import HoldItem
from correspondence.models import Letter
from delivery.fax.backends.locmem import outbox
from portal.celery import app as celery_app


@pytest.fixture(autouse=True)
def fax_outbox():
    """Faxes sent through the locmem fax backend (FAX_BACKEND under test), emptied before each test."""
    outbox.clear()
    return outbox


@pytest.fixture
def eager_tasks():
    """Tasks queued on commit run in the test process, as a worker would run them (no broker)."""
    was = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = was


def pdf_text(document: bytes) -> str:
    """The text of every page, through pypdf, with runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(bytes(document)))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def laid_out_boxes(document) -> list[tuple]:
    """Every box of every page of a laid-out WeasyPrint document (``pdf.html_layout``), in tree order: its depth,
    kind, place, size and text, and what its style draws (color, font, list marker, borders). Two documents with
    the same list print the same pages."""
    drawn = ("color", "font_family", "font_size", "font_style", "font_weight", "list_style_type", "line_height")
    borders = [f"border_{side}_{what}" for side in ("top", "right", "bottom", "left") for what in ("width", "color")]

    def walk(box, depth, out):
        place = tuple(round(value or 0, 3) for value in (box.position_x, box.position_y, box.width, box.height))
        style = tuple(str(box.style[name]) for name in (*drawn, *borders))
        out.append((depth, type(box).__name__, *place, getattr(box, "text", None), *style))
        for child in getattr(box, "children", None) or ():
            walk(child, depth + 1, out)
        return out

    return [walk(page._page_box, 0, []) for page in document.pages]


def page_one_text(document: bytes) -> str:
    return " ".join((PdfReader(io.BytesIO(bytes(document))).pages[0].extract_text() or "").split())


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def hold_placed(case, reviewer, *, note="Please send the wound care notes.", due_on=None):
    return holds.hold_place(
        case=case,
        items=[HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST],
        note=note,
        due_on=due_on or in_days(7),
        by=reviewer,
    )


def appeal_submitted(case, user, **fields):
    appeal = appeals.appeal_draft_start(case=case, user=user)
    appeal = appeals.appeal_draft_save(appeal=appeal, user=user, reason="Medically necessary.", **fields)
    return appeals.appeal_submit(appeal=appeal, user=user)


def letters_of(case, kind=None):
    rows = Letter.objects.filter(case=case).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def one_letter_of_each_kind(reviewer) -> dict:
    """One letter of each kind, each written by its case event (the outbox), not yet rendered, by kind in the order
    of ``Letter.Kind`` (bench/letters.py renders these too)."""
    from cases.tests.factories import submitted_case
    from cases.tests.post_decision_world import appeals_user, decided_case, determine

    hold_placed(submitted_case(), reviewer)
    for outcomes in ("aaa", "ddd", "xaa"):
        decided_case(outcomes, by=reviewer)
    appealed = decided_case("add", by=reviewer)
    appeal = appeal_submitted(appealed, appeals_user(appealed), is_expedited=True)
    lines = [line for line in appealed.service_lines.all() if line.determinations.latest("pk").outcome != "approved"]
    determine(appealed, "ad", by=reviewer, round="appeal", sequence=appeal.sequence, lines=lines)
    appeals.appeal_decide(appeal=appeal, by=reviewer)
    found = {letter.kind: letter for letter in Letter.objects.select_related("event").order_by("pk")}
    return {kind: found[kind] for kind in Letter.Kind.values if kind in found}
