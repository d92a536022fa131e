import datetime

import pytest
import time_machine
from django.core.management import call_command

from fansite.articles.models import Article
from fansite.articles.services import publish_articles, rerender_articles, unpublish_articles
from fansite.web.markdown import render_markdown

from .factories import ArticleFactory, DraftFactory

pytestmark = pytest.mark.django_db

MOMENT = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


@time_machine.travel(MOMENT, tick=False)
def test_publish_articles_dates_first_publication():
    draft = DraftFactory()
    assert publish_articles(articles=Article.objects.filter(pk=draft.pk)) == 1
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at == MOMENT


def test_republishing_keeps_the_original_date():
    original = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    article = ArticleFactory(published_at=original)
    articles = Article.objects.filter(pk=article.pk)
    assert unpublish_articles(articles=articles) == 1
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert publish_articles(articles=articles) == 1
    article.refresh_from_db()
    assert article.published_at == original


def test_publish_ignores_articles_already_published():
    article = ArticleFactory()
    assert publish_articles(articles=Article.objects.filter(pk=article.pk)) == 0


def test_rerender_articles_refreshes_stale_html():
    article = ArticleFactory(body="Fresh **text**.")
    Article.objects.filter(pk=article.pk).update(body_html="<p>stale</p>")
    assert rerender_articles() == 1
    article.refresh_from_db()
    assert article.body_html == render_markdown("Fresh **text**.", trusted=True)
    assert rerender_articles() == 0


def test_rerender_articles_command(capsys):
    article = ArticleFactory(body="From the *command*.")
    Article.objects.filter(pk=article.pk).update(body_html="")
    call_command("rerender_articles")
    article.refresh_from_db()
    assert "<em>command</em>" in article.body_html
    assert "1 changed" in capsys.readouterr().out
