"""Rate limits counted in a real Redis hold across processes.

Needs Redis at 127.0.0.1:6379 (skipped, saying so, when it is not running). The
counters go to a separate cache alias with a key prefix unique to each test, and
only those keys are deleted afterwards: nothing else in that Redis is touched.
"""

import os
import subprocess
import sys
import textwrap
import uuid
from http import HTTPStatus
from pathlib import Path

import pytest

from fansite.comments.models import Comment

from .conftest import comment_url, page_text, set_rates
from .test_rate_limits import concurrent_attempts

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"
BASE_DIR = Path(__file__).resolve().parents[2]


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis is not reachable at 127.0.0.1:6379 ({error}); start it to run this.")
    return client


@pytest.fixture
def redis_limits(settings):
    """Count rate limits in Redis under a fresh key prefix; returns the prefix."""
    client = redis_client()
    prefix = f"fansite-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "ratelimits": {
            "BACKEND": "fansite.web.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        },
    }
    settings.RATE_LIMITS_CACHE = "ratelimits"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_counters_live_in_redis(client, member, thread, settings, redis_limits):
    set_rates(settings, "comment", "2/m/user")
    client.force_login(member)
    client.post(comment_url(thread), {"body": "One."})
    client.post(comment_url(thread), {"body": "Two."})

    response = client.post(comment_url(thread), {"body": "Three, kept."})

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Three, kept.</textarea>" in page_text(response)
    assert any(redis_client().scan_iter(f"{redis_limits}:*ratelimit:comment:user:*"))


# Another server process: counts attempts for the same member and address in the
# same Redis, knowing nothing of this test process.
OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from types import SimpleNamespace

    import django
    django.setup()
    from django.conf import settings
    from django.test import RequestFactory

    from fansite.web.ratelimits import RateLimited, check_rate_limit

    settings.RATE_LIMITS = {"comment": ["3/h/user"]}
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
    request.user = SimpleNamespace(is_authenticated=True, pk=int(sys.argv[1]))
    allowed = 0
    for _ in range(3):
        try:
            check_rate_limit(request, "comment")
            allowed += 1
        except RateLimited:
            pass
    print(allowed)
    """
)


@pytest.mark.slow_subprocess
def test_limits_hold_across_processes(client, member, thread, settings, redis_limits):
    set_rates(settings, "comment", "3/h/user")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fansite.settings",
        "DEBUG": "1",
        "SECRET_KEY": "tests-only-secret-key-not-for-production-use-0123456789",
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": "",
        "CACHE_KEY_PREFIX": redis_limits,
    }
    result = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(member.pk)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "3"

    client.force_login(member)
    response = client.post(comment_url(thread), {"body": "My first post here."})

    # This process never counted anything, yet the member is over the limit.
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "You're posting quickly." in page_text(response)
    assert not Comment.objects.filter(body="My first post here.").exists()


def test_concurrent_attempts_never_pass_the_limit_in_redis(settings, redis_limits):
    assert concurrent_attempts(settings) == 10
