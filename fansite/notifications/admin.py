from django.contrib import admin

from .models import Follow, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "count", "updated_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor", "thread", "comment", "board"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["member", "thread", "board", "is_muted", "created_at"]
    raw_id_fields = ["member", "thread", "board"]
