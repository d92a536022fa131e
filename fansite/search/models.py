"""The search index and the name glossary (docs/search.md).

A Document is the searchable text of one thing readers can find: a thread (its
title and opening post), a comment, an article, a board, an episode or a member.
It holds only text: whether a result may be shown, and to whom, is read from the
thing itself when searching (its visibility and spoiler levels, live), so a
hidden comment or a re-tagged thread is never found through a stale copy.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.threads.models import Board, Thread


class Document(models.Model):
    class Kind(models.TextChoices):
        THREAD = "thread", _("Thread")
        COMMENT = "comment", _("Comment")
        ARTICLE = "article", _("Article")
        BOARD = "board", _("Board")
        EPISODE = "episode", _("Episode")
        MEMBER = "member", _("Member")

    key = models.CharField(
        _("key"), max_length=40, unique=True, help_text=_('The kind and its id: "comment:12".')
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # The thing itself, and for a comment its thread or article: deleting one
    # deletes its document.
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    # Spoiler-free plain text (inline spoilers are "[spoiler]"), for snippets.
    text = models.TextField(_("text"), blank=True)
    # What the full-text index reads (fansite.search.terms.index_terms).
    terms = models.TextField(_("terms"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The highest spoiler level of the thing and its thread or article when it was
    # indexed: a hint that lets a search skip most gated matches early. Levels are
    # only raised, so a stale hint is lower than the truth and the live rules,
    # which decide, still see the match (fansite.search.selectors).
    level = models.PositiveSmallIntegerField(_("spoiler level when indexed"), null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [models.Index(fields=["-created_at", "-id"], name="search_newest")]

    def __str__(self):
        return self.key


class GlossaryEntry(models.Model):
    class Kind(models.TextChoices):
        CHARACTER = "character", _("Character")
        ACTOR = "actor", _("Actor")
        CREW = "crew", _("Director or writer")
        PLACE = "place", _("Place")
        TERM = "term", _("Term")

    name = models.CharField(
        _("canonical name"),
        max_length=100,
        unique=True,
        help_text=_("The name as the site writes it, e.g. Nam On-jo."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    aliases = models.TextField(
        _("other forms"),
        blank=True,
        help_text=_(
            "One per line: the name in Hangul and its other romanisations (Nam Onjo, "
            "On-jo, 남온조, 온조). Searching any form finds every form. Names only: no "
            "descriptions, nothing about the story, since entries are never gated."
        ),
    )

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("glossary entry")
        verbose_name_plural = _("glossary entries")

    def __str__(self):
        return self.name

    @property
    def forms(self) -> list[str]:
        return [self.name, *(line.strip() for line in self.aliases.splitlines() if line.strip())]
