"""The avatar partial that the header, profiles and (later) posts include."""

import pytest
from django.template.loader import render_to_string

from fansite.users.models import AVATAR_COLOURS, AVATAR_TEXT_COLOUR, User

from .factories import UserFactory
from .test_profile import give_avatar


def render_avatar(member, size):
    return render_to_string("users/_avatar.html", {"member": member, "size": size})


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("background", AVATAR_COLOURS)
def test_initials_meet_wcag_aa_contrast_on_every_background(background):
    assert contrast(background, AVATAR_TEXT_COLOUR) >= 4.5


def test_generated_avatar_is_inline_svg_without_inline_styles():
    html = render_avatar(User(username="nam_onjo"), 48)

    assert html.startswith("<svg")
    assert 'width="48" height="48"' in html
    assert 'aria-hidden="true"' in html
    assert ">NO</text>" in html
    assert "style" not in html


def test_colour_depends_only_on_the_username():
    assert User(username="Alice").avatar_colour == User(username="alice").avatar_colour
    colours = {User(username=f"member{n}").avatar_colour for n in range(50)}
    assert len(colours) > 5  # spread across the palette


@pytest.mark.parametrize(
    ("username", "display_name", "initials"),
    [
        ("cheongsan", "", "C"),
        ("lee.su-hyeok", "", "LS"),
        ("onjo", "Nam On-jo", "NO"),
        ("onjo", "남온조", "남"),
        ("x_y_z", "", "XY"),
    ],
)
def test_initials(username, display_name, initials):
    assert User(username=username, display_name=display_name).initials == initials


def test_initials_are_escaped():
    html = render_avatar(User(username="amp", display_name="<b>"), 48)

    assert "&lt;</text>" in html


@pytest.mark.django_db
def test_uploaded_avatar_is_a_decorative_img_of_the_right_size():
    member = give_avatar(UserFactory())

    html = render_avatar(member, 48)

    assert html.startswith('<img class="avatar"')
    assert f'src="/media/{member.avatar}/48.webp"' in html
    assert f"/media/{member.avatar}/128.webp 2x" in html
    assert 'width="48" height="48" alt=""' in html


def test_avatar_url_falls_back_to_the_generated_avatar():
    url = User(username="nam_onjo").avatar_url(128)

    assert url.startswith("data:image/svg+xml,%3Csvg")
    assert "%3ENO%3C%2Ftext%3E" in url


@pytest.mark.django_db
def test_avatar_url_picks_the_nearest_rendition_at_least_as_large():
    member = give_avatar(UserFactory())

    assert member.avatar_url(40).endswith("/48.webp")
    assert member.avatar_url(64).endswith("/128.webp")
    assert member.avatar_url(512).endswith("/256.webp")
