"""What crawlers find: /sitemap.xml (addresses only) and /robots.txt."""

import datetime
from http import HTTPStatus
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from fansite.articles.models import Article
from fansite.threads.models import Board, Thread
from tests.articles.factories import ArticleFactory, DraftFactory
from tests.threads.factories import ThreadFactory, board

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ORIGIN = "http://testserver"
SECRET_TITLE = "Cheongsan dies saving Onjo"


def sitemap_files(client):
    response = client.get(reverse("sitemap"))
    assert response.status_code == HTTPStatus.OK
    root = ElementTree.fromstring(response.content)
    return [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]


def locations(response):
    assert response.status_code == HTTPStatus.OK
    root = ElementTree.fromstring(response.content)
    return [url.findtext("sm:loc", namespaces=NS) for url in root.findall("sm:url", NS)]


def section(client, name, page=None):
    query = {"p": page} if page else {}
    return client.get(reverse("sitemap_section", args=[name]), query)


def every_location(client):
    found = []
    for url in sitemap_files(client):
        found += locations(client.get(url.removeprefix(ORIGIN)))
    return found


def test_sitemap_index_lists_each_section(client):
    assert sitemap_files(client) == [
        f"{ORIGIN}/sitemap-{name}.xml"
        for name in ("pages", "articles", "episodes", "boards", "threads")
    ]


def test_sitemap_lists_public_pages_and_never_titles(client):
    article = ArticleFactory()
    draft = DraftFactory()
    gated = ThreadFactory(board=board("episode-9"), title=SECRET_TITLE)
    safe = ThreadFactory(board=board("general"), title="Favourite school in K-drama")
    hidden = ThreadFactory(board=board("general"), title="Hidden by moderators")
    Thread.objects.filter(pk=hidden.pk).update(is_hidden=True)

    found = every_location(client)

    expected = [
        reverse("articles:article_list"),
        reverse("threads:board_list"),
        reverse("episodes:episode_list"),
        *(a.get_absolute_url() for a in Article.objects.published().order_by("pk")),
        *(f"/episodes/{number}/" for number in range(1, 13)),
        *(b.get_absolute_url() for b in Board.objects.order_by("pk")),
        gated.get_absolute_url(),
        safe.get_absolute_url(),
    ]
    assert found == [ORIGIN + path for path in expected]
    assert ORIGIN + article.get_absolute_url() in found
    assert ORIGIN + hidden.get_absolute_url() not in found
    assert ORIGIN + draft.get_absolute_url() not in found
    everything = b"".join(
        client.get(url.removeprefix(ORIGIN)).content for url in sitemap_files(client)
    ).decode()
    # Thread addresses are numbers. (Article addresses carry their slug: article titles
    # are spoiler-free by editorial policy.)
    for title in (SECRET_TITLE, "Favourite school", "Hidden by moderators"):
        assert title not in everything


def test_sitemap_uses_the_public_origin_and_lastmod(client, settings):
    settings.SITE_URL = "https://fans.example.org"
    thread = ThreadFactory(board=board("general"))
    when = datetime.datetime(2026, 3, 4, 5, 6, tzinfo=datetime.UTC)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=when)

    assert sitemap_files(client)[0] == "https://fans.example.org/sitemap-pages.xml"
    response = section(client, "threads")
    assert locations(response) == [f"https://fans.example.org{thread.get_absolute_url()}"]
    assert b"<lastmod>2026-03-04</lastmod>" in response.content
    assert response["Last-Modified"] == "Wed, 04 Mar 2026 05:06:00 GMT"
    index = client.get(reverse("sitemap")).content.decode()
    assert "<lastmod>2026-03-04T05:06:00+00:00</lastmod>" in index


def test_sitemap_is_paginated_at_the_sections_limit(client, monkeypatch):
    monkeypatch.setattr("fansite.threads.sitemaps.ThreadSitemap.limit", 2)
    threads = ThreadFactory.create_batch(5, board=board("general"))

    assert [url for url in sitemap_files(client) if "threads" in url] == [
        f"{ORIGIN}/sitemap-threads.xml",
        f"{ORIGIN}/sitemap-threads.xml?p=2",
        f"{ORIGIN}/sitemap-threads.xml?p=3",
    ]
    pages = [locations(section(client, "threads", page)) for page in (1, 2, 3)]
    assert pages == [
        [ORIGIN + thread.get_absolute_url() for thread in threads[i : i + 2]] for i in (0, 2, 4)
    ]
    assert section(client, "threads", 4).status_code == HTTPStatus.NOT_FOUND
    assert section(client, "threads", "x").status_code == HTTPStatus.NOT_FOUND
    assert section(client, "nothing").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.usefixtures("relaxed_posting_limits")
@pytest.mark.parametrize("count", [3, 30])
def test_sitemap_query_count_is_constant(client, django_assert_max_num_queries, count):
    ThreadFactory.create_batch(count, board=board("general"))
    # Per section: its count and its latest lastmod.
    with django_assert_max_num_queries(8):
        client.get(reverse("sitemap"))
    for name in ("pages", "articles", "episodes", "boards", "threads"):
        # The count and the page's rows.
        with django_assert_max_num_queries(2):
            response = section(client, name)
        assert response.status_code == HTTPStatus.OK
    assert len(locations(response)) == count


def test_sitemaps_are_cacheable_and_kept_out_of_search_results(client):
    for response in (client.get(reverse("sitemap")), section(client, "boards")):
        assert response["Content-Type"] == "application/xml"
        assert "public" in response["Cache-Control"]
        assert "max-age=3600" in response["Cache-Control"]
        assert response["X-Robots-Tag"] == "noindex, noarchive"
        assert not response.cookies


def test_robots_txt(client):
    response = client.get("/robots.txt")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    assert not response.cookies
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /settings/",
        "Disallow: /reveal/",
        "Disallow: /progress/",
        "Disallow: /*?reveal=",
        "Disallow: /*&reveal=",
        "Disallow: /*?quote=",
        "Disallow: /*&quote=",
        "Disallow: /*?reply_to=",
        "Disallow: /*&reply_to=",
        "",
        f"Sitemap: {ORIGIN}/sitemap.xml",
    ]


def test_robots_txt_never_gives_away_a_secret_admin_path(client, settings):
    settings.ADMIN_URL = "backstage-42/"
    settings.SITE_URL = "https://fans.example.org"

    text = client.get("/robots.txt").content.decode()

    assert "backstage" not in text
    assert "admin" not in text
    assert "Sitemap: https://fans.example.org/sitemap.xml" in text


def test_robots_txt_answers_head_and_refuses_post(client):
    assert client.head("/robots.txt").status_code == HTTPStatus.OK
    assert client.post("/robots.txt").status_code == HTTPStatus.METHOD_NOT_ALLOWED
