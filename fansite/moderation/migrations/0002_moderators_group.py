"""The "Moderators" group with exactly the permissions moderation needs.

Permissions are normally created by a post_migrate signal, i.e. only after
every migration has run, so on a fresh database they would not exist yet
here. create_permissions() is therefore called first, against the historical
models of this point in the migration graph, which is what post_migrate would
later do anyway (it skips permissions that already exist).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Moderators"

# (app_label, codename). Deliberately no add/change/delete of members, groups
# or permissions, no sites, flatpages, articles or boards editing.
PERMISSIONS = [
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    # Earlier versions of edited comments, shown read-only on a comment's page.
    ("comments", "view_commentrevision"),
    ("threads", "view_thread"),
    ("threads", "change_thread"),
    ("threads", "view_board"),
    ("moderation", "view_report"),
    ("moderation", "change_report"),
    ("moderation", "view_moderationlog"),
    ("moderation", "moderate_members"),
    ("users", "view_user"),
]


def create_moderators_group(apps, schema_editor):
    using = schema_editor.connection.alias
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    permissions = []
    for app_label, codename in PERMISSIONS:
        permissions.append(
            Permission.objects.using(using).get(
                content_type__app_label=app_label, codename=codename
            )
        )
    group.permissions.set(permissions)


def remove_moderators_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0002_initial"),
        ("threads", "0003_thread_is_hidden"),
        ("users", "0003_progress_and_bans"),
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="moderationlog",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [("moderate_members", "Can warn, suspend, ban and unban members")],
                "verbose_name": "moderation log entry",
                "verbose_name_plural": "moderation log",
            },
        ),
        migrations.RunPython(create_moderators_group, remove_moderators_group),
    ]
