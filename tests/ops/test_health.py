from http import HTTPStatus

import pytest
from django.db import OperationalError
from django.urls import reverse

from fansite.ops import views as health

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client):
    response = client.get(reverse("ops:healthz"))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_200_but_says_degraded_when_the_cache_is_down(client, settings):
    # A real Redis client pointed at a port nothing listens on. Pages and sessions
    # then come from the database, and every server shares one Redis: a 503 would
    # take them all out of the load balancer at once (docs/operations.md).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"

    response = client.get(reverse("ops:healthz"))

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "error"
    assert "Traceback" not in response.text


def test_healthz_is_503_json_when_the_database_is_down(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_probe_database", refuse)

    response = client.get(reverse("ops:healthz"))

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError"}
    assert body["checks"]["cache"]["status"] == "ok"
