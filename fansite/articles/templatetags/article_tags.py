from urllib.parse import urljoin

from django import template

register = template.Library()


@register.filter
def absolute_url(url, origin):
    """Make ``url`` absolute against the site's origin (``site_url``); URLs that are
    already absolute (e.g. media on another host) are returned unchanged."""
    return urljoin(origin + "/", url)


@register.simple_tag
def card_key(article, reader):
    """{% card_key article reader as key %}{% drawn "article-card" key %}: everything
    an article's card in a list shows, so the card drawn once per process is drawn
    again when any of it changes (an edit, its tags, the reader's progress)."""
    spoils = reader.spoils(article)
    return (
        article.pk,
        article.title,
        article.get_absolute_url(),
        article.published_at,
        article.content_warning,
        article.spoiler_alert,
        article.spoils_episode.label if article.spoils_episode_id else None,
        # The summary only where the card shows it (the template's own condition).
        article.description if article.standfirst or not spoils else None,
        tuple((tag.slug, tag.name) for tag in article.tags.all()),
    )
