from django.contrib import admin
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from fansite.moderation import services as moderation
from fansite.moderation.admin_forms import (
    ON_LIST_AND_FORM,
    MoveThreadForm,
    RespoilForm,
    action_form_response,
    run_for_each,
)

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
        "is_hidden",
        "reply_count",
        "last_activity_at",
    ]
    list_filter = ["board", "is_pinned", "is_locked", "is_hidden"]
    list_select_related = ["board", "author", "spoils_episode"]
    search_fields = ["title"]
    # Every change goes through the actions (fansite.moderation.services), so
    # each one is checked and written to the moderation log; the change page
    # is read-only for everyone, superusers included.
    fields = [
        "title",
        "board",
        "author",
        "spoils_episode",
        "is_pinned",
        "is_locked",
        "is_hidden",
        "reply_count",
        "created_at",
        "last_activity_at",
    ]
    readonly_fields = fields
    actions = [
        "pin",
        "unpin",
        "lock",
        "unlock",
        "hide_threads",
        "restore_threads",
        "move_threads",
        "respoil_threads",
    ]

    def has_add_permission(self, request):
        # A thread needs its opening post: members start threads on the site.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def delete_model(self, request, obj):
        # Through moderation, so the deletion is in the moderation log.
        moderation.delete_thread(thread=obj, moderator=request.user)

    def delete_queryset(self, request, queryset):
        for thread in queryset:
            moderation.delete_thread(thread=thread, moderator=request.user)

    def _apply(self, request, queryset, service, done_message, **kwargs):
        return run_for_each(
            self,
            request,
            queryset.select_related("board", "author"),
            lambda thread: service(thread=thread, moderator=request.user, **kwargs),
            done_message=done_message,
        )

    @admin.action(
        description=_("Pin to the top of the board"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def pin(self, request, queryset):
        self._apply(
            request,
            queryset,
            moderation.pin_thread,
            ngettext_lazy("Pinned %(count)d thread.", "Pinned %(count)d threads.", "count"),
        )

    @admin.action(description=_("Unpin"), permissions=["change"], location=ON_LIST_AND_FORM)
    def unpin(self, request, queryset):
        self._apply(
            request,
            queryset,
            moderation.unpin_thread,
            ngettext_lazy("Unpinned %(count)d thread.", "Unpinned %(count)d threads.", "count"),
        )

    @admin.action(
        description=_("Lock (no new comments)"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def lock(self, request, queryset):
        self._apply(
            request,
            queryset,
            moderation.lock_thread,
            ngettext_lazy("Locked %(count)d thread.", "Locked %(count)d threads.", "count"),
        )

    @admin.action(description=_("Unlock"), permissions=["change"], location=ON_LIST_AND_FORM)
    def unlock(self, request, queryset):
        self._apply(
            request,
            queryset,
            moderation.unlock_thread,
            ngettext_lazy("Unlocked %(count)d thread.", "Unlocked %(count)d threads.", "count"),
        )

    def _hide_or_restore(self, request, queryset, service, done_message):
        return run_for_each(
            self,
            request,
            queryset.select_related("author"),
            lambda thread: service(item=thread, moderator=request.user),
            done_message=done_message,
        )

    @admin.action(
        description=_("Hide the selected threads"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def hide_threads(self, request, queryset):
        self._hide_or_restore(
            request,
            queryset,
            moderation.hide_item,
            ngettext_lazy("Hid %(count)d thread.", "Hid %(count)d threads.", "count"),
        )

    @admin.action(
        description=_("Show the selected threads again"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def restore_threads(self, request, queryset):
        self._hide_or_restore(
            request,
            queryset,
            moderation.restore_item,
            ngettext_lazy("Restored %(count)d thread.", "Restored %(count)d threads.", "count"),
        )

    @admin.action(
        description=_("Move to board…"), permissions=["change"], location=ON_LIST_AND_FORM
    )
    def move_threads(self, request, queryset):
        threads = queryset.select_related("board", "author")

        def perform(data):
            self._apply(
                request,
                threads,
                moderation.move_thread,
                ngettext_lazy("Moved %(count)d thread.", "Moved %(count)d threads.", "count"),
                board=data["board"],
                reason=data["reason"],
            )

        return action_form_response(
            self,
            request,
            threads,
            form_class=MoveThreadForm,
            title=gettext("Move threads to another board"),
            submit_label=gettext("Move"),
            perform=perform,
        )

    @admin.action(
        description=_("Change the spoiler episode…"),
        permissions=["change"],
        location=ON_LIST_AND_FORM,
    )
    def respoil_threads(self, request, queryset):
        threads = queryset.select_related("author")

        def perform(data):
            run_for_each(
                self,
                request,
                threads,
                lambda thread: moderation.respoil_item(
                    item=thread,
                    episode_position=data["episode"],
                    moderator=request.user,
                    reason=data["reason"],
                ),
                done_message=ngettext_lazy(
                    "Changed the spoiler episode of %(count)d thread.",
                    "Changed the spoiler episode of %(count)d threads.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            threads,
            form_class=RespoilForm,
            title=gettext("Change the spoiler episode"),
            description=gettext(
                "The title and opening post of each thread are gated at this episode."
            ),
            submit_label=gettext("Change spoiler episode"),
            perform=perform,
        )
