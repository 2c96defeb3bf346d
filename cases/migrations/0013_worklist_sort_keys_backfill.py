"""My Worklist's sort keys for the cases submitted before they existed: the patient's "Last, First" and the
first service line's HCPCS code, as ``services.case_submit`` now writes them. One UPDATE with two correlated
subqueries (the member by pk, the case's first line through its (case, line_number) index). Reversing leaves
the values; 0012's reverse drops the columns."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Member = apps.get_model("reference", "Member")
    ServiceLine = apps.get_model("cases", "ServiceLine")
    name = Member.objects.filter(pk=OuterRef("member_id")).annotate(
        sort_name=Concat("last_name", Value(", "), "first_name")
    )
    first_line = ServiceLine.objects.filter(case_id=OuterRef("pk")).order_by("line_number")
    Case.objects.using(schema_editor.connection.alias).filter(submitted_at__isnull=False).update(
        patient_sort_name=Subquery(name.values("sort_name")[:1]),
        first_procedure_code=Subquery(first_line.values("hcpcs__code")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_worklist_sort_keys"),
        ("reference", "0003_date_of_service_rules_and_upload_cap"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
