"""My Worklist's sort key for the Ordering Provider column, copied onto the case like the patient's (0012/0013):
``Provider.sort_name`` ("Last, First", or a group's name), which ``services.case_submit`` writes from now on, and
filled here for the cases submitted before, in one UPDATE (a correlated subquery on the provider's pk). The sort
then reads the covering indexes alone instead of joining every visible case to its provider; the four worklist
indexes are rebuilt with the column. Reversing drops the column (and the values)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Case as CaseWhen, OuterRef, Subquery, Value, When
from django.db.models.functions import Concat


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Provider = apps.get_model("reference", "Provider")
    # Provider.sort_name, in SQL.
    sort_name = Provider.objects.filter(pk=OuterRef("ordering_provider_id")).annotate(
        sort_name=CaseWhen(
            When(kind="group", then="organization_name"),
            When(first_name="", then="last_name"),
            default=Concat("last_name", Value(", "), "first_name"),
            output_field=models.CharField(),
        )
    )
    Case.objects.using(schema_editor.connection.alias).filter(submitted_at__isnull=False).update(
        provider_sort_name=Subquery(sort_name.values("sort_name")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_case_worklist_search_indexes'),
        ('practices', '0001_initial'),
        ('reference', '0004_name_trigram_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_practice_submitted_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_owner_submitted_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_practice_search_idx',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_owner_search_idx',
        ),
        migrations.AddField(
            model_name='case',
            name='provider_sort_name',
            field=models.CharField(blank=True, editable=False, max_length=130, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('submitted_at__isnull', False)), fields=['practice', '-submitted_at', '-id'], include=('created_by', 'status', 'request_id', 'case_number', 'authorization_number', 'valid_to', 'decision_due_at', 'patient_sort_name', 'first_procedure_code', 'provider_sort_name', 'member', 'ordering_provider', 'site', 'health_plan'), name='case_practice_submitted_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('submitted_at__isnull', False)), fields=['created_by', '-submitted_at', '-id'], include=('practice', 'status', 'request_id', 'case_number', 'authorization_number', 'valid_to', 'decision_due_at', 'patient_sort_name', 'first_procedure_code', 'provider_sort_name', 'member', 'ordering_provider', 'site', 'health_plan'), name='case_owner_submitted_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('submitted_at__isnull', False)), fields=['practice', '-submitted_at', '-id'], include=('created_by', 'status', 'request_id', 'case_number', 'authorization_number', 'valid_to', 'decision_due_at', 'patient_sort_name', 'first_procedure_code', 'provider_sort_name', 'member', 'ordering_provider', 'site', 'health_plan', 'search_text'), name='case_practice_search_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('submitted_at__isnull', False)), fields=['created_by', '-submitted_at', '-id'], include=('practice', 'status', 'request_id', 'case_number', 'authorization_number', 'valid_to', 'decision_due_at', 'patient_sort_name', 'first_procedure_code', 'provider_sort_name', 'member', 'ordering_provider', 'site', 'health_plan', 'search_text'), name='case_owner_search_idx'),
        ),
    ]
