"""Sitemaps (sitemaps.org) at the site's public origin, in a fixed number of queries.

Django's sitemaps framework gives the ``Sitemap`` classes, the pagination (``limit`` URLs per
file, ``?p=2`` for the next) and the XML templates. Its views are not used: they take the
domain from the sites framework, whose record here is a placeholder, and its index reads
every item of a section to find the latest ``lastmod``. The views below take the public
origin (``SITE_URL``, else the request's) and ask a section for its latest ``lastmod`` with
one aggregate query.

``/sitemap.xml`` is the index: one entry per page of each section. A section's page costs two
queries (its count and its rows) whatever its size. Each app declares its sections in its own
``sitemaps.py``; ``fansite/urls.py`` passes them to the views. A sitemap holds addresses
only, never titles, so it can list everything public without a spoiler in it.

This module knows nothing of the product: it imports no app.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .context_processors import site

# Crawlers fetch sitemaps now and then; an hour old is fresh enough, and shared caches
# spare the database the repeats.
SITEMAP_MAX_AGE = 60 * 60
PAGE_PARAM = "p"


class ModelSection(Sitemap):
    """A section of objects at their ``get_absolute_url()``. Subclasses define
    ``items()``: a queryset in a fixed order, so pages never overlap. ``lastmod_field``
    names the datetime field that says when an object's page last changed (None: no
    ``lastmod``)."""

    lastmod_field: str | None = None

    def lastmod(self, item):
        return getattr(item, self.lastmod_field) if self.lastmod_field else None

    def get_latest_lastmod(self):
        if not self.lastmod_field:
            return None
        return self.items().aggregate(latest=Max(self.lastmod_field))["latest"]


class NamedPages(Sitemap):
    """Pages with no object behind them, by URL name ("threads:board_list")."""

    names: tuple[str, ...] = ()

    def items(self):
        return list(self.names)

    def location(self, name):
        return reverse(name)


def named_pages(*names):
    """A NamedPages section listing ``names``."""
    return type("NamedPages", (NamedPages,), {"names": names})


@dataclass(frozen=True)
class _Origin:
    """What ``Sitemap.get_urls`` reads of a ``Site``."""

    domain: str


def _origin(request):
    parts = urlsplit(site(request)["site_url"])
    return parts.scheme, _Origin(parts.netloc)


def _sitemap_response(request, template_name, context, lastmod=None):
    headers = {"X-Robots-Tag": "noindex, noarchive"}
    if lastmod is not None:
        headers["Last-Modified"] = http_date(lastmod.timestamp())
    return TemplateResponse(
        request, template_name, context, content_type="application/xml", headers=headers
    )


@require_safe
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def sitemap_index(request, sitemaps, section_url_name):
    """The index: every page of every section in ``sitemaps`` (name: Sitemap class)."""
    protocol, origin = _origin(request)
    entries = []
    for name, section_class in sitemaps.items():
        section = section_class()
        path = reverse(section_url_name, kwargs={"section": name})
        location = f"{protocol}://{origin.domain}{path}"
        lastmod = section.get_latest_lastmod()
        entries.append(SitemapIndexItem(location, lastmod))
        for page in range(2, section.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{location}?{PAGE_PARAM}={page}", lastmod))
    return _sitemap_response(request, "sitemap_index.xml", {"sitemaps": entries})


@require_safe
@cache_control(public=True, max_age=SITEMAP_MAX_AGE)
def sitemap_section(request, sitemaps, section):
    """One page (``?p=``) of one section."""
    if section not in sitemaps:
        raise Http404("No such sitemap.")
    protocol, origin = _origin(request)
    sitemap = sitemaps[section]()
    try:
        urls = sitemap.get_urls(page=request.GET.get(PAGE_PARAM, 1), site=origin, protocol=protocol)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such sitemap page.") from error
    # Set by get_urls when every URL on the page has a lastmod.
    lastmod = getattr(sitemap, "latest_lastmod", None)
    return _sitemap_response(request, "sitemap.xml", {"urlset": urls}, lastmod)
