"""Security behaviour: no account enumeration, no open redirects, safe uploads."""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

from tests.users.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@example.com")

    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == HTTPStatus.FOUND
    assert known["Location"] == unknown["Location"]


def test_failed_login_does_not_say_which_part_was_wrong(client):
    UserFactory(username="jisoo")

    wrong_password = client.post(reverse("account_login"), {"login": "jisoo", "password": "not it"})
    no_such_member = client.post(
        reverse("account_login"), {"login": "nobody-here", "password": "not it"}
    )

    assert wrong_password.status_code == no_such_member.status_code == HTTPStatus.OK
    assert wrong_password.context["form"].errors == no_such_member.context["form"].errors


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_login_refuses_to_redirect_off_site(client, next_url):
    UserFactory(username="onjo")

    response = client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": "onjo", "password": PASSWORD, "next": next_url},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert "evil.example" not in response["Location"]


def test_login_follows_a_local_next(client):
    UserFactory(username="cheongsan")

    response = client.post(
        reverse("account_login"),
        {"login": "cheongsan", "password": PASSWORD, "next": "/episodes/"},
    )

    assert response["Location"] == "/episodes/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "a.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    (tmp_path / "avatars" / "evil.html").write_text("<script>alert(1)</script>")
    (tmp_path / "avatars" / "evil.svg").write_text("<svg onload='alert(1)'/>")
    return tmp_path


def test_uploaded_images_are_served_with_safe_headers(client, media):
    response = client.get("/media/avatars/a.webp")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["evil.html", "evil.svg"])
def test_uploaded_html_or_svg_is_never_served(client, media, name):
    assert client.get(f"/media/avatars/{name}").status_code == HTTPStatus.NOT_FOUND


def test_admin_path_comes_from_the_environment():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.urls import reverse; "
            "print(reverse('admin:index'))",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fansite.settings",
            "DEBUG": "1",
            "ADMIN_URL": "backstage-42/",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/backstage-42/"
