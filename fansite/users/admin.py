from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from fansite.moderation import services as moderation
from fansite.moderation.admin_forms import (
    ON_LIST_AND_FORM,
    OptionalReasonForm,
    ReasonForm,
    SuspendForm,
    action_form_response,
    run_for_each,
    start_of_day,
)

from . import services
from .models import User


class BannedFilter(admin.SimpleListFilter):
    title = _("posting ban")
    parameter_name = "banned"

    def lookups(self, request, model_admin):
        return [("yes", _("Banned or suspended")), ("no", _("Not banned"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(banned_until__gt=now)
        if self.value() == "no":
            return queryset.exclude(banned_until__gt=now)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin (password changes included) plus the profile fields."""

    list_display = (
        "username",
        "email",
        "display_name",
        "date_joined",
        "is_active",
        "is_staff",
        "last_login",
        "ban_state",
        "spoiler_guard",
    )
    list_filter = (
        "is_active",
        "is_staff",
        "is_superuser",
        BannedFilter,
        "spoiler_guard",
        "date_joined",
    )
    search_fields = ("username", "email", "display_name")
    date_hierarchy = "date_joined"
    # Bans are never edited as fields: they are set and lifted through the
    # actions below, which check the rules and write the moderation log.
    readonly_fields = ("avatar_preview", "ban_status", "spoiler_guard")
    actions = [
        "remove_avatars",
        "warn_members",
        "suspend_members",
        "ban_members",
        "unban_members",
        "hide_all_content",
        "grant_guard_role",
        "revoke_guard_role",
    ]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (_("Profile"), {"fields": ("display_name", "bio", "avatar_preview")}),
        (_("Moderation"), {"fields": ("ban_status", "spoiler_guard")}),
        *DjangoUserAdmin.fieldsets[1:],
    )

    def has_moderate_permission(self, request):
        """Moderators (moderation.moderate_members) may act on members without being
        able to edit them: no passwords, no staff or superuser flags."""
        return request.user.has_perm("moderation.moderate_members")

    @admin.display(description=_("banned"))
    def ban_state(self, obj):
        if not obj.is_banned:
            return "—"
        if moderation.is_permanent_ban(obj.banned_until):
            return gettext("permanently")
        return gettext("until %(date)s") % {"date": obj.banned_until.date().isoformat()}

    @admin.display(description=_("posting ban"))
    def ban_status(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.is_banned:
            state = gettext("Banned %(when)s. Reason: %(reason)s") % {
                "when": moderation.describe_ban(obj),
                "reason": obj.ban_reason or "—",
            }
        else:
            state = gettext("Not banned.")
        log_url = reverse("admin:moderation_moderationlog_changelist")
        return format_html(
            '{}<div class="help">{} <a href="{}?target_type=member&amp;target_id={}">{}</a></div>',
            state,
            gettext(
                "Suspend, ban or lift a ban with the actions menu of this page or of the "
                "member list; every change is recorded in the moderation log."
            ),
            log_url,
            obj.pk,
            gettext("Moderation history"),
        )

    @admin.display(description=_("avatar"))
    def avatar_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        image = format_html('<img src="{}" width="128" height="128" alt="">', obj.avatar_url(128))
        if obj.has_avatar:
            return image
        return format_html("{} {}", image, _("No picture uploaded; initials are shown."))

    @admin.action(
        description=_("Remove the avatar of the selected members"), permissions=["change"]
    )
    def remove_avatars(self, request, queryset):
        removed = 0
        for member in queryset.exclude(avatar=""):
            services.remove_avatar(member=member)
            removed += 1
        self.message_user(
            request,
            ngettext("Removed %(count)d avatar.", "Removed %(count)d avatars.", removed)
            % {"count": removed},
            messages.SUCCESS,
        )

    # --- Moderation ------------------------------------------------------------------------

    def _for_each(self, request, queryset, act, done_message):
        return run_for_each(self, request, queryset, act, done_message=done_message)

    @admin.action(
        description=_("Warn by email…"), permissions=["moderate"], location=ON_LIST_AND_FORM
    )
    def warn_members(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.warn_member(
                    member=member, moderator=request.user, reason=data["reason"]
                ),
                ngettext_lazy("Warned %(count)d member.", "Warned %(count)d members.", "count"),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=gettext("Warn members"),
            description=gettext("Each member receives the reason in an email from the moderators."),
            submit_label=gettext("Send warning"),
            perform=perform,
        )

    @admin.action(description=_("Suspend…"), permissions=["moderate"], location=ON_LIST_AND_FORM)
    def suspend_members(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.suspend_member(
                    member=member,
                    until=start_of_day(data["until"]),
                    moderator=request.user,
                    reason=data["reason"],
                ),
                ngettext_lazy(
                    "Suspended %(count)d member.", "Suspended %(count)d members.", "count"
                ),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=SuspendForm,
            title=gettext("Suspend members"),
            description=gettext(
                "Suspended members can log in and read, but not post, edit or report. "
                "They see the reason when they try."
            ),
            submit_label=gettext("Suspend"),
            perform=perform,
        )

    @admin.action(
        description=_("Ban permanently…"), permissions=["moderate"], location=ON_LIST_AND_FORM
    )
    def ban_members(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.ban_member(
                    member=member, moderator=request.user, reason=data["reason"]
                ),
                ngettext_lazy("Banned %(count)d member.", "Banned %(count)d members.", "count"),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=gettext("Ban members permanently"),
            description=gettext(
                "Banned members can log in and read, but not post, edit or report. "
                "They see the reason when they try."
            ),
            submit_label=gettext("Ban permanently"),
            perform=perform,
        )

    @admin.action(description=_("Lift ban…"), permissions=["moderate"], location=ON_LIST_AND_FORM)
    def unban_members(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.unban_member(
                    member=member, moderator=request.user, reason=data["reason"]
                ),
                ngettext_lazy(
                    "Lifted the ban of %(count)d member.",
                    "Lifted the bans of %(count)d members.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=OptionalReasonForm,
            title=gettext("Lift bans"),
            submit_label=gettext("Lift ban"),
            perform=perform,
        )

    @admin.action(
        description=_("Hide all their content…"),
        permissions=["moderate"],
        location=ON_LIST_AND_FORM,
    )
    def hide_all_content(self, request, queryset):
        def perform(data):
            for member in queryset:
                try:
                    comments, threads = moderation.hide_all_content(
                        member=member, moderator=request.user, reason=data["reason"]
                    )
                except PermissionDenied as error:
                    self.message_user(request, f"{member}: {error}", messages.ERROR)
                    continue
                self.message_user(
                    request,
                    gettext("%(member)s: hid %(comments)s and %(threads)s.")
                    % {
                        "member": member,
                        "comments": ngettext("%(count)d comment", "%(count)d comments", comments)
                        % {"count": comments},
                        "threads": ngettext("%(count)d thread", "%(count)d threads", threads)
                        % {"count": threads},
                    },
                    messages.SUCCESS,
                )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=ReasonForm,
            title=gettext("Hide all content of members"),
            description=gettext(
                "Every comment and thread these members wrote is hidden from members "
                "(moderators can still read them and restore them one by one)."
            ),
            submit_label=gettext("Hide everything"),
            perform=perform,
        )

    @admin.action(
        description=_("Make spoiler guard…"), permissions=["moderate"], location=ON_LIST_AND_FORM
    )
    def grant_guard_role(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.grant_guard(
                    member=member, moderator=request.user, reason=data["reason"]
                ),
                ngettext_lazy(
                    "Made %(count)d member a spoiler guard.",
                    "Made %(count)d members spoiler guards.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=OptionalReasonForm,
            title=gettext("Make spoiler guards"),
            description=gettext(
                "Spoiler guards can raise (never lower) the spoiler episode of any thread or "
                "comment; each change is logged and can be undone from the moderation log."
            ),
            submit_label=gettext("Make spoiler guard"),
            perform=perform,
        )

    @admin.action(
        description=_("Revoke spoiler guard role…"),
        permissions=["moderate"],
        location=ON_LIST_AND_FORM,
    )
    def revoke_guard_role(self, request, queryset):
        def perform(data):
            self._for_each(
                request,
                queryset,
                lambda member: moderation.revoke_guard(
                    member=member, moderator=request.user, reason=data["reason"]
                ),
                ngettext_lazy(
                    "Revoked the spoiler guard role of %(count)d member.",
                    "Revoked the spoiler guard role of %(count)d members.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            queryset,
            form_class=OptionalReasonForm,
            title=gettext("Revoke spoiler guard roles"),
            description=gettext(
                "They can no longer raise spoiler episodes, and upheld reports do not make "
                "them guards again (only a moderator can)."
            ),
            submit_label=gettext("Revoke"),
            perform=perform,
        )
