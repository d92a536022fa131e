# ruff: noqa: RUF001 - the source text uses typographic apostrophes on purpose
"""The source article, published by migration as the site's first post."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from fansite.articles.models import Article
from tests.spoilers.readers import revealing

from .htmltree import normalise, parse

pytestmark = pytest.mark.django_db

SLUG = "the-all-of-us-are-dead-scene-that-made-the-cast-cry"
TITLE = (
    "The Spoiler In One “All of Us Are Dead” Scene Was So Heartbreaking "
    "That It Made All The Cast Cry"
)
STANDFIRST = "The significance of the details shouldn’t be overlooked."
CONTENT_WARNING = (
    "This article includes descriptions of graphic content that may disturb some readers."
)
SPOILER_ALERT = "This article reveals plot details of a current movie or series."
DEATH_SENTENCE = (
    "It is the scene after Soo Hyuk dies and the main character Lee Cheong San "
    "(Yoon Chan Young) hands On Jo back the nametag with the words, “Take care of it."
)
QUOTES = [
    ("This is kind of a spoiler, but there’s a sad scene about the nametag.", "— Lee Jae Kyoo"),
    (
        "It’s in the best and worst moments that relationships come to play. Who do we want "
        "to share our sadness with? That’s why I focused on their relationship. I think "
        "that’s an essential element of this show.",
        "— Chun Sung Il",
    ),
    (
        "In zombie movies, people try hard to survive. Survival is important but how you live "
        "on is more important. So you should think about existence rather than just surviving.",
        "— Lee Jae Kyoo",
    ),
]
CAPTIONS = ["“All of Us Are Dead” Poster | Netflix", "The cast of the show | Netflix"]

# A verbatim copy of the text the editors were given (shared/seed/source-article.txt).
SOURCE = (Path(__file__).parent / "source-article.txt").read_text(encoding="utf-8")
SOURCE_PARAGRAPHS = [normalise(p) for p in SOURCE.split("\n\n") if p.strip()]
# Paragraphs that became structured fields rather than body text.
STRUCTURED = {
    TITLE,
    STANDFIRST,
    "Content Warning",
    CONTENT_WARNING,
    "Spoiler Alert",
    SPOILER_ALERT,
    "Source: Netflix Korea",
    "All of Us Are Dead",
}


@pytest.fixture
def page(client):
    # The article spoils up to episode 12: a new visitor must ask to read it.
    article = Article.objects.get(slug=SLUG)
    url = reverse("articles:article_detail", kwargs={"slug": SLUG})
    response = client.get(revealing(client, url, article))
    assert response.status_code == HTTPStatus.OK
    return parse(response.text)


@pytest.fixture
def body(page):
    return page.find("div", "article__body")


def test_source_article_is_the_first_published_article():
    article = Article.objects.get(slug=SLUG)
    assert list(Article.objects.published()) == [article]
    assert article.title == TITLE
    assert article.standfirst == STANDFIRST
    assert article.author is None
    assert article.spoils_episode.position == 12
    assert article.source_credit == "Netflix Korea"
    assert [tag.slug for tag in article.tags.all()] == ["all-of-us-are-dead"]
    assert article.published_at.isoformat() == "2022-02-01T00:00:00+00:00"


def test_seed_text_still_matches_the_source():
    # Guards the comparison below against an edited copy of the source.
    assert SOURCE_PARAGRAPHS[0] == TITLE
    assert len(SOURCE_PARAGRAPHS) == 33


def test_every_body_paragraph_of_the_source_appears_in_order(body):
    text = normalise(body.text())
    position = 0
    for paragraph in SOURCE_PARAGRAPHS:
        if paragraph in STRUCTURED:
            continue
        found = text.find(paragraph, position)
        assert found != -1, f"missing or out of order: {paragraph!r}"
        position = found + len(paragraph)


def test_structured_fields_are_not_repeated_as_body_paragraphs(body):
    text = body.text()
    for paragraph in ["Content Warning", CONTENT_WARNING, "Spoiler Alert", SPOILER_ALERT]:
        assert paragraph not in text
    assert "Source:" not in text
    assert [p.text() for p in body.find_all("p")][-1] == "You can watch the whole video below."


def test_title_standfirst_and_byline(page):
    assert page.find("h1").text() == TITLE
    assert page.find("p", "article__standfirst").text() == STANDFIRST
    assert "By the Hyosan Survivors editors" in page.find("p", "article__byline").text()
    assert page.find("title").text() == f"{TITLE} · Hyosan Survivors"


def test_warnings_are_banners_above_the_body(page):
    warning = page.find("div", "banner--warning", role="note")
    spoiler = page.find("div", "banner--spoiler", role="note")
    assert CONTENT_WARNING in warning.text()
    assert SPOILER_ALERT in spoiler.text()
    assert "Spoilers up to episode 12" in spoiler.text()
    article = page.find("article", "article")
    order = [
        node
        for node in article.iter()
        if node in {warning, spoiler} or "article__body" in node.classes
    ]
    assert order == [warning, spoiler, page.find("div", "article__body")]


def test_quotes_are_blockquotes_with_attributions(body):
    quotes = body.find_all("figure", "quote")
    assert [(q.find("blockquote").text(), q.find("figcaption").text()) for q in quotes] == QUOTES


def test_images_are_local_placeholders_with_captions(body):
    figures = [f for f in body.find_all("figure") if "quote" not in f.classes]
    assert [f.find("figcaption").text() for f in figures] == CAPTIONS
    for figure in figures:
        image = figure.find("img")
        assert image.attrs["src"].startswith("/static/img/articles/")
        assert finders.find(image.attrs["src"].removeprefix("/static/")), image.attrs["src"]
        assert "placeholder" in image.attrs["alt"].lower()


def test_the_death_is_hidden_in_a_block_spoiler(page, body):
    spoilers = body.find_all("details", "spoiler-block")
    assert len(spoilers) == 1
    spoiler = spoilers[0]
    assert DEATH_SENTENCE in spoiler.text()
    # The label a reader sees before opening it does not give the death away.
    assert "Soo Hyuk" not in spoiler.find("summary").text()
    # Nowhere else on the page: every occurrence is inside the <details>.
    outside = page.text().replace(spoiler.text(), "")
    assert "Soo Hyuk dies" not in outside


def test_source_credit_and_tag_link(page):
    footer = page.find("footer", "article__footer")
    assert page.find("p", "article__source").text() == "Source: Netflix Korea"
    tag_link = footer.find("a", rel="tag")
    assert tag_link.text() == "All of Us Are Dead"
    assert tag_link.attrs["href"] == reverse(
        "articles:tag_detail", kwargs={"slug": "all-of-us-are-dead"}
    )


def test_head_describes_the_article_without_spoilers(page):
    head = page.find("head")
    meta = {
        m.attrs.get("property") or m.attrs.get("name"): m.attrs["content"]
        for m in head.find_all("meta")
        if "content" in m.attrs
    }
    url = f"http://testserver/articles/{SLUG}/"
    assert head.find("link", rel="canonical").attrs["href"] == url
    assert meta["description"] == STANDFIRST
    assert meta["og:type"] == "article"
    assert meta["og:title"] == TITLE
    assert meta["og:description"] == STANDFIRST
    assert meta["og:url"] == url
    assert meta["og:image"] == "http://testserver/static/img/og-default.png"
    assert meta["article:published_time"] == "2022-02-01T00:00:00+00:00"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["twitter:title"] == TITLE
    assert meta["twitter:description"] == STANDFIRST
    for value in [head.find("title").text(), *meta.values()]:
        assert "Soo Hyuk" not in value


def test_home_lists_the_source_article(client):
    response = client.get(reverse("articles:article_list"))
    card = parse(response.text).find("article", "article-card")
    assert card.find("h2").text() == TITLE
    assert card.find("a").attrs["href"] == f"/articles/{SLUG}/"
    assert STANDFIRST in card.text()
    assert "1 February 2022" in card.text()
    assert "Content warning" in card.text()
    assert "Spoilers up to episode 12" in card.text()
    assert "All of Us Are Dead" in card.find("ul", "article-tags").text()


def test_feed_carries_the_spoiler_free_summary(client):
    response = client.get(reverse("articles:article_feed"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = response.content.decode()
    assert f"<link>http://testserver/articles/{SLUG}/</link>" in feed
    assert f"<description>{STANDFIRST}</description>" in feed
    assert "Tue, 01 Feb 2022 00:00:00 +0000" in feed
    assert "Soo Hyuk" not in feed
