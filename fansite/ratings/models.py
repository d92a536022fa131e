"""Episode ratings: each member's score of 1 to 10 for an episode they have watched.
A rating carries no text, so it can never spoil: the summary is the same for every
reader."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LOWEST, HIGHEST = 1, 10


class RatingQuerySet(models.QuerySet):
    def summary(self, episode):
        """``{"count", "average", "distribution"}`` of ``episode``'s ratings; the
        distribution lists how many gave each score, 1 to 10 (zeros included)."""
        rows = dict(
            self.filter(episode=episode)
            .values_list("score")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        return _summarise(rows)

    def averages(self):
        """``{episode pk: (average, count)}`` for every rated episode, in one query."""
        rows = (
            self.values_list("episode_id")
            .annotate(average=models.Avg("score"), n=models.Count("pk"))
            .order_by()
        )
        return {pk: (round(average, 1), n) for pk, average, n in rows}


def _summarise(counts):
    count = sum(counts.values())
    total = sum(score * n for score, n in counts.items())
    return {
        "count": count,
        "average": round(total / count, 1) if count else None,
        "distribution": [(score, counts.get(score, 0)) for score in range(LOWEST, HIGHEST + 1)],
    }


class Rating(models.Model):
    episode = models.ForeignKey(
        "episodes.Episode",
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("episode"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("member"),
    )
    score = models.PositiveSmallIntegerField(
        _("score"),
        validators=[MinValueValidator(LOWEST), MaxValueValidator(HIGHEST)],
        help_text=_("From 1 to 10."),
    )
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["episode", "member"], name="rating_once_per_episode"),
            models.CheckConstraint(
                condition=models.Q(score__gte=LOWEST, score__lte=HIGHEST),
                name="rating_score_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} rated {self.episode_id}: {self.score}"
