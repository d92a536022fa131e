"""The glossary's first entries: the names the source article uses (in its own
spelling: "Nam On Jo", "Lee Soo Hyuk", "Park Ji Hoo"), with the site's hyphenated
romanisation, the forms written without spaces, and the Hangul. Editors add the
rest in the admin."""

from django.db import migrations

NAMES = [
    (
        "Nam On-jo",
        "character",
        ["Nam On Jo", "Nam Onjo", "Nam Ohn Jo", "On-jo", "On Jo", "Onjo", "남온조", "온조"],
    ),
    (
        "Lee Cheong-san",
        "character",
        ["Lee Cheong San", "Lee Cheongsan", "Cheong-san", "Cheong San", "Cheongsan", "이청산", "청산"],
    ),
    (
        "Lee Su-hyeok",
        "character",
        [
            "Lee Soo Hyuk",
            "Lee Soo-hyuk",
            "Lee Suhyeok",
            "Su-hyeok",
            "Suhyeok",
            "Soo Hyuk",
            "Soo-hyuk",
            "이수혁",
            "수혁",
        ],
    ),
    ("Park Ji-hu", "actor", ["Park Ji Hoo", "Park Ji-hoo", "Park Jihu", "박지후"]),
    ("Yoon Chan-young", "actor", ["Yoon Chan Young", "Yoon Chanyoung", "윤찬영"]),
    ("Park Solomon", "actor", ["박솔로몬"]),
    ("Lee Jae-kyoo", "crew", ["Lee Jae Kyoo", "Lee Jaekyoo", "이재규"]),
    ("Chun Sung-il", "crew", ["Chun Sung Il", "Chun Sungil", "천성일"]),
]


def seed(apps, schema_editor):
    GlossaryEntry = apps.get_model("search", "GlossaryEntry")
    for name, kind, aliases in NAMES:
        GlossaryEntry.objects.get_or_create(
            name=name, defaults={"kind": kind, "aliases": "\n".join(aliases)}
        )


def unseed(apps, schema_editor):
    apps.get_model("search", "GlossaryEntry").objects.filter(
        name__in=[name for name, _kind, _aliases in NAMES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [migrations.RunPython(seed, unseed)]
