from django.db import models

from reference.models import HealthPlan, Program


class ClinicalGuideline(models.Model):
    """A clinical guideline or coverage policy, listed on Resources > Clinical Guidelines by health plan."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="guidelines")
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    effective_date = models.DateField()
    summary = models.TextField()
    health_plans = models.ManyToManyField(HealthPlan, related_name="guidelines")

    class Meta:
        ordering = ["program__sort_order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["program", "title", "version"], name="unique_guideline_version"),
        ]

    def __str__(self):
        return f"{self.title} ({self.version})"
