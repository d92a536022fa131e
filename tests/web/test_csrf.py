"""The forms' CSRF token drawn by fansite.web.csrf: Django's own middleware
accepts it, it flags the response's cookie as Django's does, and its mask is
fresh and uniform. The site's middleware sends an unchanged cookie again only
now and then."""

from collections import Counter

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware, rotate_token
from django.test import RequestFactory

from fansite.web import csrf
from fansite.web.csrf import CsrfCookieRenewal

factory = RequestFactory()


def _view(request):
    return HttpResponse("ok")


def _middleware():
    return CsrfViewMiddleware(_view)


def _get(cookie=None):
    request = factory.get("/")
    if cookie is not None:
        request.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    _middleware().process_request(request)
    return request


def _page(cookie=None, *, sign_in=False):
    """A page with a form, through Django's middleware with the renewal just
    inside it (as settings.MIDDLEWARE has them): the request and the response."""

    def view(request):
        if sign_in:
            rotate_token(request)
        request.token = csrf.get_token(request)
        return HttpResponse("a form")

    request = factory.get("/")
    if cookie is not None:
        request.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    return request, CsrfViewMiddleware(CsrfCookieRenewal(view))(request)


def _accepted(cookie, token):
    """Whether Django's middleware lets a form post with ``token`` through."""
    request = factory.post("/", {"csrfmiddlewaretoken": token})
    request.COOKIES[settings.CSRF_COOKIE_NAME] = cookie
    middleware = _middleware()
    middleware.process_request(request)
    return middleware.process_view(request, _view, (), {}) is None


def test_a_token_for_a_readers_secret_passes_djangos_check():
    secret = csrf.random_string()
    token = csrf.get_token(_get(secret))
    assert len(token) == 64
    assert _accepted(secret, token)
    assert not _accepted(csrf.random_string(), token)


def test_a_visitor_without_a_cookie_gets_a_new_secret_and_the_cookie(monkeypatch):
    monkeypatch.setattr(csrf, "RENEW_EVERY", 10**9)
    request, response = _page()
    secret = request.META["CSRF_COOKIE"]
    assert response.cookies[settings.CSRF_COOKIE_NAME].value == secret
    assert "Cookie" in response["Vary"]
    assert _accepted(secret, request.token)


def test_a_known_secret_is_kept_and_its_cookie_renewed_now_and_then(monkeypatch):
    secret = csrf.random_string()

    def response(renew_every):
        monkeypatch.setattr(csrf, "RENEW_EVERY", renew_every)
        request, response = _page(secret)
        assert request.META["CSRF_COOKIE"] == secret
        assert _accepted(secret, request.token)
        return response

    renewed = response(1)
    assert renewed.cookies[settings.CSRF_COOKIE_NAME].value == secret
    assert renewed.cookies[settings.CSRF_COOKIE_NAME]["max-age"] == settings.CSRF_COOKIE_AGE
    kept = response(10**9)
    assert settings.CSRF_COOKIE_NAME not in kept.cookies
    assert "Cookie" in kept["Vary"]  # the page still depends on the cookie


def test_a_rotated_secret_is_always_sent(monkeypatch):
    """Signing in rotates the secret: the new cookie goes out with that response."""
    monkeypatch.setattr(csrf, "RENEW_EVERY", 10**9)
    old = csrf.random_string()
    request, response = _page(old, sign_in=True)
    new = response.cookies[settings.CSRF_COOKIE_NAME].value
    assert new != old
    assert new == request.META["CSRF_COOKIE"]
    assert _accepted(new, request.token)


def test_each_token_has_a_fresh_mask():
    request = _get(csrf.random_string())
    tokens = {csrf.get_token(request) for _ in range(50)}
    assert len(tokens) == 50
    assert len({token[:32] for token in tokens}) == 50


def test_masks_use_the_whole_alphabet_evenly():
    counts = Counter("".join(csrf.random_string() for _ in range(20_000)))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    expected = 20_000 * 32 / len(CSRF_ALLOWED_CHARS)
    # Keeping the bytes 248-255 would make the first eight characters a quarter
    # more likely than the rest. A tenth either way is ten standard deviations.
    assert all(0.9 * expected < count < 1.1 * expected for count in counts.values())


def test_bytes_that_would_skew_the_draw_are_dropped(monkeypatch):
    draws = iter([bytes([255, 248]) * 20, bytes(range(40))])
    monkeypatch.setattr(csrf.os, "urandom", lambda size: next(draws))
    assert csrf.random_string() == CSRF_ALLOWED_CHARS[:32]


def test_a_page_drawn_afresh_carries_one_token_in_every_form(db, settings, relaxed_posting_limits):
    """The templates' ``{% csrf_token %}`` comes from fansite.web.csrf too
    (``context_processors.csrf``), the same token the forms filled in after the
    page cache carry; and a form posts with it."""
    import re

    from django.test import Client

    from fansite.comments.services import post_comment, start_thread
    from tests.threads.factories import board
    from tests.users.factories import UserFactory

    settings.PAGE_CACHE_SECONDS = 0  # every page drawn afresh
    author = UserFactory()
    thread = start_thread(board=board("general"), author=author, title="Rooftop", body="Who?")
    post_comment(target=thread, author=author, body="Nam-ra, surely.")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(watched_up_to=12))

    page = browser.get(thread.get_absolute_url()).text

    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) > 3  # the header's forms, the compose box, Follow, the reactions
    assert len(set(tokens)) == 1
    follow = re.search(r'<form class="follow-form" method="post" action="([^"]+)"', page)
    assert browser.post(follow[1], {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
