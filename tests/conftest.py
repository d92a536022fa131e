"""Test-wide settings tweaks and fixtures.

Settings changes for tests live here rather than in a second settings
module: a fast password hasher, in-memory email, a throwaway MEDIA_ROOT.
"""

from datetime import timedelta

import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    # Tests run in one process, so the in-memory cache is shared: keep the page
    # cache on, so every test that writes and then reads also checks invalidation.
    settings.PAGE_CACHE_SECONDS = 300
    # As in production with Redis (a shared cache): sessions read through the cache.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from fansite.comments.cards import local_cards
    from fansite.comments.listing import drawn_boxes
    from fansite.reactions.state import forget_local
    from fansite.threads.rowcards import rows
    from fansite.web.localcopy import drop_all_local
    from fansite.web.pagecache import local_pages

    cache.clear()
    local_pages.clear()
    local_cards.clear()
    rows.local.clear()
    drawn_boxes.clear()
    forget_local()
    drop_all_local()
    yield
    cache.clear()
    local_pages.clear()
    local_cards.clear()
    rows.local.clear()
    drawn_boxes.clear()
    forget_local()
    drop_all_local()


@pytest.fixture
def relaxed_posting_limits(settings):
    """For tests that build a lot of content from one brand-new member in a moment:
    no new-account limits and no duplicate-post check. Rate limits stay on, since
    services do not count them; every other test runs with the real limits."""
    settings.NEW_ACCOUNT_PERIOD = timedelta(0)
    settings.DUPLICATE_POST_WINDOW = timedelta(0)
