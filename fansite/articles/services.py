from django.db import transaction
from django.utils import timezone

from fansite.web import pagecache

from .models import Article, render_body


@transaction.atomic
def publish_articles(*, articles, now=None):
    """Publish the given drafts; returns how many changed. Articles published
    before keep their original publication date (see Article.publish)."""
    now = now or timezone.now()
    changed = 0
    for article in articles.select_for_update(of=("self",)).filter(status=Article.Status.DRAFT):
        article.publish(now=now)
        article.save(update_fields=["status", "published_at", "updated_at"])
        changed += 1
    return changed


@transaction.atomic
def unpublish_articles(*, articles):
    """Send the given published articles back to draft; returns how many changed."""
    changed = 0
    for article in articles.select_for_update(of=("self",)).filter(status=Article.Status.PUBLISHED):
        article.unpublish()
        article.save(update_fields=["status", "updated_at"])
        changed += 1
    return changed


def rerender_articles(*, batch_size=100):
    """Render every article's body again (after a renderer upgrade); returns how
    many articles' HTML changed."""
    changed = []
    for article in Article.objects.only("pk", "body", "body_html").iterator(chunk_size=batch_size):
        html = render_body(article.body)
        if html != article.body_html:
            article.body_html = html
            changed.append(article)
    with transaction.atomic():
        Article.objects.bulk_update(changed, ["body_html"], batch_size=batch_size)
        if changed:
            # bulk_update sends no signals: drop cached article pages here.
            pagecache.bump(pagecache.ARTICLES, pagecache.LISTINGS)
    return len(changed)
