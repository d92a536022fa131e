"""A board per seeded episode, plus the general boards."""

from django.db import migrations

GENERAL_BOARDS = [
    (
        "general",
        "General discussion",
        "Anything about the series. Tag spoilers with the episode they spoil.",
    ),
    ("theories", "Theories", "Predictions, readings and what-ifs. Tag spoilers."),
    ("site-feedback", "Site feedback", "Ideas, problems and questions about this site."),
]


def seed(apps, schema_editor):
    Board = apps.get_model("threads", "Board")
    Episode = apps.get_model("episodes", "Episode")
    for episode in Episode.objects.order_by("position"):
        Board.objects.get_or_create(
            episode=episode,
            defaults={
                "kind": "episode",
                "title": f"Episode {episode.position}",
                "slug": f"episode-{episode.position}",
                "description": (
                    f"Discussion of episode {episode.position}. Spoilers up to it are fine."
                ),
            },
        )
    for position, (slug, title, description) in enumerate(GENERAL_BOARDS):
        Board.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": "general",
                "title": title,
                "description": description,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("threads", "Board").objects.filter(thread_count=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0001_initial"),
        ("episodes", "0002_seed_season_one"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
