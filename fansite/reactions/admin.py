from django.contrib import admin

from .models import Reaction, ReactionKind


@admin.register(ReactionKind)
class ReactionKindAdmin(admin.ModelAdmin):
    list_display = ["emoji", "label", "slug", "position", "is_enabled"]
    list_editable = ["label", "position", "is_enabled"]
    list_display_links = ["emoji"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request):
        # A fixed set: editors rename, reorder or disable, they do not add.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "member", "kind", "comment"]
    list_filter = ["kind"]
    list_select_related = ["member", "kind"]
    raw_id_fields = ["comment", "member"]
    search_fields = ["member__username"]
    date_hierarchy = "created_at"
