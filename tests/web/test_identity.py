"""The site's identity (docs/design.md): its name and tagline, the logo mark, the
branded admin, and a colour system whose accent is not the red of destructive
actions and whose text meets WCAG AA in light and dark."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "static" / "css"


def test_the_default_identity_is_a_fan_community_not_the_project_name():
    assert settings.SITE_NAME == "Hyosan Survivors"
    assert "All of Us Are Dead" in settings.SITE_TAGLINE


def test_every_page_carries_the_name_tagline_and_logo_mark(client):
    html = client.get(reverse("threads:board_list")).text

    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert "Hyosan Survivors" in header
    assert "Spoiler-safe talk about All of Us Are Dead" in header
    assert 'src="/static/img/logo.svg"' in header
    assert '<link rel="icon" href="/static/img/favicon.svg"' in html
    footer = html[html.index('<footer class="site-footer">') :]
    assert "Spoiler-safe talk about All of Us Are Dead" in footer
    assert "<title>Boards · Hyosan Survivors</title>" in html


def test_name_and_tagline_come_from_the_settings(client, settings):
    settings.SITE_NAME = "Class 2-5"
    settings.SITE_TAGLINE = "We made it off the roof"

    html = client.get("/").text

    assert "Class 2-5" in html
    assert "We made it off the roof" in html
    assert "Hyosan Survivors" not in html
    assert '<meta name="description" content="Class 2-5: We made it off the roof.' in html


def test_the_logo_and_favicon_are_real_svg_files():
    for name in ("logo.svg", "favicon.svg"):
        text = (Path(settings.BASE_DIR) / "static" / "img" / name).read_text()
        assert text.startswith("<svg")
        assert 'viewBox="0 0 64 64"' in text
        # Shapes, not text: a favicon cannot count on the visitor's fonts.
        assert "<text" not in text


def test_the_admin_is_branded_with_the_sites_name():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    html = client.get(reverse("admin:index")).text

    assert "Django administration" not in html
    assert "Django site admin" not in html
    assert "Hyosan Survivors admin" in html
    assert "<title>Moderation and content | Hyosan Survivors admin</title>" in html
    assert "img/logo.svg" in html
    assert "css/admin-brand.css" in html


# --- Colours ------------------------------------------------------------------


def custom_properties(block):
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", block))


def palettes():
    css = (CSS / "site.css").read_text()
    light = css[css.index(":root {") :]
    light = light[: light.index("}")]
    dark = css[css.index("@media (prefers-color-scheme: dark)") :]
    dark = dark[: dark.index("}")]
    return {"light": custom_properties(light), "dark": custom_properties(dark)}


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, two):
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def hue(colour):
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    top, bottom = max(r, g, b), min(r, g, b)
    if top == bottom:
        return 0
    if top == r:
        return (60 * (g - b) / (top - bottom)) % 360
    if top == g:
        return 60 * (b - r) / (top - bottom) + 120
    return 60 * (r - g) / (top - bottom) + 240


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_accent_is_not_the_red_of_destructive_actions(scheme):
    colours = palettes()[scheme]

    assert colours["accent"].lower() != colours["danger"].lower()
    distance = abs(hue(colours["accent"]) - hue(colours["danger"]))
    assert min(distance, 360 - distance) > 90, "the accent must not read as red"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_meet_wcag_aa_on_every_background(scheme):
    colours = palettes()[scheme]

    for foreground in ("text", "muted", "accent", "accent-hover", "danger", "success"):
        for background in ("bg", "surface", "surface-2"):
            ratio = contrast(colours[foreground], colours[background])
            assert ratio >= 4.5, f"{scheme}: {foreground} on {background} is {ratio:.2f}:1"
    assert contrast(colours["accent-text"], colours["accent"]) >= 4.5
    assert contrast(colours["accent-text"], colours["accent-hover"]) >= 4.5
    assert contrast(colours["spoiler-text"], colours["spoiler-bg"]) >= 4.5


def test_one_font_family_everywhere_quotes_included():
    for path in CSS.glob("*.css"):
        text = path.read_text()
        assert "Georgia" not in text, path.name
        assert not re.search(r"font-family:\s*[^;]*serif\s*;", text.replace("sans-serif", "")), (
            path.name
        )
