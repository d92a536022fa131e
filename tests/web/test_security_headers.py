"""Security headers on real responses."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(client):
    return client.get("/")


def test_content_security_policy_allows_only_our_own_files(home):
    policy = home["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_pages_carry_no_inline_scripts_or_styles(home):
    html = home.text
    assert "<style" not in html
    assert ' style="' not in html
    assert "<script>" not in html  # every script has a src


def test_other_security_headers(home):
    assert home["X-Content-Type-Options"] == "nosniff"
    assert home["Referrer-Policy"] == "same-origin"
    assert home["Cross-Origin-Opener-Policy"] == "same-origin"
    assert home["X-Frame-Options"] == "DENY"
    assert "camera=()" in home["Permissions-Policy"]
    assert "geolocation=()" in home["Permissions-Policy"]
