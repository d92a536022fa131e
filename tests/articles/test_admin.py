import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse

from fansite.articles.models import Article

from .factories import ArticleFactory, DraftFactory, UserFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2024, 6, 1, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_loads(admin_client):
    ArticleFactory(title="Listed in admin")
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == HTTPStatus.OK
    assert "Listed in admin" in response.text
    assert "The Spoiler In One" in response.text


def test_changelist_search(admin_client):
    ArticleFactory(title="Findable", body="A needle in the body.")
    ArticleFactory(title="Other")
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "needle"})
    assert "Findable" in response.text
    assert "Other" not in response.text


def test_change_page_shows_a_rendered_preview(admin_client):
    article = Article.objects.get(slug="the-all-of-us-are-dead-scene-that-made-the-cast-cry")
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == HTTPStatus.OK
    assert '<div class="article-preview">' in response.text
    assert '<details class="spoiler-block">' in response.text


def test_add_page_loads(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == HTTPStatus.OK


@time_machine.travel(MOMENT, tick=False)
def test_publish_action_sets_the_publication_date(admin_client):
    draft = DraftFactory()
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published 1 article." in response.text
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == MOMENT


def test_unpublish_action_returns_to_draft(admin_client, client):
    article = ArticleFactory()
    admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "unpublish", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is not None  # kept for re-publishing


def test_saving_as_published_in_the_form_dates_it(admin_client):
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Made in admin",
            "slug": "made-in-admin",
            "standfirst": "",
            "body": "Hello.",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    article = Article.objects.get(slug="made-in-admin")
    assert article.published_at is not None
    assert article.body_html.strip() == "<p>Hello.</p>"
