class ReadOnlyAdminMixin:
    """For records that are evidence or mirrored reference data: staff may read, never add, edit or delete
    (changes go through services that write their own audit rows)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
