from django.db import models
from django.utils.translation import gettext_lazy as _

from fansite.web.reversing import reverse_args


def own_title(position, title):
    """``title`` with its spaces tidied, or "" when it says no more than the number
    ("Episode 9", as the seeded catalogue's titles do)."""
    title = " ".join(title.split())
    plain = str(_("Episode %(number)s") % {"number": position})
    if title.casefold() in (plain.casefold(), f"episode {position}"):
        return ""
    return title


class Series(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Spoiler-free. Markdown is not rendered here.")
    )
    based_on = models.CharField(
        _("based on"), max_length=200, blank=True, help_text=_("The work it adapts, if any.")
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self):
        return self.title


class Season(models.Model):
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="seasons", verbose_name=_("series")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        ordering = ["series", "number"]
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"], name="season_unique_number_per_series"
            )
        ]

    def __str__(self):
        return self.title or _("Season %(number)s") % {"number": self.number}


class EpisodeQuerySet(models.QuerySet):
    def for_series(self, series):
        return self.filter(season__series=series)


class Episode(models.Model):
    season = models.ForeignKey(
        Season, on_delete=models.CASCADE, related_name="episodes", verbose_name=_("season")
    )
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("Number within the season."))
    position = models.PositiveSmallIntegerField(
        _("position"),
        unique=True,
        help_text=_(
            "Running number across all seasons (season 1 episode 1 is 1). Spoiler levels "
            "and reading progress compare this number."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    air_date = models.DateField(_("air date"), null=True, blank=True)
    synopsis = models.TextField(
        _("synopsis"),
        blank=True,
        help_text=_("Spoiler-free: say only what a viewer knows before watching it."),
    )

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["season", "number"], name="episode_unique_number_per_season"
            )
        ]

    def __str__(self):
        return _("Episode %(number)s") % {"number": self.position}

    def get_absolute_url(self):
        return reverse_args("episodes:episode_detail", self.position)

    @property
    def has_title(self):
        """Whether editors gave the episode a title of its own: the seeded
        placeholder ("Episode 9") says nothing the number does not."""
        return bool(own_title(self.position, self.title))

    @property
    def label(self):
        """Short label used in spoiler reveals: "episode 9"."""
        return _("episode %(number)s") % {"number": self.position}
