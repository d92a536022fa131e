"""The stored username key: usernames that fold alike are one name, in the database too."""

import datetime
from http import HTTPStatus

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from fansite.users.models import User

from .factories import UserFactory

BEFORE_THE_KEY = ("users", "0003_progress_and_bans")
WITH_THE_KEY = ("users", "0004_user_username_key")
JOINED = datetime.datetime(2022, 1, 28, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_the_database_refuses_two_usernames_that_fold_alike():
    UserFactory(username="alice")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="AL\u0130CE")


@pytest.mark.django_db
def test_renaming_a_member_moves_their_key():
    member = UserFactory(username="onjo")

    member.username = "On-Jo"
    member.save(update_fields=["username"])

    assert User.objects.get(username_key="on-jo") == member
    UserFactory(username="ONJO", email="other@example.com")  # the old name is free again


@pytest.mark.django_db
def test_members_created_in_bulk_get_their_keys():
    User.objects.bulk_create([User(username="Su-hyeok"), User(username="Stra\u00dfe")])

    keys = set(User.objects.values_list("username_key", flat=True))
    assert keys == {"su-hyeok", "strasse"}


@pytest.mark.django_db
def test_admin_refuses_a_username_that_folds_to_a_taken_one(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    UserFactory(username="strasse")

    response = client.post(
        reverse("admin:users_user_add"),
        {
            "username": "Stra\u00dfe",
            "usable_password": "true",
            "password1": "a long enough passphrase 7",
            "password2": "a long enough passphrase 7",
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "That username is taken." in response.text
    assert not User.objects.filter(username="Stra\u00dfe").exists()


@pytest.fixture
def members_before_the_key(transactional_db):
    """The members table as it was before the key (its historical model); the
    database is migrated to the latest state again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_THE_KEY])
    yield executor.loader.project_state([BEFORE_THE_KEY]).apps.get_model("users", "User")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to_the_key():
    executor = MigrationExecutor(connection)
    executor.migrate([WITH_THE_KEY])


def test_migration_fills_the_key_of_existing_members(members_before_the_key):
    members_before_the_key.objects.create(username="Nam_On-jo", date_joined=JOINED)
    members_before_the_key.objects.create(username="\u00c9lise", date_joined=JOINED)

    migrate_to_the_key()

    keys = dict(User.objects.values_list("username", "username_key"))
    assert keys == {"Nam_On-jo": "nam_on-jo", "\u00c9lise": "\u00e9lise"}


def test_migration_names_existing_members_whose_usernames_now_clash(members_before_the_key):
    members_before_the_key.objects.create(username="strasse", date_joined=JOINED)
    clash = members_before_the_key.objects.create(username="Stra\u00dfe", date_joined=JOINED)

    with pytest.raises(RuntimeError, match=r"now the same name.*Rename all but one") as error:
        migrate_to_the_key()
    assert "'strasse'" in str(error.value)
    assert "'Stra\u00dfe'" in str(error.value)

    # Once renamed, the members migrate.
    members_before_the_key.objects.filter(pk=clash.pk).update(username="Strasse_2")
    migrate_to_the_key()
    assert set(User.objects.values_list("username_key", flat=True)) == {"strasse", "strasse_2"}
