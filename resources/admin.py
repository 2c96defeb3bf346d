from django.contrib import admin

from resources.models import ClinicalGuideline


@admin.register(ClinicalGuideline)
class ClinicalGuidelineAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "version", "effective_date"]
    list_filter = ["program", "health_plans"]
    list_select_related = ["program"]
    search_fields = ["title"]
    filter_horizontal = ["health_plans"]
