"""Issue 11, item 2: a determination per service line and round (reverse: the table is dropped)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_service_line_backfill"),
        ("resources", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Determination",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "round",
                    models.CharField(
                        choices=[("initial", "Initial"), ("reconsideration", "Reconsideration"), ("appeal", "Appeal")],
                        max_length=20,
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("approved", "Approved"),
                            ("denied", "Denied"),
                            ("alternative_offered", "Alternative Offered"),
                        ],
                        max_length=20,
                    ),
                ),
                ("approved_quantity", models.PositiveIntegerField(blank=True, null=True)),
                ("valid_from", models.DateField(blank=True, null=True)),
                ("valid_to", models.DateField(blank=True, null=True)),
                ("criterion_not_met", models.TextField(blank=True, verbose_name="Criterion not met")),
                (
                    "documentation_needed",
                    models.TextField(blank=True, verbose_name="Documentation that would change the outcome"),
                ),
                ("alternative", models.CharField(blank=True, max_length=300, verbose_name="Alternative recommended")),
                ("decided_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "guideline",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="resources.clinicalguideline",
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="determinations",
                        to="cases.serviceline",
                    ),
                ),
            ],
            options={
                "ordering": ["line", "decided_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(fields=("line", "round"), name="unique_determination_per_line_and_round"),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("outcome", "approved"), _negated=True),
                            models.Q(
                                ("approved_quantity__gte", 1),
                                ("approved_quantity__isnull", False),
                                ("valid_from__isnull", False),
                                ("valid_to__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="determination_approval_has_quantity_and_validity",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("outcome", "approved"),
                            models.Q(
                                ("approved_quantity__isnull", True),
                                ("guideline__isnull", False),
                                ("valid_from__isnull", True),
                                models.Q(("criterion_not_met", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="determination_denial_has_criterion_and_guideline",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("outcome", "alternative_offered"), _negated=True),
                            models.Q(("alternative", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="determination_alternative_is_named",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_from__isnull", True),
                            ("valid_to__isnull", True),
                            ("valid_to__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="determination_validity_ends_after_it_starts",
                    ),
                ],
            },
        ),
    ]
