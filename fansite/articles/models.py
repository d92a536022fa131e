import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.web.markdown import excerpt, render_markdown
from fansite.web.reversing import reverse_args

# Only formats the media view is willing to serve (fansite.web.views.SAFE_MEDIA_TYPES).
COVER_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]


def cover_upload_to(instance, filename):
    """A random name: uploaded file names can leak information or collide."""
    return f"articles/covers/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


def render_body(body):
    """The article body as HTML. Articles are written by editors, so the trusted
    renderer is used (figures with same-site images)."""
    return render_markdown(body, trusted=True)


class TimeStampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at``, maintained by the database layer."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_args("articles:tag_detail", self.slug)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """Articles readers may see: published, and not scheduled for later (than
        ``now``, by default the present)."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    # What a listed article shows besides itself: joined, and read in a query of its own.
    JOINED = ("author", "spoils_episode")
    PREFETCHED = ("tags",)

    def with_related(self):
        return self.select_related(*self.JOINED).prefetch_related(*self.PREFETCHED)


class Article(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("The last part of the article's URL.")
    )
    standfirst = models.CharField(
        _("standfirst"),
        max_length=300,
        blank=True,
        help_text=_(
            "One or two sentences shown under the title, in lists, search results and "
            "link previews. Must not contain spoilers."
        ),
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Markdown. Hide spoilers with >!inline!< or a block between ':::spoiler Label' "
            "and ':::'."
        ),
    )
    body_html = models.TextField(
        _("rendered body"), blank=True, editable=False, help_text=_("Rendered from the body.")
    )
    # SET_NULL rather than PROTECT: an editor leaving (or asking to be forgotten)
    # must not be blocked by, or take down, the articles they wrote. An article
    # without an author is bylined as the site's editors.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("author"),
        help_text=_("Leave empty to credit the site's editors."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the article is first published. A time in the future schedules it: "
            "readers see it from then on."
        ),
    )
    cover_image = models.ImageField(
        _("cover image"),
        upload_to=cover_upload_to,
        blank=True,
        validators=[FileExtensionValidator(COVER_EXTENSIONS)],
        help_text=_("Optional. JPEG, PNG, WebP or GIF; also used in link previews."),
    )
    cover_alt = models.CharField(
        _("cover image description"),
        max_length=300,
        blank=True,
        help_text=_("Describe the image for readers who cannot see it. Required with a cover."),
    )
    content_warning = models.CharField(
        _("content warning"),
        max_length=300,
        blank=True,
        help_text=_("Shown above the article, e.g. for descriptions of graphic content."),
    )
    spoiler_alert = models.CharField(
        _("spoiler alert"),
        max_length=300,
        blank=True,
        help_text=_("Shown above the article when it reveals plot details."),
    )
    spoils_episode = models.ForeignKey(
        "episodes.Episode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("spoils up to episode"),
        help_text=_("Readers who have not watched this far see a warning first"),
    )
    source_credit = models.CharField(
        _("source credit"),
        max_length=200,
        blank=True,
        help_text=_('Who the material comes from, e.g. "Netflix Korea".'),
    )
    source_url = models.URLField(_("source URL"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_published_at",
                violation_error_message=_("A published article needs a publication date."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        # The one deliberate exception to "no logic in save()": body_html is a
        # cache of the rendered body and must never disagree with it.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_html = render_body(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse_args("articles:article_detail", self.slug)

    def clean(self):
        super().clean()
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.publish()
        if self.cover_image and not self.cover_alt:
            raise ValidationError({"cover_alt": _("Describe the cover image.")})

    def publish(self, *, now=None):
        """Mark as published. The first publication fixes ``published_at``; publishing
        again after unpublishing keeps the original date."""
        self.status = self.Status.PUBLISHED
        if self.published_at is None:
            self.published_at = now or timezone.now()

    def unpublish(self):
        self.status = self.Status.DRAFT

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def description(self):
        """Spoiler-free summary for lists, meta tags and feeds."""
        return self.standfirst or excerpt(self.body)

    @property
    def spoiler_level(self):
        """Running number of the last episode the article spoils (None: spoils nothing)."""
        return self.spoils_episode.position if self.spoils_episode_id else None

    @property
    def reveal_key(self):
        return f"a{self.pk}"
