"""Reactions: a member's one-click answer to a comment (like, sad, zombie…), one of
each kind per member per comment. The kinds are a small fixed set that editors can
rename, reorder or disable in the admin; nobody can add a free-form emoji."""

from collections import defaultdict

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReactionKindQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(is_enabled=True)


class ReactionKind(models.Model):
    """One of the reactions members can give. The slug is fixed (forms post it);
    the emoji and the label are what members see."""

    slug = models.SlugField(
        _("slug"),
        max_length=20,
        unique=True,
        help_text=_("What the reaction buttons send. Fixed once members have reacted."),
    )
    emoji = models.CharField(_("emoji"), max_length=8)
    label = models.CharField(
        _("label"),
        max_length=40,
        help_text=_(
            "One word members read in counts, as in “12 people reacted sad” (also the button's "
            "accessible name)."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Kinds are shown in this order, smallest first.")
    )
    is_enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_(
            "A disabled kind is no longer offered and its counts are not shown. Reactions "
            "already given are kept, and come back if it is enabled again."
        ),
    )

    objects = ReactionKindQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("reaction kind")
        verbose_name_plural = _("reaction kinds")

    def __str__(self):
        return f"{self.emoji} {self.label}"


class ReactionQuerySet(models.QuerySet):
    def counts_for(self, comment_pks):
        """``{comment pk: {kind pk: count}}`` for these comments, in one query (kinds
        with no reaction left out)."""
        counts = defaultdict(dict)
        rows = (
            self.filter(comment_id__in=comment_pks)
            .values_list("comment_id", "kind_id")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for comment_pk, kind_pk, n in rows:
            counts[comment_pk][kind_pk] = n
        return dict(counts)

    def given_by(self, member, comment_pks):
        """``{comment pk: {kind pk, …}}``: the reactions ``member`` gave these comments."""
        given = defaultdict(set)
        rows = self.filter(member=member, comment_id__in=comment_pks).values_list(
            "comment_id", "kind_id"
        )
        for comment_pk, kind_pk in rows:
            given[comment_pk].add(kind_pk)
        return dict(given)


class Reaction(models.Model):
    """``member`` reacted ``kind`` to ``comment``: at most once per kind."""

    comment = models.ForeignKey(
        "comments.Comment",
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("comment"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("member"),
    )
    kind = models.ForeignKey(
        ReactionKind,
        on_delete=models.PROTECT,
        related_name="reactions",
        verbose_name=_("kind"),
    )
    created_at = models.DateTimeField(_("reacted at"), default=timezone.now)

    objects = ReactionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "kind", "member"], name="reaction_once_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.kind_id} on {self.comment_id}"
