from django.contrib import admin

from .models import Episode, Season, Series


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0


class EpisodeInline(admin.TabularInline):
    model = Episode
    extra = 0
    fields = ["number", "position", "title", "air_date"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "based_on"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SeasonInline]


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "series", "number"]
    list_filter = ["series"]
    inlines = [EpisodeInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "season", "number", "air_date", "has_synopsis"]
    list_display_links = ["position", "title"]
    list_filter = ["season__series", "season"]
    search_fields = ["title", "synopsis"]

    @admin.display(boolean=True, description="synopsis")
    def has_synopsis(self, obj):
        return bool(obj.synopsis)
