import hashlib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.articles.models import Article
from fansite.spoilers.levels import spoiler_level_field
from fansite.threads.models import Thread
from fansite.web.markdown import render_markdown
from fansite.web.reversing import reverse_id

BODY_MAX_LENGTH = 10_000

# A comment's permalink, as the Quote action writes it in a quote's heading.
_PERMALINK_PATH_RE = re.compile(r"/comments/([0-9]{1,18})/")


def permalink_pk(url):
    """The comment whose permalink ``url`` is (``/comments/34/``, on this site or with
    an http(s) scheme), or None."""
    parts = urlsplit(url)
    match = _PERMALINK_PATH_RE.fullmatch(parts.path)
    if match is None or parts.scheme not in ("", "http", "https"):
        return None
    return int(match[1])


def body_fingerprint(body):
    """The same for two texts that differ only in whitespace."""
    normalised = " ".join(body.split())
    return hashlib.blake2b(normalised.encode(), digest_size=16).hexdigest()


class CommentQuerySet(models.QuerySet):
    def for_target(self, target):
        """Comments on an article or a thread."""
        if isinstance(target, Thread):
            return self.filter(thread=target)
        return self.filter(article=target)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def visible(self):
        """Comments everyone can read: neither removed by the author nor hidden."""
        return self.filter(is_removed=False, is_hidden=False)

    def with_authors(self):
        return self.select_related("author", "reply_to__author")

    def quotable(self):
        """Comments whose spoilers a post may quote by reference: visible, on a thread
        moderators have not hidden or on a published article."""
        return self.visible().filter(
            Q(thread__is_hidden=False) | Q(article__in=Article.objects.published())
        )


class Comment(models.Model):
    """A post on an article or in a thread. The first comment of a thread opens it."""

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("article"),
    )
    thread = models.ForeignKey(
        "threads.Thread",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("thread"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to (top comment)"),
        help_text=_("Replies are shown one level deep, under this top-level comment."),
    )
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answers"),
        help_text=_("The reply this one answers, when it answers a reply."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("body"), max_length=BODY_MAX_LENGTH, help_text=_("Markdown."))
    body_html = models.TextField(_("rendered body"), editable=False, blank=True)
    # A digest of the text with whitespace runs made single spaces: finds a member's
    # repeated post with one indexed lookup (comments.services.ensure_not_duplicate).
    body_fingerprint = models.CharField(max_length=32, editable=False, blank=True, default="")
    spoils_episode = spoiler_level_field()
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, editable=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True, editable=False)
    is_removed = models.BooleanField(
        _("removed by author"), default=False, help_text=_("Shown as “comment removed”.")
    )
    is_hidden = models.BooleanField(
        _("hidden by moderators"), default=False, help_text=_("Readable to moderators only.")
    )
    # Kept by fansite.reactions.services in the same transaction as each reaction:
    # the "Top" order and the "Best comments" strip read them from an index.
    reaction_total = models.PositiveIntegerField(_("reactions"), default=0, editable=False)
    top_score = models.FloatField(
        _("top score"),
        default=0,
        editable=False,
        help_text=_(
            "log2(1 + reactions) + weeks since 1970; 0 without reactions (docs/reactions.md)."
        ),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, thread__isnull=True)
                | Q(article__isnull=True, thread__isnull=False),
                name="comment_on_article_xor_thread",
            )
        ]
        indexes = [
            models.Index(fields=["thread", "parent", "id"], name="comment_thread_listing"),
            models.Index(fields=["article", "parent", "id"], name="comment_article_listing"),
            models.Index(fields=["author", "-created_at"], name="comment_by_author"),
            models.Index(fields=["author", "body_fingerprint"], name="comment_repeats"),
            models.Index(fields=["thread", "-top_score", "-id"], name="comment_thread_top"),
            # The "Top" snapshot reads a thread's top-level comments in this order
            # (fansite.comments.top): an index scan, no sort.
            models.Index(
                fields=["thread", "-top_score", "-id"],
                condition=Q(parent__isnull=True),
                name="comment_thread_top_level",
            ),
            # A conversation page's top-level comments, oldest or newest first
            # (fansite.comments.rows.top_level): PostgreSQL reads the page from
            # here. With the listing index it cannot tell that "parent IS NULL"
            # leaves the rows in id order, so it walked the primary key from the
            # table's first comment and filtered (0.7 ms with 12,000 comments,
            # growing with the table), or sorted the whole thread.
            models.Index(
                fields=["thread", "id"],
                condition=Q(parent__isnull=True),
                name="comment_thread_top_ids",
            ),
            models.Index(
                fields=["article", "id"],
                condition=Q(parent__isnull=True),
                name="comment_article_top_ids",
            ),
        ]

    def __str__(self):
        return _("Comment %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        # The one deliberate save() rule: keep the rendered HTML in step with the
        # Markdown source, so pages never render Markdown per view.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_html = render_body(self.body)
            self.body_fingerprint = body_fingerprint(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "body_html", "body_fingerprint"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_id("comments:comment_permalink", pk=self.pk)

    @property
    def target(self):
        return self.thread if self.thread_id else self.article

    @property
    def spoiler_level(self):
        return self.spoils_episode_id

    @property
    def reveal_key(self):
        return f"c{self.pk}"

    @property
    def anchor(self):
        return f"comment-{self.pk}"

    @property
    def is_visible(self):
        return not (self.is_removed or self.is_hidden)

    @property
    def is_shown(self):
        """Whether readers see the comment: visible, under a thread moderators have not
        hidden or an article that is published (reads the thread or the article)."""
        if not self.is_visible:
            return False
        if self.thread_id is not None:
            return not self.thread.is_hidden
        return self.article.is_published


class CommentRevision(models.Model):
    """An earlier version of an edited comment, kept for moderators."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("comment")
    )
    body = models.TextField(_("body"))
    spoils_episode = spoiler_level_field()
    created_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self):
        return _("Version of comment %(pk)s from %(when)s") % {
            "pk": self.comment_id,
            "when": self.created_at,
        }


def render_body(body):
    """A comment's HTML from its Markdown, sanitized, with quoted spoilers resolved: what
    ``save()`` stores, and what a preview shows (so a preview is exactly the post)."""
    return render_markdown(body, quoted_spoilers=_quoted_spoilers, mentions=True)


def _quoted_spoilers(quoted_links, sources):
    """The stored HTML of the comments whose spoilers a text quotes by reference
    (``>!⟦spoiler 2 of comment 34⟧!<``, see ``fansite.web.markdown``) and may draw from:
    those its quotes name by a link to their permalink (the Quote action's heading) and
    that are still quotable. Any other reference renders as "[spoiler unavailable]". The
    level is not checked here: ``services.quote_floor`` counts every reference, so the
    text spoils at least what its sources spoil."""
    named = {pk for pk in map(permalink_pk, quoted_links) if pk is not None} & sources
    if not named:
        return {}
    return dict(Comment.objects.quotable().filter(pk__in=named).values_list("pk", "body_html"))
