"""The markers middleware (fansite.web.markers): one pass fills every app's markers,
and a page served from the page cache is searched once per process.

The fillers here are the test's own (``PAGE_MARKERS`` names them); the site's own
markers are tested through its pages (tests/web/test_shared_pages.py and each
app's tests)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from fansite.web import markers, pagecache

pytestmark = pytest.mark.django_db

calls = []


class Colours(markers.Filler):
    name = b"colours"
    pattern = re.compile(rb"<!--colours:([a-z]+)-->")

    def fill(self, request, matches):
        calls.append(("colours", [match[1] for match in matches]))
        return lambda match: match[1].upper()


class Numbers(markers.Filler):
    name = b"numbers"
    pattern = re.compile(rb"<!--numbers:([0-9]+)-->")

    def fill(self, request, matches):
        calls.append(("numbers", [match[1] for match in matches]))
        total = sum(int(match[1]) for match in matches)
        return lambda match: f"{int(match[1])}/{total}".encode()

    def cache_keys(self, request):
        return ["numbers:key"]


PAGE = (
    b"<p><!--colours:red--> and <!--numbers:2--></p><!-- a plain comment -->"
    b"<!--colours:BAD--><!--elsewhere:1--><!--numbers:3--><b><!--colours:blue--></b>"
)
FILLED = (
    b"<p>RED and 2/5</p><!-- a plain comment --><!--colours:BAD--><!--elsewhere:1-->3/5<b>BLUE</b>"
)


@pytest.fixture(autouse=True)
def _fillers(settings):
    settings.PAGE_MARKERS = ["tests.web.test_markers.Colours", "tests.web.test_markers.Numbers"]
    calls.clear()


def middleware(respond):
    return markers.MarkersMiddleware(lambda request: respond(request))


def test_each_filler_gets_its_own_markers_in_page_order_once_a_page():
    response = middleware(lambda request: HttpResponse(PAGE))(RequestFactory().get("/"))

    assert response.content == FILLED
    # Markers that match no pattern, other apps' and plain comments are left as they are.
    assert calls == [("colours", [b"red", b"blue"]), ("numbers", [b"2", b"3"])]


def test_the_length_is_that_of_the_filled_page():
    def respond(request):
        response = HttpResponse(PAGE)
        response["Content-Length"] = str(len(PAGE))
        return response

    response = middleware(respond)(RequestFactory().get("/"))

    assert response["Content-Length"] == str(len(FILLED))


def test_pages_that_are_not_html_are_left_alone():
    response = middleware(lambda request: HttpResponse(PAGE, content_type="text/plain"))(
        RequestFactory().get("/")
    )

    assert response.content == PAGE
    assert calls == []


def _served(pieces):
    """A response as the page cache serves a hit: the stored pieces joined around
    the reader's token."""

    def respond(request):
        token = pagecache.form_token(request).encode()
        body = token.join(pieces)
        response = HttpResponse(body)
        setattr(response, pagecache._SERVED, (pieces, body))
        return response

    return respond


def test_a_served_page_is_searched_once_and_filled_for_every_request():
    pieces = (b'<form><input name="csrfmiddlewaretoken" value="', b'"></form>' + PAGE)
    run = middleware(_served(pieces))
    searched = []
    cut = markers.Found._cut

    def counting(self, *args):
        searched.append(1)
        return cut(self, *args)

    markers.Found._cut = counting
    try:
        first = run(RequestFactory().get("/"))
        second = run(RequestFactory().get("/"))
    finally:
        markers.Found._cut = cut

    assert len(searched) == 2  # the two pieces, once
    for response in (first, second):
        token = response.content.split(b'value="')[1].split(b'"')[0]
        assert len(token) == 64
        assert response.content == pieces[0] + token + b'"></form>' + FILLED
    assert first.content != second.content  # each its own reader's token
    assert len(calls) == 4  # both fillers, for both requests


def test_a_served_page_changed_after_the_cache_is_searched_afresh():
    pieces = (b"<p>", b"</p><!--colours:red-->")
    served = _served(pieces)

    def changed(request):
        response = served(request)
        response.content = response.content + b"<!--colours:green-->"
        return response

    response = middleware(changed)(RequestFactory().get("/"))

    assert response.content.endswith(b"</p>REDGREEN")


def test_fillers_name_the_keys_the_page_cache_reads_with_the_page():
    request = RequestFactory().get("/")
    middleware(lambda request: HttpResponse(PAGE))(request)

    assert pagecache._prefetch_keys(request) == ["numbers:key"]


class MembersOnly(Colours):
    members_only = True


def test_members_only_markers_become_nothing_on_a_visitors_page_unasked(settings):
    settings.PAGE_MARKERS = ["tests.web.test_markers.MembersOnly", "tests.web.test_markers.Numbers"]
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    response = middleware(lambda request: HttpResponse(PAGE))(request)

    assert response.content == (
        b"<p> and 2/5</p><!-- a plain comment --><!--colours:BAD--><!--elsewhere:1-->3/5<b></b>"
    )
    assert calls == [("numbers", [b"2", b"3"])]
