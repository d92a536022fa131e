import datetime
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from .factories import ArticleFactory, DraftFactory, TagFactory, UserFactory
from .htmltree import parse

pytestmark = pytest.mark.django_db


def card_titles(response):
    return [
        card.find("h2").text() for card in parse(response.text).find_all("article", "article-card")
    ]


def test_home_paginates_newest_first(client):
    now = timezone.now()
    for number in range(25):
        ArticleFactory(
            title=f"Story {number:02}", published_at=now - datetime.timedelta(days=number)
        )
    # With the seeded article: 26 in all, 10 a page.
    first = client.get(reverse("articles:article_list"))
    assert card_titles(first) == [f"Story {number:02}" for number in range(10)]
    nav = parse(first.text).find("nav", "pagination")
    assert nav.attrs["aria-label"] == "Pagination"
    assert nav.find("a", rel="next").attrs["href"] == "/?page=2"

    last = client.get(reverse("articles:article_list"), {"page": 3})
    titles = card_titles(last)
    assert len(titles) == 6
    assert titles[-1].startswith("The Spoiler In One")
    assert parse(last.text).find("span", **{"aria-current": "page"}).text() == "3"


def test_home_has_no_pagination_with_few_articles(client):
    response = client.get(reverse("articles:article_list"))
    assert not parse(response.text).find_all("nav", "pagination")


def test_home_shows_neither_drafts_nor_scheduled_articles(client):
    DraftFactory(title="Unfinished draft")
    ArticleFactory(
        title="Tomorrow's news", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    titles = card_titles(client.get(reverse("articles:article_list")))
    assert "Unfinished draft" not in titles
    assert "Tomorrow's news" not in titles


@pytest.mark.parametrize("count", [1, 20])
def test_home_query_count_does_not_grow_with_articles(client, django_assert_max_num_queries, count):
    tags = TagFactory.create_batch(2)
    ArticleFactory.create_batch(count, tags=tags)
    client.get(reverse("articles:article_list"))  # caches the header's episode list
    # Articles (count, page, tags) and the latest discussions.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("articles:article_list"))
    assert response.status_code == HTTPStatus.OK


def test_card_without_standfirst_shows_a_spoiler_free_excerpt(client):
    ArticleFactory(
        title="Excerpted",
        standfirst="",
        body="Cheong San does something >!that we will not say!< here.",
    )
    card = next(
        c
        for c in parse(client.get(reverse("articles:article_list")).text).find_all(
            "article", "article-card"
        )
        if c.find("h2").text() == "Excerpted"
    )
    assert "Cheong San does something" in card.text()
    assert "that we will not say" not in card.text()


def test_article_detail_query_count(client, django_assert_max_num_queries):
    article = ArticleFactory(tags=TagFactory.create_batch(3))
    client.get(article.get_absolute_url())  # caches the header's episode list
    # The article, its tags, and its comments (counts, first page).
    with django_assert_max_num_queries(4):
        response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK


def test_article_byline_names_the_author(client):
    author = UserFactory(username="editor_kim")
    article = ArticleFactory(author=author)
    byline = parse(client.get(article.get_absolute_url()).text).find("p", "article__byline")
    assert "By editor_kim" in byline.text()


def test_draft_is_not_found_for_anonymous_readers(client):
    article = DraftFactory()
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_draft_is_not_found_for_members_who_are_not_staff(client):
    client.force_login(UserFactory())
    response = client.get(DraftFactory().get_absolute_url())
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_scheduled_article_is_not_found_before_its_time(client):
    article = ArticleFactory(published_at=timezone.now() + datetime.timedelta(hours=2))
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_staff_see_drafts_marked_as_draft(client):
    client.force_login(UserFactory(is_staff=True))
    article = DraftFactory(title="Work in progress")
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = parse(response.text)
    assert page.find("h1").text() == "Work in progress"
    assert page.find("div", "banner--draft").text().startswith("Draft")
    assert page.find("meta", name="robots").attrs["content"] == "noindex"


def test_published_article_has_no_draft_banner(client):
    client.force_login(UserFactory(is_staff=True))
    page = parse(client.get(ArticleFactory().get_absolute_url()).text)
    assert not page.find_all("div", "banner--draft")


def test_article_without_warnings_shows_no_banners(client):
    page = parse(client.get(ArticleFactory().get_absolute_url()).text)
    assert not page.find_all("div", "banner--warning")
    assert not page.find_all("div", "banner--spoiler")


def test_source_credit_links_to_its_url(client):
    article = ArticleFactory(source_credit="Netflix Korea", source_url="https://example.com/video")
    source = parse(client.get(article.get_absolute_url()).text).find("p", "article__source")
    assert source.text() == "Source: Netflix Korea"
    assert source.find("a").attrs["href"] == "https://example.com/video"


def test_cover_image_is_shown_and_used_for_link_previews(client, settings):
    settings.SITE_URL = "https://fans.example.org"
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 20), "#336699").save(buffer, "PNG")
    article = ArticleFactory(
        cover_image=SimpleUploadedFile("my holiday photo.png", buffer.getvalue(), "image/png"),
        cover_alt="A blue rectangle",
    )
    page = parse(client.get(article.get_absolute_url()).text)
    cover = page.find("figure", "article__cover").find("img")
    assert cover.attrs["alt"] == "A blue rectangle"
    assert cover.attrs["src"].startswith("/media/articles/covers/")
    assert "holiday" not in cover.attrs["src"]  # stored under a random name
    og_image = page.find("meta", property="og:image").attrs["content"]
    assert og_image == "https://fans.example.org" + cover.attrs["src"]
    assert page.find("link", rel="canonical").attrs["href"] == (
        "https://fans.example.org" + article.get_absolute_url()
    )


def test_unknown_article_is_not_found(client):
    response = client.get(reverse("articles:article_detail", kwargs={"slug": "no-such-article"}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_tag_page_lists_published_articles_with_that_tag(client, django_assert_max_num_queries):
    tag = TagFactory(name="Interviews")
    ArticleFactory(title="Tagged one", tags=[tag])
    ArticleFactory(title="Untagged one")
    DraftFactory(title="Tagged draft", tags=[tag])
    client.get(tag.get_absolute_url())  # caches the header's episode list
    with django_assert_max_num_queries(4):
        response = client.get(tag.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    page = parse(response.text)
    assert page.find("h1").text() == "Articles tagged “Interviews”"
    assert card_titles(response) == ["Tagged one"]


def test_tag_page_paginates(client):
    tag = TagFactory()
    ArticleFactory.create_batch(12, tags=[tag])
    response = client.get(tag.get_absolute_url(), {"page": 2})
    assert len(card_titles(response)) == 2
    assert parse(response.text).find("nav", "pagination")


def test_unknown_tag_is_not_found(client):
    response = client.get(reverse("articles:tag_detail", kwargs={"slug": "nothing"}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_feed_lists_published_articles_only(client):
    ArticleFactory(title="Fresh story", standfirst="Short and safe.")
    DraftFactory(title="Secret draft")
    feed = client.get(reverse("articles:article_feed")).content.decode()
    assert "<title>Fresh story</title>" in feed
    assert "<description>Short and safe.</description>" in feed
    assert "Secret draft" not in feed


def test_feed_never_contains_the_body(client):
    ArticleFactory(
        title="Body stays out",
        standfirst="",
        body="Visible opening. >!The hidden twist!<\n\n:::spoiler\nA hidden ending.\n:::",
    )
    feed = client.get(reverse("articles:article_feed")).content.decode()
    assert "Visible opening." in feed
    assert "hidden twist" not in feed
    assert "hidden ending" not in feed
    assert "&lt;p&gt;" not in feed  # no HTML from body_html
