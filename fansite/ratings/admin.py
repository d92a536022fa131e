from django.contrib import admin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["rated_at", "member", "episode", "score"]
    list_filter = ["episode", "score"]
    list_select_related = ["member", "episode"]
    raw_id_fields = ["member"]
    search_fields = ["member__username"]
