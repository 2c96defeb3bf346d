"""A repeatable synthetic world: practitioners, groups, sites and members with eligibility spans.

Record number i is always generated from the same seed, so a run makes the same people every time,
``--scale`` only appends records, and a second run finds everything present and adds nothing.
All names, dates, numbers and addresses are synthetic (Faker, en_US).
"""

import datetime
import random
from collections.abc import Iterator

from django.db import transaction
from faker import Faker

from reference.models import Eligibility, HealthPlan, Member, Provider, Site
from reference.validators import npi_with_check_digit

SEED = 20251218  # the day HH and DME requests moved to the EviCore portal (seed 003)
# Ages and coverage spans are set against this date, not the run's date, so any rerun agrees.
WORLD_DATE = datetime.date(2026, 1, 1)
BATCH_SIZE = 2000
# The states of the practices the demo world is set in (Cigna Commercial markets).
STATES = ("CT", "NY", "NJ", "PA", "FL", "TX", "TN", "AZ", "CO", "IL")
SPECIALTIES = (
    "Internal Medicine",
    "Family Medicine",
    "Orthopaedic Surgery",
    "Pulmonary Disease",
    "Neurology",
    "Cardiology",
    "Physical Medicine & Rehabilitation",
)
CREDENTIALS = ("MD", "MD", "MD", "DO", "NP", "PA")


def _rng(kind: str, index: int) -> random.Random:
    return random.Random(f"{SEED}:{kind}:{index}")  # noqa: S311 (repeatable synthetic data, not secrets)


def _faker(rng: random.Random) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(rng.getrandbits(32))
    return fake


def _unique_digits(index: int) -> str:
    """Eight digits that differ for every index below 10**8 (7919 is prime to 10**8: a permutation)."""
    return f"{(index * 7919 + 10_000_019) % 10**8:08d}"


def _npi(index: int, first_digit: str) -> str:
    # Practitioners and groups start with 1, sites with 2, so the two tables never share an NPI.
    return npi_with_check_digit(first_digit + _unique_digits(index))


def _phone(rng: random.Random) -> str:
    # NANP: area code and exchange start 2-9; 555-01xx style numbers would look fake on a fax cover.
    return f"{rng.randint(201, 989)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def _address(fake: Faker, rng: random.Random) -> dict:
    state = rng.choice(STATES)
    return {
        "address_line1": fake.street_address(),
        "city": fake.city(),
        "state": state,
        "zip_code": fake.zipcode_in_state(state),
    }


def provider_record(index: int) -> Provider:
    rng = _rng("provider", index)
    fake = _faker(rng)
    address = _address(fake, rng)
    is_group = index % 5 == 4
    common = {
        "tin": f"{rng.randint(10, 99)}{rng.randint(0, 9999999):07d}",
        "phone": _phone(rng),
        "fax": _phone(rng),
        "specialty": rng.choice(SPECIALTIES),
        **address,
    }
    if is_group:
        name = (
            f"{fake.last_name()} {rng.choice(('Medical Group', 'Family Practice', 'Orthopedics', 'Health Partners'))}"
        )
        return Provider(
            kind=Provider.Kind.GROUP,
            npi=_npi(index, "1"),
            organization_name=name,
            email=f"office{index}@{fake.domain_word()}.example",
            **common,
        )
    first, last = fake.first_name(), fake.last_name()
    return Provider(
        kind=Provider.Kind.PRACTITIONER,
        npi=_npi(index, "1"),
        first_name=first,
        last_name=last,
        credentials=rng.choice(CREDENTIALS),
        email=f"{first[0].lower()}{last.lower()}{index}@clinic.example",
        **common,
    )


def site_record(index: int) -> Site:
    rng = _rng("site", index)
    fake = _faker(rng)
    address = _address(fake, rng)
    if index % 2 == 0:
        kind, suffix = (
            Site.Kind.DME_SUPPLIER,
            rng.choice(("Medical Supply", "Home Medical Equipment", "Respiratory Care")),
        )
    else:
        kind, suffix = (
            Site.Kind.HOME_HEALTH_AGENCY,
            rng.choice(("Home Health Services", "Visiting Nurses", "Home Care")),
        )
    name = f"{address['city']} {suffix}"
    return Site(
        kind=kind,
        name=name,
        npi=_npi(index, "2"),
        tin=f"{rng.randint(10, 99)}{rng.randint(0, 9999999):07d}",
        phone=_phone(rng),
        fax=_phone(rng),
        email=f"intake{index}@{fake.domain_word()}.example",
        **address,
    )


def member_record(index: int) -> tuple[Member, list[dict]]:
    """A member and the coverage spans to give them: most covered now, some lapsed, some future."""
    rng = _rng("member", index)
    today = WORLD_DATE
    fake = _faker(rng)
    sex = rng.choice((Member.Sex.FEMALE, Member.Sex.MALE))
    first = fake.first_name_female() if sex == Member.Sex.FEMALE else fake.first_name_male()
    # Home health and DME members skew old: ages 18 to 95, most over 55.
    age = rng.choice((rng.randint(18, 54), rng.randint(55, 95), rng.randint(65, 95)))
    birth = today.replace(year=today.year - age, month=1, day=1) + datetime.timedelta(days=rng.randrange(365))
    member = Member(
        member_id=f"U{_unique_digits(index)}{rng.randrange(100):02d}",
        first_name=first,
        last_name=fake.last_name(),
        date_of_birth=birth,
        sex=sex,
        phone=_phone(rng),
        **_address(fake, rng),
    )
    roll = rng.random()
    start = datetime.date(today.year - rng.randint(0, 4), 1, 1)
    if roll < 0.80:
        spans = [{"plan": "cigna-commercial", "start": start, "end": None}]
    elif roll < 0.88:
        spans = [{"plan": "cigna-medicare", "start": start, "end": None}]
    elif roll < 0.94:
        # Coverage ended last year: "not eligible on the date of service".
        spans = [
            {
                "plan": "cigna-commercial",
                "start": start.replace(year=start.year - 1),
                "end": today.replace(month=1, day=1) - datetime.timedelta(days=1),
            }
        ]
    else:
        # A plan that delegates neither Home Health nor DME.
        spans = [{"plan": "keystone-community", "start": start, "end": None}]
    for span in spans:
        span["group"] = f"{rng.randint(1000000, 3999999)}"
    return member, spans


def _chunks(total: int, start: int = 0) -> Iterator[range]:
    for first in range(start, total, BATCH_SIZE):
        yield range(first, min(first + BATCH_SIZE, total))


def _create_missing(model, records, key: str) -> list:
    keys = [getattr(record, key) for record in records]
    present = set(model.objects.filter(**{f"{key}__in": keys}).values_list(key, flat=True))
    seen, missing = set(present), []
    for record in records:
        value = getattr(record, key)
        if value not in seen:
            seen.add(value)
            missing.append(record)
    return model.objects.bulk_create(missing)


def providers_generate(count: int) -> int:
    created = 0
    for chunk in _chunks(count):
        with transaction.atomic():
            created += len(_create_missing(Provider, [provider_record(i) for i in chunk], "npi"))
    return created


def sites_generate(count: int) -> int:
    created = 0
    for chunk in _chunks(count):
        with transaction.atomic():
            created += len(_create_missing(Site, [site_record(i) for i in chunk], "npi"))
    return created


def members_generate(count: int) -> int:
    """Members 0..count-1 with their coverage spans."""
    plans = {plan.code: plan for plan in HealthPlan.objects.all()}
    created = 0
    for chunk in _chunks(count):
        pairs = [member_record(i) for i in chunk]
        spans_by_member_id = {member.member_id: spans for member, spans in pairs}
        with transaction.atomic():
            new_members = _create_missing(Member, [member for member, _ in pairs], "member_id")
            if not new_members:
                continue
            # bulk_create sets primary keys on PostgreSQL and SQLite >= 3.35; fetch them anyway to
            # stay correct on any backend.
            ids = dict(
                Member.objects.filter(member_id__in=[m.member_id for m in new_members]).values_list("member_id", "id")
            )
            Eligibility.objects.bulk_create(
                [
                    Eligibility(
                        member_id=ids[member.member_id],
                        health_plan=plans[span["plan"]],
                        group_number=span["group"],
                        coverage_start=span["start"],
                        coverage_end=span["end"],
                    )
                    for member in new_members
                    for span in spans_by_member_id[member.member_id]
                ]
            )
            created += len(new_members)
    return created
