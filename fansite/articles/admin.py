from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Article, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "author", "published_at", "spoils_episode"]
    list_filter = [
        "status",
        ("author", admin.RelatedOnlyFieldListFilter),
        "published_at",
        "tags",
    ]
    list_select_related = ["author", "spoils_episode"]
    date_hierarchy = "published_at"
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["author"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["body_preview", "created_at", "updated_at"]
    actions = ["publish", "unpublish"]

    class Media:
        css = {"all": ["css/articles.css"]}  # sizes images in the body preview

    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "author", "tags"]}),
        (_("Body"), {"fields": ["body", "body_preview"]}),
        (
            _("Warnings"),
            {"fields": ["content_warning", "spoiler_alert", "spoils_episode"]},
        ),
        (
            _("Cover and source"),
            {"fields": ["cover_image", "cover_alt", "source_credit", "source_url"]},
        ),
        (
            _("Publication"),
            {"fields": ["status", "published_at", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description=_("preview"))
    def body_preview(self, article):
        if not article.body_html:
            return _("Save to see the rendered article.")
        # body_html was sanitised when it was rendered; see Article.save().
        return format_html('<div class="article-preview">{}</div>', mark_safe(article.body_html))

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request, queryset):
        changed = services.publish_articles(articles=queryset)
        self.message_user(
            request,
            ngettext("Published %(count)d article.", "Published %(count)d articles.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        changed = services.unpublish_articles(articles=queryset)
        self.message_user(
            request,
            ngettext(
                "Moved %(count)d article back to draft.",
                "Moved %(count)d articles back to draft.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )
