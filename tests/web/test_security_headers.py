"""Security headers on real responses."""

import pytest
from django.utils.csp import CSP

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


def test_the_policy_follows_the_settings_and_keeps_nonces(client, settings):
    """The middleware writes each policy once (fansite.web.middleware): a changed
    setting is a new policy, a report-only policy is sent too, and a policy with
    a nonce is left to Django (which drops the nonce from a page that used none)."""
    settings.SECURE_CSP = {"default-src": [CSP.SELF], "img-src": [CSP.SELF, "https:"]}
    settings.SECURE_CSP_REPORT_ONLY = {"script-src": [CSP.SELF]}
    response = client.get("/")
    assert response["Content-Security-Policy"] == "default-src 'self'; img-src 'self' https:"
    assert response["Content-Security-Policy-Report-Only"] == "script-src 'self'"

    settings.SECURE_CSP = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE]}
    settings.SECURE_CSP_REPORT_ONLY = {}
    response = client.get("/")
    assert response["Content-Security-Policy"] == "default-src 'self'; script-src 'self'"
    assert "Content-Security-Policy-Report-Only" not in response


def test_header_names_and_values_are_plain_strings(home):
    """WSGI servers refuse anything else (wsgiref's validator: a 500 for the page)."""
    assert home["Content-Security-Policy"]
    for name, value in home.items():
        assert type(name) is str, name
        assert type(value) is str, name
