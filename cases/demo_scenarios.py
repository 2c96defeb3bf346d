"""The demo office's requests, one scenario per story a case tells (``cases.demo`` builds them).

Each scenario runs the services on a clock set back (``demo.clock``) so that its dates read as lived: submitted
some days ago, decided later, a hold due in a few days. Its note is the marker that keeps it from being built
twice and, shown on the case as the additional notes, tells the visitor what the case is there to show.
"""

from collections.abc import Callable
from dataclasses import dataclass

from cases import holds, services
from cases.demo import DemoOffice, Denial, clock, decide, draft_build, hold, submitted_build
from cases.models import HoldItem

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


@dataclass(frozen=True)
class Scenario:
    note: str
    build: Callable[[DemoOffice, str], object]
    # Whether the services this scenario needs exist (some arrive with later work).
    available: Callable[[], bool] = lambda: True


def in_progress(office, note):
    draft_build(office, program="home-health", note=note, attest=False)


def pending_due_soon(office, note):
    with clock(days_ago=6):
        submitted_build(office, program="dme", note=note, dme_lines=[("E1390", 3)])


def overdue(office, note):
    with clock(days_ago=9):
        submitted_build(office, program="home-health", note=note)


def on_hold(office, note):
    with clock(days_ago=3):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=1):
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


def alternative_offered(office, note):
    with clock(days_ago=9):
        case = submitted_build(office, program="dme", note=note, dme_lines=[("K0005", 1)])
    with clock(days_ago=5):
        decide(office, case, {"K0005": ULTRALIGHT_ALTERNATIVE})


def cancelled(office, note):
    with clock(days_ago=4):
        case = submitted_build(office, program="home-health", note=note)
    with clock(days_ago=3):
        services.case_withdraw(case=case, user=office.owner)


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
)
