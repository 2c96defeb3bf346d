"""The cases on file, generated in SQL: a staging table drawn with ``generate_series`` and ``random()``
(seeded), then the cases, their service lines (copied from the answer sets' outcomes) and their status
changes, each in one ``INSERT ... SELECT``. Statuses follow case_bench's mix (drafts, expired and cancelled
drafts too, which the worklist must not list); identifiers have the shapes of ``cases.identifiers``, made
unique by multiplying the row number by a number prime to the identifier's range (a permutation)."""

from __future__ import annotations

import time

from case_bench.world import STATUS_MIX

ALPHANUMERIC = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # cases.identifiers' alphabet: no I, O, 0, 1 (32 characters)
PRE_ATTESTATION_STEPS = ("provider", "insurer", "contact", "date", "patient", "patient-contact", "service", "site")
SUBMITTED_STEPS = (*PRE_ATTESTATION_STEPS, "attest", "clinical-summary", "urgency", "upload")
PENDING = ("submitted", "pending_review", "on_hold")
DECIDED = ("approved", "partially_approved", "denied")


def _status_case() -> str:
    """``CASE WHEN r < 0.08 THEN 'draft' ...``: the mix's label for a uniform draw ``r_status``."""
    total = sum(weight for _, weight in STATUS_MIX)
    bound, branches = 0.0, []
    for label, weight in STATUS_MIX[:-1]:
        bound += weight / total
        branches.append(f"WHEN r_status < {bound:.6f} THEN '{label}'")
    return f"CASE {' '.join(branches)} ELSE '{STATUS_MIX[-1][0]}' END"


def _authorization(x: str) -> str:
    """'AU' and eight characters of the alphabet: the 40-bit number ``x`` in base 32."""
    digits = " || ".join(
        f"substr('{ALPHANUMERIC}', 1 + ((({x}) >> {shift}) & 31)::int, 1)" for shift in range(35, -5, -5)
    )
    return f"'AU' || {digits}"


STAGING_SQL = """
CREATE UNLOGGED TABLE bench_cases AS
WITH draws AS (
    SELECT g,
           CASE WHEN g %% %(stride)s = 0 AND g / %(stride)s <= %(visible)s THEN 0
                ELSE 1 + floor(random() * (%(practice_count)s - 1))::int END AS pidx,
           random() AS r_status, random() AS r_program, random() AS r_user, random() AS r_template,
           random() AS r_member, random() AS r_provider, random() AS r_site, random() AS r_plan, random() AS r_time,
           random() AS r_decide, random() AS r_urgent, random() AS r_assign, random() AS r_role, random() AS r_minutes
    FROM generate_series(1, %(count)s) AS g
), labelled AS (
    SELECT d.*, {status_case} AS mix,
           CASE WHEN r_program < 0.5 THEN %(hh)s ELSE %(dme)s END AS program_id
    FROM draws d
), timed AS (
    SELECT l.*,
           mix NOT IN ('draft', 'expired', 'cancelled-draft') AS is_submitted,
           now() - CASE WHEN mix = 'draft' THEN r_time * interval '47 hours'
                        WHEN mix IN {pending} THEN r_time * interval '10 days'
                        ELSE interval '3 days' + r_time * interval '727 days' END AS created_at,
           CASE WHEN program_id = %(hh)s THEN floor(r_template * %(hh_templates)s)
                ELSE floor(r_template * %(dme_templates)s) END::int AS template_n
    FROM labelled l
), submitted AS (
    SELECT t.*,
           CASE WHEN is_submitted THEN created_at + interval '10 minutes' + r_minutes * interval '110 minutes' END
               AS submitted_at,
           is_submitted AND program_id = %(dme)s AND r_urgent < 0.05 AS is_urgent,
           (created_at + interval '1 day' + floor(r_minutes * 10) * interval '1 day')::date AS date_of_service
    FROM timed t
)
SELECT s.g AS id,
       (1000000000 + (s.g::bigint * 2654435761) %% 9000000000)::text AS request_id,
       CASE WHEN is_submitted THEN 'A' || lpad(((s.g::bigint * 1000003 + 7) %% 1000000000)::text, 9, '0') END
           AS case_number,
       CASE WHEN is_submitted THEN (10000000000 + (s.g::bigint * 2654435761) %% 90000000000)::text END AS episode_id,
       CASE WHEN mix IN ('approved', 'partially_approved')
            THEN {authorization} END AS authorization_number,
       CASE WHEN mix = 'cancelled-draft' THEN 'cancelled' ELSE mix END AS status,
       s.program_id,
       CASE WHEN r_role < 0.85 THEN 'referring_physician'
            WHEN s.program_id = %(dme)s THEN 'dme_provider' ELSE 'home_health_agency' END AS builder_role,
       bs.user_id AS created_by_id,
       bp.practice_id,
       created_at,
       CASE WHEN is_submitted THEN 'summary' ELSE 'attest' END AS current_step,
       CASE WHEN is_submitted THEN %(submitted_steps)s::jsonb ELSE %(draft_steps)s::jsonb END AS completed_steps,
       created_at + r_minutes * interval '30 minutes' AS last_saved_at,
       CASE WHEN mix IN ('draft', 'expired') THEN created_at + interval '2 days' END AS expires_at,
       (%(providers)s::int[])[1 + floor(r_provider * cardinality(%(providers)s::int[]))::int] AS ordering_provider_id,
       CASE WHEN r_plan < 0.8 THEN %(commercial)s ELSE %(medicare)s END AS health_plan_id,
       date_of_service,
       CASE WHEN s.program_id = %(dme)s THEN false END AS dme_already_dispensed,
       (%(members)s::int[])[1 + floor(r_member * cardinality(%(members)s::int[]))::int] AS member_id,
       (%(diagnoses)s::int[])[1 + (s.g %% cardinality(%(diagnoses)s::int[]))] AS primary_diagnosis_id,
       CASE WHEN s.program_id = %(dme)s
            THEN (%(dme_sites)s::int[])[1 + floor(r_site * cardinality(%(dme_sites)s::int[]))::int]
            ELSE (%(hh_sites)s::int[])[1 + floor(r_site * cardinality(%(hh_sites)s::int[]))::int] END AS site_id,
       CASE WHEN s.program_id = %(dme)s THEN '12 - Home' ELSE '' END AS place_of_service,
       CASE WHEN is_submitted THEN created_at + interval '5 minutes' END AS attested_at,
       CASE WHEN is_submitted THEN tp.questionnaire_id ELSE '' END AS questionnaire_id,
       CASE WHEN is_submitted THEN tp.questionnaire_version ELSE '' END AS questionnaire_version,
       CASE WHEN is_submitted THEN tp.answers ELSE '{{}}'::jsonb END AS clinical_answers,
       CASE WHEN is_submitted THEN NOT is_urgent END AS is_routine,
       CASE WHEN is_urgent THEN 'jeopardy' ELSE '' END AS urgency_criterion,
       is_urgent,
       submitted_at,
       submitted_at + CASE WHEN is_urgent THEN interval '72 hours' ELSE interval '7 days' END AS decision_due_at,
       CASE WHEN mix IN {decided}
            THEN submitted_at + CASE WHEN s.program_id = %(hh)s AND template_n = 0 AND mix = 'approved'
                                     THEN interval '0' ELSE interval '4 hours' + r_decide * interval '116 hours' END
       END AS decided_at,
       CASE WHEN mix IN ('approved', 'partially_approved') THEN date_of_service END AS valid_from,
       CASE WHEN mix IN ('approved', 'partially_approved') THEN date_of_service + tp.period_days - 1 END AS valid_to,
       CASE WHEN mix IN ('pending_review', 'on_hold') AND r_assign < 0.5
            THEN (%(reviewers)s::int[])[1 + floor(r_assign * 2 * cardinality(%(reviewers)s::int[]))::int] END
           AS assigned_to_id,
       CASE WHEN mix IN ('pending_review', 'on_hold') AND r_assign < 0.5 THEN submitted_at + interval '1 hour' END
           AS assigned_at,
       template_n
FROM submitted s
JOIN bench_practices bp ON bp.idx = s.pidx
JOIN bench_submitters bs ON bs.idx = s.pidx AND bs.n = floor(s.r_user * bp.size)::int
JOIN bench_templates tp ON tp.program_id = s.program_id AND tp.n = s.template_n
""".format(  # noqa: S608 (fixed SQL: only this module's constants are formatted in)
    status_case=_status_case(),
    pending=str(PENDING),
    decided=str(DECIDED),
    authorization=_authorization("(s.g::bigint * 2654435761 + 12345) %% 1099511627776"),
)


# Every NOT NULL column of cases_case that the staging table does not set gets the model's default.
CASE_COLUMNS = (
    "id, request_id, case_number, episode_id, authorization_number, status, program_id, builder_role, "
    "created_by_id, practice_id, created_at, current_step, completed_steps, last_saved_at, expires_at, "
    "ordering_provider_id, health_plan_id, date_of_service, dme_already_dispensed, member_id, primary_diagnosis_id, "
    "site_id, place_of_service, attested_at, questionnaire_id, questionnaire_version, clinical_answers, is_routine, "
    "urgency_criterion, is_urgent, submitted_at, decision_due_at, decided_at, valid_from, valid_to, assigned_to_id, "
    "assigned_at"
)
CASE_INSERT_SQL = f"""
INSERT INTO cases_case ({CASE_COLUMNS}, provider_address, contact_provider_name, contact_name, contact_fax,
                        contact_phone, contact_phone_ext, contact_cell_phone, contact_email, notify_by_email,
                        is_retrospective, patient_cell_phone, patient_email, site_email, site_fax, site_phone,
                        additional_notes, patient_sort_name, first_procedure_code, provider_sort_name,
                        search_text)
SELECT {CASE_COLUMNS}, '1 Main St, Hartford, CT 06103', 'Dr Bench', 'Office Contact', '8606664321',
       '8606661234', '', '', 'office@office.example', true,
       false, '', '', '', '8606660000', '8606660001',
       '',
       -- My Worklist's sort keys, as services.case_submit writes them: the patient's "Last, First", line 1's code,
       (SELECT m.last_name || ', ' || m.first_name FROM reference_member m
        WHERE m.id = bench_cases.member_id AND bench_cases.submitted_at IS NOT NULL),
       (SELECT h.code FROM bench_template_lines l JOIN reference_hcpcscode h ON h.id = l.hcpcs_id
        WHERE l.program_id = bench_cases.program_id AND l.n = bench_cases.template_n AND l.line_number = 1
          AND bench_cases.submitted_at IS NOT NULL),
       -- and the ordering provider's Provider.sort_name: "Last, First", or a group's name.
       (SELECT CASE WHEN p.kind = 'group' THEN p.organization_name
                    ELSE concat_ws(', ', p.last_name, NULLIF(p.first_name, '')) END
        FROM reference_provider p
        WHERE p.id = bench_cases.ordering_provider_id AND bench_cases.submitted_at IS NOT NULL),
       -- My Worklist's search text, as services.case_submit writes it (worklist.search_text; cases migration 0018
       -- the same in SQL): identifiers, patient, provider, site, each line's code and label, lowercased, one a line.
       CASE WHEN bench_cases.submitted_at IS NOT NULL THEN lower(concat_ws(E'\\n',
           NULLIF(request_id, ''), NULLIF(authorization_number, ''), NULLIF(case_number, ''),
           (SELECT concat_ws(E'\\n', NULLIF(m.first_name, ''), NULLIF(m.last_name, ''), NULLIF(m.member_id, ''))
            FROM reference_member m WHERE m.id = bench_cases.member_id),
           (SELECT concat_ws(E'\\n', NULLIF(p.first_name, ''), NULLIF(p.last_name, ''),
                             NULLIF(p.organization_name, ''), NULLIF(p.npi, ''))
            FROM reference_provider p WHERE p.id = bench_cases.ordering_provider_id),
           (SELECT NULLIF(s.name, '') FROM reference_site s WHERE s.id = bench_cases.site_id),
           (SELECT string_agg(concat_ws(E'\\n', NULLIF(h.code, ''), NULLIF(l.label, '')), E'\\n'
                              ORDER BY l.line_number)
            FROM bench_template_lines l JOIN reference_hcpcscode h ON h.id = l.hcpcs_id
            WHERE l.program_id = bench_cases.program_id AND l.n = bench_cases.template_n))) END
FROM bench_cases ORDER BY id
"""  # noqa: S608 (fixed SQL: the column list above)


def search_text_check(sample: int = 50) -> None:
    """The search text and the provider's sort key written in SQL are what submission writes
    (``worklist.search_text``, ``Provider.sort_name``), on the submitted ones of ``sample`` cases spread through the
    table (HarnessError otherwise: the benchmark would search and sort on other values than production's)."""
    from case_bench.settings import HarnessError

    from cases import worklist
    from cases.models import Case, ServiceLine

    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = range(1, last + 1, max(1, last // sample))
    cases = Case.objects.filter(pk__in=ids, submitted_at__isnull=False)
    for case in cases.select_related("member", "ordering_provider", "site"):
        lines = ServiceLine.objects.filter(case=case).select_related("hcpcs").order_by("line_number")
        if case.search_text != worklist.search_text(case, lines):
            raise HarnessError(f"case {case.pk}: search_text {case.search_text!r} is not what submission writes")
        if case.provider_sort_name != case.ordering_provider.sort_name:
            raise HarnessError(f"case {case.pk}: provider_sort_name {case.provider_sort_name!r} is not the provider's")


LINES_SQL = """
INSERT INTO cases_serviceline (case_id, hcpcs_id, label, quantity, billing_basis, unit, line_number)
SELECT c.id, l.hcpcs_id, l.label, l.quantity, l.billing_basis, l.unit, l.line_number
FROM bench_cases c
JOIN bench_template_lines l ON l.program_id = c.program_id AND l.n = c.template_n
WHERE c.submitted_at IS NOT NULL
ORDER BY c.id, l.line_number
"""


# The transitions case_transition would have written to bring each case to its status (case_bench's
# status_history, in SQL).
CHANGES_SQL = """
INSERT INTO cases_casestatuschange (case_id, from_status, to_status, changed_at, reason)
SELECT id, 'draft', status, last_saved_at, '' FROM bench_cases WHERE status <> 'draft' AND submitted_at IS NULL
UNION ALL
SELECT id, 'draft', 'submitted', submitted_at, '' FROM bench_cases WHERE submitted_at IS NOT NULL
UNION ALL
SELECT id, 'submitted', CASE WHEN decided_at = submitted_at THEN 'approved' ELSE 'pending_review' END, submitted_at, ''
FROM bench_cases WHERE submitted_at IS NOT NULL AND status <> 'submitted'
UNION ALL
SELECT id, 'pending_review', status, coalesce(decided_at, submitted_at), ''
FROM bench_cases
WHERE submitted_at IS NOT NULL AND status NOT IN ('submitted', 'pending_review')
  AND decided_at IS DISTINCT FROM submitted_at
"""


def cases_insert(count: int, visible: int, world: dict, reference: dict, seed: float) -> dict[str, float]:
    """``count`` cases, ``visible`` of them in the benchmark user's practice (spread evenly through the table);
    returns the seconds of each step."""
    import json

    from django.db import connection, transaction

    params = {
        "count": count,
        "visible": visible,
        "stride": count // visible,
        "practice_count": world["practices"],
        "submitted_steps": json.dumps(list(SUBMITTED_STEPS)),
        "draft_steps": json.dumps(list(PRE_ATTESTATION_STEPS)),
        "seed": seed,
        **reference,
    }
    seconds = {}
    with connection.cursor() as cursor:
        # Rows built to be valid need no foreign-key trigger per row (a superuser's bulk-load switch; CHECK
        # constraints still apply): the load takes minutes instead of many more.
        cursor.execute("SET session_replication_role = replica")
        for label, sql in (
            ("cases drawn (staging table)", STAGING_SQL),
            ("cases", CASE_INSERT_SQL),
            ("service lines", LINES_SQL),
            ("status changes", CHANGES_SQL),
        ):
            print(f"· {label} ...", flush=True)
            started = time.perf_counter()
            with transaction.atomic():
                if label.startswith("cases drawn"):
                    cursor.execute("SELECT setseed(%(seed)s)", params)
                cursor.execute(sql, params if "%(" in sql else None)
            seconds[label] = time.perf_counter() - started
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), (SELECT max(id) FROM cases_case))")
    return seconds
