"""The demo office's requests, one scenario per story a case tells (``cases.demo`` builds them).

Each scenario runs the services on a clock set back (``demo.clock``) so that its dates read as lived: submitted
some days ago, decided later, a hold due in a few days. Its note is the marker that keeps it from being built
twice and, shown on the case as the additional notes, tells the visitor what the case is there to show.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from cases import alternatives, appeals, decisions, extensions, holds, queue, reconsiderations, services
from cases.demo import DemoOffice, Denial, clock, decide, draft_build, hold, submitted_build
from cases.models import DeterminationOutcome, HoldItem
from reference.models import HcpcsCode

WHEELCHAIR_DENIAL = Denial(
    criterion="Mobility limitation in the home not shown to be unresolved by a cane, walker or manual wheelchair.",
    documentation="Face-to-face examination notes describing the trial of a manual wheelchair and why it failed.",
    guideline="Power Mobility Devices",
)
MATTRESS_DENIAL = Denial(
    criterion="No stage 3 or 4 pressure ulcer on the trunk or pelvis is documented.",
    documentation="A wound assessment giving the stage, size and location of each ulcer.",
    guideline="Durable Medical Equipment: General Criteria",
)
ULTRALIGHT_ALTERNATIVE = Denial(
    criterion="Daily self-propulsion that a standard wheelchair cannot support is not documented.",
    documentation="Therapy notes showing the member cannot self-propel a standard wheelchair in the home.",
    guideline="Power Mobility Devices",
    alternative="K0001 Standard wheelchair",
)
# The item the ultralightweight wheelchair's alternative names: a standard wheelchair, rented for a month.
STANDARD_WHEELCHAIR = ("K0001", 1)
HOMEBOUND_DENIAL = Denial(
    criterion="Homebound status is not documented: the member drives to outpatient appointments.",
    documentation="The physician's note of the member's homebound status and what leaving home requires.",
    guideline="Home Health Services",
)


@dataclass(frozen=True)
class Scenario:
    note: str
    build: Callable[[DemoOffice, str], object]


def in_progress(office, note):
    draft_build(office, program="home-health", note=note, attest=False)


def pending_due_soon(office, note):
    with clock(days_ago=6):
        submitted_build(office, program="dme", note=note, dme_lines=[("E1390", 3)])


def overdue(office, note):
    with clock(days_ago=9):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=8):
        queue.case_claim(case=case, by=office.reviewer)  # claimed, then left waiting: "Assigned to me" has work


def on_hold(office, note):
    with clock(days_ago=3):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=1):
        queue.case_claim(case=case, by=office.reviewer)
        hold(
            office,
            case,
            items=[HoldItem.PROGRESS_NOTES, HoldItem.MEDICATION_LIST],
            note="Please send the nursing notes of the last two weeks.",
            due_in_days=6,
        )


def hold_lapsed(office, note):
    with clock(days_ago=12):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E0260", 2)])
    with clock(days_ago=11):
        queue.case_claim(case=case, by=office.reviewer)
        hold(office, case, items=[HoldItem.PHYSICIAN_ORDER, HoldItem.INVOICE], note="", due_in_days=7)
    with clock(days_ago=3):
        holds.holds_lapse()  # what the nightly job did three days ago: the hold was due the day before


def approved_bundle(office, note):
    with clock(days_ago=5):
        submitted_build(office, program="home-health", note=note, bundle=True)


def approved_dme(office, note):
    with clock(days_ago=8):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E1390", 3), ("E0431", 3)])
    with clock(days_ago=4):
        decide(office, case, {})


def approved_home_health(office, note):
    with clock(days_ago=14):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=11):
        decide(office, case, {})


def partially_approved(office, note):
    with clock(days_ago=10):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E0260", 3), ("E0277", 3)])
    with clock(days_ago=6):
        decide(office, case, {"E0277": MATTRESS_DENIAL})


def denied(office, note):
    with clock(days_ago=15):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("K0823", 6)])
    with clock(days_ago=11):
        decide(office, case, {"K0823": WHEELCHAIR_DENIAL})


def decide_offering_alternative(office, case, code: str, offer: Denial, item: tuple[str, int], *, denied=None):
    """The reviewer offers the alternative ``item`` (HCPCS code, quantity) for the line of ``code``, denies the lines
    of ``denied`` (HCPCS code -> ``Denial``) and approves the others in the initial round, then decides the case
    (``demo.decide`` with the alternative item as data)."""
    denied = denied or {}
    for line in case.service_lines.select_related("hcpcs"):
        denial = denied.get(line.hcpcs.code)
        if denial:
            decisions.line_determine(
                line=line,
                round="initial",
                outcome="denied",
                criterion=denial.criterion,
                guideline=office.guideline("dme", denial.guideline),
                documentation=denial.documentation,
                by=office.reviewer,
            )
            continue
        if line.hcpcs.code != code:
            decisions.line_determine(
                line=line, round="initial", outcome="approved", approved_quantity=line.quantity, by=office.reviewer
            )
            continue
        decisions.line_determine(
            line=line,
            round="initial",
            outcome="alternative_offered",
            criterion=offer.criterion,
            guideline=office.guideline("dme", offer.guideline),
            documentation=offer.documentation,
            alternative=offer.alternative,
            alternative_hcpcs=HcpcsCode.objects.get(code=item[0]),
            alternative_quantity=item[1],
            by=office.reviewer,
        )
    return decisions.case_decide(case=case, round="initial", by=office.reviewer)


def alternative_offered(office, note):
    with clock(days_ago=9):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("K0005", 1)])
    with clock(days_ago=5):
        decide_offering_alternative(office, case, "K0005", ULTRALIGHT_ALTERNATIVE, STANDARD_WHEELCHAIR)


def cancelled(office, note):
    with clock(days_ago=4):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=3):
        services.case_withdraw(case=case, user=office.owner)


def alternative_accepted(office, note):
    with clock(days_ago=13):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E0260", 2), ("K0005", 1), ("E0277", 2)])
    with clock(days_ago=9):
        decide_offering_alternative(
            office, case, "K0005", ULTRALIGHT_ALTERNATIVE, STANDARD_WHEELCHAIR, denied={"E0277": MATTRESS_DENIAL}
        )
    offered = case.service_lines.get(hcpcs__code="K0005").determinations.get(
        outcome=DeterminationOutcome.ALTERNATIVE_OFFERED
    )
    with clock(days_ago=7):
        # Accepting authorizes the standard wheelchair at once as line 4; with the mattress still denied, the case
        # stays Partially Approved (a single-line request, as in ``alternative_offered``, would become Approved).
        alternatives.alternative_accept(determination=offered, user=office.owner)


def reconsideration_requested(office, note):
    with clock(days_ago=12):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E0277", 2)])
    with clock(days_ago=8):
        decide(office, case, {"E0277": MATTRESS_DENIAL})
    with clock(days_ago=2):
        reconsiderations.reconsideration_request(
            case=case,
            user=office.owner,
            reason="The wound care nurse has staged the sacral ulcer since the request was sent.",
            documentation=reconsiderations.reconsideration_prefill(case),
        )


def appeal_submitted(office, note):
    with clock(days_ago=20):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=16):
        decide(office, case, {}, otherwise=HOMEBOUND_DENIAL)
    with clock(days_ago=3):
        appeal = appeals.appeal_draft_start(case=case, user=office.owner)
        appeal = appeals.appeal_draft_save(
            appeal=appeal,
            user=office.owner,
            reason="The member left home only for dialysis, which the attached visit log shows.",
            contact_name=f"{office.owner.first_name} {office.owner.last_name}",
            contact_phone=office.providers[0].phone,
        )
        appeals.appeal_submit(appeal=appeal, user=office.owner)


def appeal_draft(office, note):
    with clock(days_ago=11):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("K0823", 13)])
    with clock(days_ago=7):
        decide(office, case, {"K0823": WHEELCHAIR_DENIAL})
    # Started today: a draft is kept five calendar days, then the hourly job deletes it.
    appeal = appeals.appeal_draft_start(case=case, user=office.owner)
    appeals.appeal_draft_save(appeal=appeal, user=office.owner, reason="The manual wheelchair trial notes follow.")


def extension_requested(office, note):
    with clock(days_ago=30):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("E0260", 2)])
    with clock(days_ago=27):
        case = decide(office, case, {})
    with clock(days_ago=1):
        extensions.extension_request(
            case=case,
            user=office.owner,
            reason="Discharge from the rehabilitation unit moved: the bed is needed for one more month.",
            requested_valid_to=case.valid_to + datetime.timedelta(days=30),
        )


SCENARIOS = (
    Scenario("in progress, built up to the attestation.", in_progress),
    Scenario("pending medical review, its decision due tomorrow.", pending_due_soon),
    Scenario("overdue: its decision was due two days ago.", overdue),
    Scenario("on hold for progress notes and the medication list, due in five days.", on_hold),
    Scenario("the hold lapsed unanswered: back in the queue, to be decided on the original submission.", hold_lapsed),
    Scenario("approved at submission: the Home Health bundle was accepted.", approved_bundle),
    Scenario("approved after review: home oxygen.", approved_dme),
    Scenario("approved after review: Home Health nurse and therapy visits.", approved_home_health),
    Scenario("partially approved: the hospital bed approved, the powered mattress denied.", partially_approved),
    Scenario("denied: a power wheelchair, with the criterion not met.", denied),
    Scenario("alternative offered: a standard wheelchair instead of an ultralightweight one.", alternative_offered),
    Scenario("cancelled: withdrawn by the office while it waited for review.", cancelled),
    Scenario("alternative accepted: a standard wheelchair instead of an ultralightweight one.", alternative_accepted),
    Scenario("denied: a powered mattress; a reconsideration is waiting for its decision.", reconsideration_requested),
    Scenario("denied: Home Health visits, homebound status not shown; an appeal was submitted.", appeal_submitted),
    Scenario("denied: a power wheelchair; an appeal draft was started today.", appeal_draft),
    Scenario("approved after review: a hospital bed; a one-time extension is requested.", extension_requested),
)
