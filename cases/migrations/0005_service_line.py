"""``CaseService`` becomes ``ServiceLine`` (``case.service_lines``: no confusion with the ``cases.services``
module), and a line carries the billing basis and the unit of its quantity, copied at submission.

The rename keeps the rows; the new columns start empty and 0006 fills them from each line's HCPCS code.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_service_label_length"),
    ]

    operations = [
        migrations.RenameModel(old_name="CaseService", new_name="ServiceLine"),
        migrations.AlterField(
            model_name="serviceline",
            name="case",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="service_lines", to="cases.case"
            ),
        ),
        migrations.AddField(
            model_name="serviceline",
            name="billing_basis",
            field=models.CharField(
                choices=[
                    ("visit", "Per visit"),
                    ("purchase", "Purchase"),
                    ("daily_rental", "Daily rental"),
                    ("monthly_rental", "Monthly rental"),
                ],
                default="",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="serviceline",
            name="unit",
            field=models.CharField(default="", max_length=10),
            preserve_default=False,
        ),
    ]
