from urllib.parse import urljoin

from django import template

register = template.Library()


@register.filter
def absolute_url(url, origin):
    """Make ``url`` absolute against the site's origin (``site_url``); URLs that are
    already absolute (e.g. media on another host) are returned unchanged."""
    return urljoin(origin + "/", url)
