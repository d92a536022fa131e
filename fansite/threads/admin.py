from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Board, Thread


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "episode", "thread_count", "post_count", "last_activity_at"]
    list_filter = ["kind"]
    list_select_related = ["episode"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["thread_count", "post_count", "last_activity_at"]

    def get_fields(self, request, obj=None):
        fields = ["title", "slug", "description", "position"]
        if obj is not None:
            fields[1:1] = ["kind", "episode"]
            fields += self.readonly_fields
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Episode boards come with their episode (see ensure_episode_board); a board
        # never changes kind, or the spoiler level of its threads would shift under them.
        return [*self.readonly_fields, "kind", "episode"]

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}

    def save_model(self, request, obj, form, change):
        if not change:
            # Boards added here are general boards; adding an episode adds its board.
            obj.kind = Board.Kind.GENERAL
            obj.episode = None
        super().save_model(request, obj, form, change)


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "board",
        "author",
        "spoils_episode",
        "is_pinned",
        "is_locked",
        "reply_count",
        "last_activity_at",
    ]
    list_filter = ["board", "is_pinned", "is_locked"]
    list_select_related = ["board", "author", "spoils_episode"]
    search_fields = ["title"]
    raw_id_fields = ["author"]
    # Pinning and locking go through the actions, which apply the moderation rules.
    fields = [
        "title",
        "board",
        "author",
        "spoils_episode",
        "is_pinned",
        "is_locked",
        "reply_count",
        "created_at",
        "last_activity_at",
    ]
    readonly_fields = [
        "board",
        "author",
        "is_pinned",
        "is_locked",
        "reply_count",
        "created_at",
        "last_activity_at",
    ]
    actions = ["pin", "unpin", "lock", "unlock"]

    def has_add_permission(self, request):
        # A thread needs its opening post: members start threads on the site.
        return False

    def _apply(self, request, queryset, service):
        return sum(service(thread=thread, moderator=request.user) for thread in queryset)

    def delete_model(self, request, obj):
        services.delete_thread(thread=obj)

    def delete_queryset(self, request, queryset):
        for thread in queryset:
            services.delete_thread(thread=thread)

    @admin.action(description=_("Pin to the top of the board"), permissions=["change"])
    def pin(self, request, queryset):
        count = self._apply(request, queryset, services.pin_thread)
        message = ngettext("Pinned %(count)d thread.", "Pinned %(count)d threads.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Unpin"), permissions=["change"])
    def unpin(self, request, queryset):
        count = self._apply(request, queryset, services.unpin_thread)
        message = ngettext("Unpinned %(count)d thread.", "Unpinned %(count)d threads.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Lock (no new comments)"), permissions=["change"])
    def lock(self, request, queryset):
        count = self._apply(request, queryset, services.lock_thread)
        message = ngettext("Locked %(count)d thread.", "Locked %(count)d threads.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Unlock"), permissions=["change"])
    def unlock(self, request, queryset):
        count = self._apply(request, queryset, services.unlock_thread)
        message = ngettext("Unlocked %(count)d thread.", "Unlocked %(count)d threads.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
