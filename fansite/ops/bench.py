"""The benchmark's ceiling (W0): the cheapest page this server can return.

Routed at /bench/ceiling/ only when ``settings.BENCHMARK_CEILING`` is on (the
benchmark in tests/benchmarks switches it on for its own gunicorn). It goes
through the same middleware as every page but touches neither the database,
the cache, the session nor a template, so its requests per second are what the
server, WSGI and middleware stack cost on their own: the other workloads are
reported as a share of it (docs/performance.md).
"""

from django.http import HttpResponse

BODY = b"ok\n"


def ceiling(request):
    """A short, fixed plain-text response."""
    return HttpResponse(BODY, content_type="text/plain; charset=utf-8")
