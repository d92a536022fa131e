"""One render of a page at a time (fansite.web.pagecache): a request for a page
that another request is rendering waits for the page it stores, rather than
rendering it too, and never waits for ever or for a page it would not serve.

"Another request" is a thread here, with the cache the tests share: it holds the
page's render claim, as a request in another worker would, and stores the page
(or not) when it is done."""

import threading
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from fansite.web import pagecache

pytestmark = pytest.mark.django_db


class View:
    """A page view that counts its renders."""

    def __init__(self):
        self.renders = 0
        self.fails = False
        self.view = pagecache.cached_page(lambda request: [], variant=lambda request: "all")(
            self.render
        )

    def render(self, request):
        self.renders += 1
        if self.fails:
            raise RuntimeError("the render failed")
        return HttpResponse(b"<p>rendered here</p>", content_type="text/html")

    def __call__(self):
        return self.view(RequestFactory().get("/page/"))


def render_claim():
    """The page's key, the generations it is rendered under and its claim's key."""
    request = RequestFactory().get("/page/")
    key = pagecache._page_key(request, lambda request: "all", frozenset({pagecache.PAGE_PARAM}))
    generations = pagecache._generations([pagecache.SITE])
    return key, generations, pagecache._render_lock(key, generations)


def store(key, generations, body):
    """``body`` stored as a render stores its page."""
    pagecache._store(key, generations, HttpResponse(body, content_type="text/html"))


def other_render_ends(lock, page=None):
    """In a moment, in another thread, another worker's render ends: it stores
    ``page`` (key, generations and body) if there is one and gives its claim back."""

    def end():
        if page is not None:
            store(*page)
        cache.delete(lock)

    thread = threading.Timer(0.05, end)
    thread.start()
    return thread


def test_a_request_waits_for_the_page_another_request_is_rendering():
    view = View()
    key, generations, lock = render_claim()
    assert cache.add(lock, 1)

    other = other_render_ends(lock, (key, generations, b"<p>rendered elsewhere</p>"))
    response = view()
    other.join()

    assert view.renders == 0
    assert response.content == b"<p>rendered elsewhere</p>"
    assert response["X-Page-Cache"] == "hit"
    assert response["X-Page-Cache-Waited"] == "1"


def test_a_request_renders_the_page_itself_when_the_other_render_stores_nothing(settings):
    # Waiting would last far longer than this test does: it ends with the claim.
    settings.PAGE_CACHE_WAIT_SECONDS = 60
    view = View()
    _key, _generations, lock = render_claim()
    assert cache.add(lock, 1)

    other = other_render_ends(lock)
    started = time.monotonic()
    response = view()
    other.join()

    assert time.monotonic() - started < 30
    assert view.renders == 1
    assert response.content == b"<p>rendered here</p>"
    assert response["X-Page-Cache"] == "miss"


def test_a_page_stored_under_other_generations_is_not_served_to_a_waiting_request():
    view = View()
    key, _generations, lock = render_claim()
    assert cache.add(lock, 1)

    other = other_render_ends(lock, (key, ["not", "these"], b"<p>older</p>"))
    response = view()
    other.join()

    assert view.renders == 1
    assert response.content == b"<p>rendered here</p>"


def test_waiting_ends_when_the_other_render_never_does(settings):
    settings.PAGE_CACHE_WAIT_SECONDS = 0.05
    view = View()
    _key, _generations, lock = render_claim()
    assert cache.add(lock, 1)  # its process died mid-render: the claim lapses later

    response = view()

    assert view.renders == 1
    assert response["X-Page-Cache"] == "miss"


def test_a_render_releases_its_claim_whatever_happens():
    view = View()
    _key, _generations, lock = render_claim()

    view.fails = True
    with pytest.raises(RuntimeError):
        view()
    assert cache.get(lock) is None

    view.fails = False
    assert view()["X-Page-Cache"] == "miss"
    assert cache.get(lock) is None
    assert view()["X-Page-Cache"] == "hit"
    assert view.renders == 2


def test_with_waiting_off_every_request_renders(settings):
    settings.PAGE_CACHE_WAIT_SECONDS = 0
    view = View()
    _key, _generations, lock = render_claim()
    assert cache.add(lock, 1)

    response = view()

    assert view.renders == 1
    assert response["X-Page-Cache"] == "miss"


def test_a_page_stored_between_the_lookup_and_the_claim_is_not_rendered_again(monkeypatch):
    view = View()
    key, generations, lock = render_claim()
    claim = pagecache._claim

    def another_render_ends_first(lock):
        store(key, generations, b"<p>rendered elsewhere</p>")
        return claim(lock)

    monkeypatch.setattr(pagecache, "_claim", another_render_ends_first)
    response = view()

    assert view.renders == 0
    assert response.content == b"<p>rendered elsewhere</p>"
    assert cache.get(lock) is None
