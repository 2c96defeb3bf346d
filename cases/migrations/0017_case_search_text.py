"""My Worklist's search text on the case's row (``cases.worklist.search_text``), written at submission from now
on; 0018 fills it for the cases submitted before. Reversing drops the column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_service_line_case_code_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
    ]
