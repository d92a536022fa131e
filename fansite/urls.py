from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from fansite.articles.sitemaps import ArticleSitemap
from fansite.episodes.sitemaps import EpisodeSitemap
from fansite.ops.bench import ceiling
from fansite.threads.sitemaps import BoardSitemap, ThreadSitemap
from fansite.web import sitemaps
from fansite.web import views as web_views

# The admin's own login form has no brute-force limit: staff log in through the
# site's login (allauth's, rate limited, ACCOUNT_RATE_LIMITS), which sends them back.
admin.site.login = secure_admin_login(admin.site.login)
# The admin says whose it is (templates/admin/base_site.html adds the logo mark).
admin.site.site_header = _("%(site_name)s admin") % {"site_name": settings.SITE_NAME}
admin.site.site_title = _("%(site_name)s admin") % {"site_name": settings.SITE_NAME}
admin.site.index_title = _("Moderation and content")

# /sitemap.xml lists these sections (addresses only: fansite/web/sitemaps.py).
SITEMAPS = {
    "pages": sitemaps.named_pages(
        "articles:article_list", "threads:board_list", "episodes:episode_list"
    ),
    "articles": ArticleSitemap,
    "episodes": EpisodeSitemap,
    "boards": BoardSitemap,
    "threads": ThreadSitemap,
}

urlpatterns = [
    # The busiest pages first: Django tries patterns in order, and a thread page
    # resolved after twenty others took three times as long (about 26 µs, a tenth
    # of a cached hit's own work). tests/web/test_url_order.py checks that no
    # pattern answers for another's address.
    path("", include("fansite.threads.urls")),
    path("", include("fansite.articles.urls")),
    path("robots.txt", web_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemaps.sitemap_index,
        {"sitemaps": SITEMAPS, "section_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        sitemaps.sitemap_section,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("fansite.ops.urls")),
    path("", include("fansite.spoilers.urls")),
    path("", include("fansite.users.urls")),
    path("", include("fansite.emails.urls")),
    path("", include("fansite.episodes.urls")),
    path("", include("fansite.comments.urls")),
    path("", include("fansite.notifications.urls")),
    path("", include("fansite.ratings.urls")),
    path("", include("fansite.reactions.urls")),
    path("", include("fansite.search.urls")),
    path("", include("fansite.moderation.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", web_views.serve_media),
    ]

if settings.BENCHMARK_CEILING:
    urlpatterns += [path("bench/ceiling/", ceiling)]

handler400 = web_views.bad_request
handler403 = web_views.permission_denied
handler404 = web_views.page_not_found
handler500 = web_views.server_error
# Not one of Django's handlers: allauth answers its rate limits with this one.
handler429 = web_views.too_many_requests
