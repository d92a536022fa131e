"""The reactions members start with. Editors can rename, reorder or disable them."""

from django.db import migrations

KINDS = [
    ("like", "👍", "like"),
    ("love", "❤️", "love"),
    ("funny", "😂", "funny"),
    ("sad", "😢", "sad"),
    ("shocked", "😱", "shocked"),
    ("zombie", "🧟", "zombie"),
]


def add_kinds(apps, schema_editor):
    ReactionKind = apps.get_model("reactions", "ReactionKind")
    for position, (slug, emoji, label) in enumerate(KINDS):
        ReactionKind.objects.get_or_create(
            slug=slug, defaults={"emoji": emoji, "label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("reactions", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
