"""Seed All of Us Are Dead, season 1: twelve episodes, all released 2022-01-28.

Only facts we can stand behind: the episode count, the release date and the
webtoon the series adapts. Synopses are left for editors to write in admin.
"""

import datetime

from django.db import migrations

RELEASE_DATE = datetime.date(2022, 1, 28)


def seed(apps, schema_editor):
    Series = apps.get_model("episodes", "Series")
    Season = apps.get_model("episodes", "Season")
    Episode = apps.get_model("episodes", "Episode")
    series, _ = Series.objects.get_or_create(
        slug="all-of-us-are-dead",
        defaults={
            "title": "All of Us Are Dead",
            "based_on": "Now at Our School",
            "description": "A Netflix original Korean series (2022).",
        },
    )
    season, _ = Season.objects.get_or_create(series=series, number=1)
    for number in range(1, 13):
        Episode.objects.get_or_create(
            season=season,
            number=number,
            defaults={
                "position": number,
                "title": f"Episode {number}",
                "air_date": RELEASE_DATE,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("episodes", "Series").objects.filter(slug="all-of-us-are-dead").delete()


class Migration(migrations.Migration):
    dependencies = [("episodes", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
