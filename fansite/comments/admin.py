from django.contrib import admin
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from fansite.moderation import services
from fansite.moderation.admin_forms import (
    ON_LIST_AND_FORM,
    RespoilForm,
    action_form_response,
    run_for_each,
)
from fansite.web.markdown import excerpt

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
    actions = ["hide_comments", "unhide_comments", "respoil_comments"]

    # Moderators change comments only through the actions (hide, restore,
    # re-tag), which go through fansite.moderation.services and the audit log;
    # the change page is read-only for everyone, superusers included.
    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # Comments are posted on the site, where the posting rules apply.
        return False

    @admin.display(description=_("excerpt"))
    def excerpt(self, comment):
        # Spoiler-free: inline and block spoilers show as "[spoiler]".
        return excerpt(comment.body, 80)

    @admin.display(description=_("on"))
    def target(self, comment):
        return comment.target

    @admin.action(
        description=_("Hide the selected comments"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def hide_comments(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("author"),
            lambda comment: services.hide_item(item=comment, moderator=request.user),
            done_message=ngettext_lazy(
                "%(count)d comment hidden.", "%(count)d comments hidden.", "count"
            ),
        )

    @admin.action(
        description=_("Show the selected comments again"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def unhide_comments(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("author"),
            lambda comment: services.restore_item(item=comment, moderator=request.user),
            done_message=ngettext_lazy(
                "%(count)d comment shown again.", "%(count)d comments shown again.", "count"
            ),
        )

    @admin.action(
        description=_("Change the spoiler episode…"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def respoil_comments(self, request, queryset):
        comments = queryset.select_related("author")

        def perform(data):
            run_for_each(
                self,
                request,
                comments,
                lambda comment: services.respoil_item(
                    item=comment,
                    episode_position=data["episode"],
                    moderator=request.user,
                    reason=data["reason"],
                ),
                done_message=ngettext_lazy(
                    "Changed the spoiler episode of %(count)d comment.",
                    "Changed the spoiler episode of %(count)d comments.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            comments,
            form_class=RespoilForm,
            title=gettext("Change the spoiler episode"),
            description=gettext(
                "Readers who have not watched up to this episode will see the comments "
                "behind a spoiler label."
            ),
            submit_label=gettext("Change spoiler episode"),
            perform=perform,
        )
