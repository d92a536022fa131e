from django.contrib import admin

from .models import GlossaryEntry


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "aliases"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
