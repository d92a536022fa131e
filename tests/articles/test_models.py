import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from fansite.articles.models import Article
from fansite.web.markdown import render_markdown

from .factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db


def test_body_is_rendered_when_saved():
    article = ArticleFactory(body="Hello *there*.")
    assert article.body_html == render_markdown("Hello *there*.", trusted=True)
    assert "<em>there</em>" in article.body_html

    article.body = "Changed >!secret!<"
    article.save()
    article.refresh_from_db()
    assert "Changed" in article.body_html
    assert "there" not in article.body_html


def test_body_html_is_sanitised():
    article = ArticleFactory(body='Hi <script>alert("x")</script> <img src=x onerror=alert(1)>')
    # Raw HTML is shown as text, never passed through.
    assert "<script" not in article.body_html
    assert "<img" not in article.body_html
    assert "&lt;script&gt;" in article.body_html


def test_published_article_must_have_a_publication_date():
    with pytest.raises(IntegrityError):
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)


def test_clean_dates_an_article_published_without_a_date():
    article = DraftFactory.build(slug="new-one")
    article.status = Article.Status.PUBLISHED
    before = timezone.now()
    article.full_clean(exclude=["author"])
    assert article.published_at >= before


def test_cover_image_needs_a_description():
    article = DraftFactory.build(
        slug="with-cover", cover_image="articles/covers/x.png", cover_alt=""
    )
    with pytest.raises(ValidationError) as excinfo:
        article.full_clean(exclude=["author"])
    assert "cover_alt" in excinfo.value.message_dict


def test_published_queryset_excludes_drafts_and_future_articles():
    visible = ArticleFactory()
    DraftFactory()
    ArticleFactory(published_at=timezone.now() + datetime.timedelta(minutes=5))
    assert visible in Article.objects.published()
    assert Article.objects.published().count() == 2  # with the seeded article


def test_is_published():
    assert ArticleFactory().is_published
    assert not DraftFactory().is_published
    assert not ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1)).is_published


def test_description_prefers_the_standfirst():
    assert ArticleFactory(standfirst="Summary.").description == "Summary."


def test_description_falls_back_to_a_spoiler_free_excerpt():
    article = ArticleFactory(standfirst="", body="Opening line. >!The twist!< More.")
    assert article.description.startswith("Opening line.")
    assert "twist" not in article.description


def test_publish_keeps_the_first_publication_date():
    first = datetime.datetime(2022, 3, 1, tzinfo=datetime.UTC)
    article = DraftFactory()
    article.publish(now=first)
    article.unpublish()
    article.publish(now=first + datetime.timedelta(days=30))
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == first
