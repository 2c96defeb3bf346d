"""Behaviour shared by the admin's ModelAdmins and inlines: read-only records, audited reads of PHI, and lists
whose rows cost no template or URL resolution each."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from audit.services import audit_record


class ReadOnlyAdminMixin:
    """For records that are evidence or mirrored reference data: staff may read, never add, edit or delete
    (changes go through services that write their own audit rows)."""

    # ``obj`` is passed by inlines (InlineModelAdmin.has_add_permission(request, obj)); ModelAdmin passes none.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuickRowsChangeList(ChangeList):
    """Each row's link to its record built from one reversed URL, with the list's filters appended once per page.

    Django reverses every row's change URL, then ``add_preserved_filters`` parses it and, when the list is filtered,
    resolves it again to merge the filters in: two URL-resolver walks per row. Here the filters are already in the
    URL and ``preserved_filters`` is left empty, so that ``add_preserved_filters`` only re-encodes the query string
    (the same URL as Django's)."""

    PK_SLOT = "__pk__"

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.row_filters, self.preserved_filters = self.preserved_filters, ""
        self.change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(self.PK_SLOT,),
            current_app=self.model_admin.admin_site.name,
        )

    def url_for_result(self, result):
        url = self.change_url.replace(self.PK_SLOT, str(quote(getattr(result, self.pk_attname))), 1)
        return f"{url}?{self.row_filters}" if self.row_filters else url


class QuickRowsAdminMixin:
    """A changelist's per-row work in plain Python, the same HTML as Django's: the action checkbox written out
    rather than rendered through the form renderer's widget templates (two template renders per row), and the row
    links of ``QuickRowsChangeList``. On the reviewers' queue (50 rows) these were half its Python time."""

    def get_changelist(self, request, **kwargs):
        return QuickRowsChangeList

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


class PHIAuditAdminMixin:
    """Writes one audit row for each admin page that shows patient data, as the provider pages do.

    A list writes ``<model>.listed`` with the page, the rows shown (their ids) and whether a search or a
    filter was used, never the search text: it may be a patient's name. A record (its change, history or
    delete page) writes ``<model>.viewed`` with the record as target and the ids of the inline rows shown (a
    case's documents, a member's eligibility spans). Only pages that were shown count: a redirect (a
    missing object, a saved form) or a refusal writes nothing.
    """

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = _shown(response, "cl")
        if changelist is not None:
            rows = list(changelist.result_list)  # the page's queryset, evaluated once and reused by the template
            self._audit_list(
                request,
                rows,
                page=changelist.page_num,
                searched=bool(changelist.query),
                filtered=bool(changelist.has_active_filters),
            )
        elif (selected := _shown(response, "queryset")) is not None:
            # An action's confirmation page (delete selected) lists the chosen records.
            self._audit_list(request, list(selected), action=request.POST.get("action", ""))
        return response

    def _audit_list(self, request, rows, **shown):
        audit_record(
            action=f"{self.opts.model_name}.listed",
            request=request,
            details={
                "via": "admin",
                "model": self.opts.label_lower,
                **shown,
                "rows": len(rows),
                "ids": [row.pk for row in rows],
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = _shown(response, "original")
        if shown is not None:
            details = {"via": "admin", "page": "change"}
            inlines = _inline_ids(response.context_data.get("inline_admin_formsets", ()))
            inlines.update(response.context_data.get("audit_shown", {}))  # rows a custom page shows (a case's)
            if inlines:
                details["inlines"] = inlines
            audit_record(action=f"{self.opts.model_name}.viewed", request=request, target=shown, details=details)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        # The confirmation page names the record and lists what would go with it.
        response = super().delete_view(request, object_id, extra_context)
        self._audit_object_page(request, response, page="delete")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._audit_object_page(request, response, page="history")
        return response

    def _audit_object_page(self, request, response, *, page: str) -> None:
        shown = _shown(response, "object")
        if shown is not None:
            audit_record(
                action=f"{self.opts.model_name}.viewed",
                request=request,
                target=shown,
                details={"via": "admin", "page": page},
            )


def _shown(response, key):
    """The context value ``key`` of a page that will be rendered with it, or None (redirect, 403, 404)."""
    if isinstance(response, TemplateResponse) and response.status_code == 200 and response.context_data:
        return response.context_data.get(key)
    return None


def _inline_ids(inline_admin_formsets) -> dict[str, list]:
    """``{"app.model": [ids]}`` of the rows each inline shows (the formset's queryset, which its forms reuse)."""
    shown = {}
    for inline_admin_formset in inline_admin_formsets:
        formset = inline_admin_formset.formset
        shown[formset.model._meta.label_lower] = [row.pk for row in formset.get_queryset()]
    return shown
