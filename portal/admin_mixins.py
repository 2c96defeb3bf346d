"""Behaviour shared by the admin's ModelAdmins and inlines: read-only records, and audited reads of PHI."""

from django.template.response import TemplateResponse

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
