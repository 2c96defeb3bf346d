"""Give every existing service line the billing basis of its HCPCS code and the unit that basis counts in,
and carry the model's permissions over to its new name.

The units are those of ``cases.rules.service_unit`` as of this migration, written out here so that a later
change to the rule does not change what this migration did. Backwards there is nothing to undo for the
lines: 0005's reverse drops both columns.

The content type follows ``RenameModel`` by itself (``django.contrib.contenttypes``), the permissions do not:
``view_caseservice`` would stay on the reviewers while the admin asks for ``view_serviceline``. On a new
database there are no permissions yet (they are created after migrating) and this step does nothing.
"""

from django.db import migrations

UNITS = {
    "visit": "Visits",
    "purchase": "Units",
    "daily_rental": "Days",
    "monthly_rental": "Months",
}
ACTIONS = ("add", "change", "delete", "view")


def copy_billing_basis(apps, schema_editor):
    ServiceLine = apps.get_model("cases", "ServiceLine")
    for basis, unit in UNITS.items():
        ServiceLine.objects.filter(hcpcs__billing_basis=basis).update(billing_basis=basis, unit=unit)


def _rename_permissions(apps, old_model: str, old_name: str, new_model: str, new_name: str):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="cases")
    for action in ACTIONS:
        if permissions.filter(codename=f"{action}_{new_model}").exists():
            continue  # already there (created after an earlier migrate): leave both as they are
        permissions.filter(codename=f"{action}_{old_model}").update(
            codename=f"{action}_{new_model}", name=f"Can {action} {new_name}"
        )


def rename_permissions(apps, schema_editor):
    _rename_permissions(apps, "caseservice", "case service", "serviceline", "service line")


def restore_permissions(apps, schema_editor):
    _rename_permissions(apps, "serviceline", "service line", "caseservice", "case service")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_service_line"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(copy_billing_basis, migrations.RunPython.noop),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
