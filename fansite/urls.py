from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from fansite.core import views as core_views

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("fansite.core.urls")),
    path("", include("fansite.users.urls")),
    path("", include("fansite.episodes.urls")),
    path("", include("fansite.articles.urls")),
    path("", include("fansite.threads.urls")),
    path("", include("fansite.comments.urls")),
    path("", include("fansite.moderation.urls")),
]

if settings.SERVE_MEDIA:
    from fansite.core.views import serve_media

    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media)]

if settings.BENCHMARK_CEILING:
    from fansite.core.bench import ceiling

    urlpatterns += [path("bench/ceiling/", ceiling)]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
