"""A DME alternative names its item as data (HCPCS code and quantity), and the line that authorizes an accepted one
points at the line requested.

The alternatives offered before this migration name their item in words only: each gets the HCPCS code its text
starts with when the catalog has it on the same program's list ("K0001 Standard wheelchair"), else the line's own
code, and the line's quantity. That is done before the constraint that every alternative offered has an item.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

LEADING_CODE = re.compile(r"\s*([A-Za-z][0-9]{4})\b")


def alternatives_fill(apps, schema_editor):
    Determination = apps.get_model("cases", "Determination")
    HcpcsCode = apps.get_model("reference", "HcpcsCode")
    if schema_editor.connection.vendor == "postgresql":
        # The updates below fire the new foreign key's deferred checks; run them now, or the ALTER TABLE of the
        # constraints that follow in this transaction is refused ("pending trigger events").
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    rows = Determination.objects.filter(outcome="alternative_offered", alternative_hcpcs__isnull=True).select_related(
        "line__hcpcs"
    )
    for row in rows.iterator():
        line = row.line
        match = LEADING_CODE.match(row.alternative)
        named = (
            HcpcsCode.objects.filter(code=match.group(1).upper(), program_id=line.hcpcs.program_id).first()
            if match
            else None
        )
        row.alternative_hcpcs_id = named.pk if named else line.hcpcs_id
        row.alternative_quantity = line.quantity
        row.save(update_fields=["alternative_hcpcs", "alternative_quantity"])


def alternatives_empty(apps, schema_editor):
    """Backwards the columns are dropped right after: nothing to undo, on purpose."""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_queue_indexes"),
        ("reference", "0003_date_of_service_rules_and_upload_cap"),
    ]

    operations = [
        migrations.AddField(
            model_name="determination",
            name="alternative_hcpcs",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reference.hcpcscode",
                verbose_name="Alternative HCPCS code",
            ),
        ),
        migrations.AddField(
            model_name="determination",
            name="alternative_quantity",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="Alternative quantity"),
        ),
        migrations.AddField(
            model_name="serviceline",
            name="alternative_of",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alternative_line",
                to="cases.serviceline",
            ),
        ),
        migrations.RunPython(alternatives_fill, alternatives_empty),
        migrations.AddConstraint(
            model_name="determination",
            constraint=models.CheckConstraint(
                condition=~models.Q(outcome="alternative_offered")
                | models.Q(
                    alternative_hcpcs__isnull=False, alternative_quantity__isnull=False, alternative_quantity__gte=1
                ),
                name="determination_alternative_has_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="determination",
            constraint=models.CheckConstraint(
                condition=models.Q(outcome="alternative_offered")
                | models.Q(alternative_hcpcs__isnull=True, alternative_quantity__isnull=True),
                name="determination_only_alternative_has_item",
            ),
        ),
    ]
