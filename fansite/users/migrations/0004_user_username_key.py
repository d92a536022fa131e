"""Usernames compare on a stored key (users.validators.username_key), unique in the
database, instead of on lower(username), whose case rules differ between SQLite
(ASCII only) and PostgreSQL and know nothing of compatibility forms."""

from collections import defaultdict

from django.db import migrations, models

import fansite.users.models
from fansite.users.validators import username_key


def fill_username_keys(apps, schema_editor):
    User = apps.get_model("users", "User")
    members = list(User.objects.only("pk", "username"))
    names_by_key = defaultdict(list)
    for member in members:
        member.username_key = username_key(member.username)
        names_by_key[member.username_key].append(member.username)
    clashes = [names for names in names_by_key.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(" and ".join(repr(name) for name in names) for names in clashes)
        raise RuntimeError(
            f"These usernames are now the same name: {listed}. Rename all but one of "
            "each group (in the admin, before upgrading), then run the migrations again."
        )
    User.objects.bulk_update(members, ["username_key"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0003_progress_and_bans"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(
                default="", editable=False, max_length=150, verbose_name="username key"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(
                editable=False,
                help_text=(
                    "The username as it is compared with others: case and compatibility "
                    "forms folded (users.validators.username_key). Set from the username "
                    "on save."
                ),
                max_length=150,
                unique=True,
                verbose_name="username key",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="user",
            name="user_username_ci_unique",
        ),
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", fansite.users.models.MemberManager()),
            ],
        ),
    ]
