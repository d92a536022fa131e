from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import User


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
    )
    list_filter = ("is_active", "is_staff", "is_superuser", "date_joined")
    search_fields = ("username", "email", "display_name")
    date_hierarchy = "date_joined"
    readonly_fields = ("avatar_preview",)
    actions = ["remove_avatars"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:1],
        (_("Profile"), {"fields": ("display_name", "bio", "avatar_preview")}),
        *DjangoUserAdmin.fieldsets[1:],
    )

    @admin.display(description=_("avatar"))
    def avatar_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        image = format_html('<img src="{}" width="128" height="128" alt="">', obj.avatar_url(128))
        if obj.has_avatar:
            return image
        return format_html("{} {}", image, _("No picture uploaded; initials are shown."))

    @admin.action(description=_("Remove the avatar of the selected members"))
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
