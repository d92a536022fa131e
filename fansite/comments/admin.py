from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fansite.core.markdown import excerpt

from .models import Comment, CommentRevision


class CommentRevisionInline(admin.TabularInline):
    """Earlier versions of an edited comment, newest first. Read-only: history."""

    model = CommentRevision
    fields = ["created_at", "spoils_episode", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "excerpt",
        "author",
        "target",
        "spoils_episode",
        "created_at",
        "edited_at",
        "is_removed",
        "is_hidden",
    ]
    list_display_links = ["pk", "excerpt"]
    list_filter = ["is_hidden", "is_removed", "created_at", "spoils_episode"]
    list_select_related = ["author", "thread", "article"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["article", "thread", "parent", "reply_to", "author"]
    readonly_fields = ["created_at", "edited_at"]
    date_hierarchy = "created_at"
    inlines = [CommentRevisionInline]
    actions = ["hide_comments", "unhide_comments"]

    @admin.display(description=_("excerpt"))
    def excerpt(self, comment):
        # Spoiler-free: inline and block spoilers show as "[spoiler]".
        return excerpt(comment.body, 80)

    @admin.display(description=_("on"))
    def target(self, comment):
        return comment.target

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide_comments(self, request, queryset):
        count = queryset.update(is_hidden=True)
        self.message_user(
            request,
            ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Show the selected comments again"), permissions=["change"])
    def unhide_comments(self, request, queryset):
        count = queryset.update(is_hidden=False)
        self.message_user(
            request,
            ngettext("%(count)d comment shown again.", "%(count)d comments shown again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
