"""Profile pages: what members see of each other, and editing your own."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from fansite.users import avatars, services

from .factories import UserFactory
from .images import image_bytes, upload

pytestmark = pytest.mark.django_db


def give_avatar(member):
    services.update_profile(
        member=member,
        display_name=member.display_name,
        bio=member.bio,
        avatar=avatars.prepare_avatar(upload(image_bytes())),
    )
    member.refresh_from_db()
    return member


# --- profile_detail -------------------------------------------------------


def test_profile_shows_name_username_bio_and_join_date(client):
    member = UserFactory(username="onjo", display_name="Nam On-jo", bio="Archery club.")

    response = client.get(reverse("users:profile_detail", args=["onjo"]))

    assert response.status_code == HTTPStatus.OK
    assert '<h1 class="profile__name">Nam On-jo</h1>' in response.text
    assert "@onjo" in response.text
    assert "Archery club." in response.text
    assert f'datetime="{member.date_joined.isoformat()}"' in response.text


def test_display_name_defaults_to_the_username(client):
    UserFactory(username="cheongsan")

    response = client.get(reverse("users:profile_detail", args=["cheongsan"]))

    assert '<h1 class="profile__name">cheongsan</h1>' in response.text


def test_bio_html_is_escaped_and_line_breaks_kept(client):
    UserFactory(username="onjo", bio="<script>alert('hi')</script>\nSecond line")

    response = client.get(reverse("users:profile_detail", args=["onjo"]))

    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;<br>Second line" in response.text


def test_member_without_a_picture_gets_initials_on_a_colour(client):
    member = UserFactory(username="nam_onjo")

    response = client.get(member.get_absolute_url())

    svg = re.search(r"<svg [^>]*class=\"avatar[^\"]*\".*?</svg>", response.text, re.S).group(0)
    assert 'aria-hidden="true"' in svg
    assert f'fill="{member.avatar_colour}"' in svg
    assert ">NO</text>" in svg
    assert 'width="128" height="128"' in svg


def test_member_with_a_picture_gets_the_right_rendition(client):
    member = give_avatar(UserFactory())

    response = client.get(member.get_absolute_url())

    rendition = default_storage.url(f"{member.avatar}/128.webp")
    larger = default_storage.url(f"{member.avatar}/256.webp")
    assert (
        f'<img class="avatar" src="{rendition}" srcset="{rendition} 1x, {larger} 2x" '
        'width="128" height="128" alt="">'
    ) in response.text


def test_profile_lookup_ignores_case_and_redirects_to_the_real_address(client):
    member = UserFactory(username="Cheong-san")

    response = client.get(reverse("users:profile_detail", args=["cheong-SAN"]))

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response.url == member.get_absolute_url() == "/members/Cheong-san/"


@pytest.mark.parametrize("username", ["nobody", "inactive"])
def test_unknown_and_inactive_members_are_not_found(client, username):
    UserFactory(username="inactive", is_active=False)

    response = client.get(reverse("users:profile_detail", args=[username]))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_own_profile_links_to_the_edit_page(client):
    member = UserFactory()
    client.force_login(member)

    response = client.get(member.get_absolute_url())

    assert reverse("users:profile_edit") in response.text


def test_profile_page_makes_a_constant_number_of_queries(client, django_assert_max_num_queries):
    member = give_avatar(UserFactory(bio="Hello"))
    client.force_login(UserFactory())
    client.get(member.get_absolute_url())  # caches the header's episode list

    # Session, reader, member, and their articles, threads and comments.
    with django_assert_max_num_queries(6):
        response = client.get(member.get_absolute_url())

    assert response.status_code == HTTPStatus.OK


# --- profile_edit ---------------------------------------------------------


def test_editing_requires_logging_in(client):
    response = client.get(reverse("users:profile_edit"))

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("account_login"))


def test_editing_is_protected_against_cross_site_requests():
    member = UserFactory(bio="Before")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post(reverse("users:profile_edit"), {"display_name": "X", "bio": "After"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    member.refresh_from_db()
    assert member.bio == "Before"


def test_edit_form_shows_current_values_and_account_links(client):
    client.force_login(UserFactory(display_name="On-jo", bio="Archery club."))

    response = client.get(reverse("users:profile_edit"))

    assert response.status_code == HTTPStatus.OK
    assert 'value="On-jo"' in response.text
    assert "Archery club.</textarea>" in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert reverse("account_email") in response.text
    assert reverse("account_change_password") in response.text


def test_saving_the_profile_with_a_picture(client):
    member = UserFactory(username="onjo")
    client.force_login(member)

    response = client.post(
        reverse("users:profile_edit"),
        {
            "display_name": "Nam On-jo",
            "bio": "Archery club.",
            "avatar": upload(image_bytes("JPEG"), name="me.jpg", content_type="image/jpeg"),
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == member.get_absolute_url()
    assert "Your profile has been saved." in response.text
    member.refresh_from_db()
    assert member.display_name == "Nam On-jo"
    assert member.bio == "Archery club."
    assert member.has_avatar
    assert default_storage.url(f"{member.avatar}/128.webp") in response.text


def test_a_rejected_picture_keeps_the_old_one_and_what_was_typed(client):
    member = give_avatar(UserFactory(display_name="Old name", bio="Old bio"))
    old_avatar = member.avatar
    client.force_login(member)

    response = client.post(
        reverse("users:profile_edit"),
        {
            "display_name": "New name",
            "bio": "New bio, typed with care",
            "avatar": upload(b"not really a picture", name="me.png"),
        },
    )

    assert response.status_code == HTTPStatus.OK
    assert "Upload a JPEG, PNG, WebP or GIF image." in response.text
    assert "Your profile was not saved." in response.text
    assert 'value="New name"' in response.text
    assert "\nNew bio, typed with care</textarea>" in response.text
    assert 'id="id_avatar"' in response.text
    assert 'aria-invalid="true"' in response.text
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.avatar) == ("Old name", "Old bio", old_avatar)
    assert all(default_storage.exists(name) for name in member.avatar_rendition_names())


def test_an_oversized_picture_is_refused_with_the_limit(client, settings):
    settings.AVATAR_MAX_BYTES = 1024
    client.force_login(UserFactory())

    response = client.post(
        reverse("users:profile_edit"),
        {"display_name": "", "bio": "", "avatar": upload(b"\x00" * 4096)},
    )

    assert "That image is 4 KB; the limit is 1 KB." in response.text


def test_removing_the_picture(client, django_capture_on_commit_callbacks):
    member = give_avatar(UserFactory(username="onjo"))
    old_files = member.avatar_rendition_names()
    client.force_login(member)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("users:profile_edit"),
            {"display_name": "", "bio": "", "remove_avatar": "on"},
        )

    member.refresh_from_db()
    assert not member.has_avatar
    assert not any(default_storage.exists(name) for name in old_files)
    response = client.get(member.get_absolute_url())
    assert ">O</text>" in response.text


def test_remove_option_only_appears_with_a_picture(client):
    member = UserFactory()
    client.force_login(member)
    assert "remove_avatar" not in client.get(reverse("users:profile_edit")).text

    give_avatar(member)
    assert "remove_avatar" in client.get(reverse("users:profile_edit")).text


def test_bio_is_limited_to_500_characters(client):
    member = UserFactory(bio="")
    client.force_login(member)

    response = client.post(reverse("users:profile_edit"), {"display_name": "", "bio": "x" * 501})

    assert response.status_code == HTTPStatus.OK
    assert "at most 500 characters" in response.text
    member.refresh_from_db()
    assert member.bio == ""


def test_display_name_cannot_hide_text_direction_tricks(client):
    client.force_login(UserFactory())

    response = client.post(reverse("users:profile_edit"), {"display_name": "\u202eevil", "bio": ""})

    assert "Remove the control characters" in response.text


def test_display_name_of_only_invisible_characters_falls_back_to_the_username(client):
    member = UserFactory(username="cheongsan", display_name="Lee Cheong-san")
    client.force_login(member)

    client.post(reverse("users:profile_edit"), {"display_name": "\u200b \u2060\ufeff", "bio": ""})

    member.refresh_from_db()
    assert member.display_name == ""
    assert member.public_name == "cheongsan"


def test_control_characters_are_removed_from_display_name_and_bio(client):
    member = UserFactory()
    client.force_login(member)

    client.post(
        reverse("users:profile_edit"),
        {"display_name": "\x1b[1mOn-jo\x1b[0m\x7f", "bio": "Archery\x85club\r\n\x07Hyosan"},
    )

    member.refresh_from_db()
    assert member.display_name == "On-jo"
    assert member.bio == "Archery\nclub\nHyosan"


# --- the member's posts -----------------------------------------------------


@pytest.fixture
def article_model():
    if not apps.is_installed("fansite.articles"):
        pytest.skip("the articles app is not installed")
    return apps.get_model("articles", "Article")


def test_profile_lists_the_members_published_articles_only(
    client, article_model, django_assert_max_num_queries
):
    member = UserFactory(username="onjo")
    now = timezone.now()

    def article(title, author=member, **fields):
        return article_model.objects.create(
            title=title, slug=slugify(title), body="Text.", author=author, **fields
        )

    published = article_model.Status.PUBLISHED
    article("Archery club diary", status=published, published_at=now - timedelta(days=2))
    article("Rooftop survival tips", status=published, published_at=now - timedelta(days=1))
    article("Unfinished draft")
    article("Scheduled for tomorrow", status=published, published_at=now + timedelta(days=1))
    article("Someone else's", author=UserFactory(), status=published, published_at=now)
    client.force_login(UserFactory())
    client.get(member.get_absolute_url())  # caches the header's episode list

    with django_assert_max_num_queries(6):
        response = client.get(member.get_absolute_url())

    text = response.text
    assert "Articles</h2>" in text
    assert text.index("Rooftop survival tips") < text.index("Archery club diary")
    for hidden in ("Unfinished draft", "Scheduled for tomorrow", "Someone else&#x27;s"):
        assert hidden not in text


def test_profile_has_no_articles_section_for_members_who_wrote_none(client):
    member = UserFactory()

    response = client.get(member.get_absolute_url())

    assert "Articles</h2>" not in response.text


def test_members_cannot_pose_as_staff_with_their_display_name(client):
    member = UserFactory()
    client.force_login(member)

    response = client.post(reverse("users:profile_edit"), {"display_name": "Moderator", "bio": ""})

    assert "That name is reserved for the site and its staff." in response.text
    member.refresh_from_db()
    assert member.display_name == ""
