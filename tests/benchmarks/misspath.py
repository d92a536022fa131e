"""The miss path: how long a page takes to render when the page cache cannot serve it.

A cached page is served in well under a millisecond; a page the cache cannot
serve (a reader's first view of a variant, any page after a write) is drawn
afresh. This measures that, in-process, the way the issue asks: Django's test
Client inside the benchmark's probe (same settings as the gunicorn workers:
DEBUG off, the same database and cache), with the page cache off
(``PAGE_CACHE_SECONDS=0``) and everything below it as it runs (the card cache,
the worker's own copies of the boards and episodes). Each page is fetched a few
times to warm those, then ``requests`` times; the median is the figure.

``cold`` does the same with every cache emptied before each request (a fresh
key prefix), so cards are drawn too: the cost of a page nobody has seen.
"""

from __future__ import annotations

import statistics
import time

WARM_UP = 3


def _timed(client, url, requests):
    for _warm in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    times = []
    for _request in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _cold(client, url, requests, use_prefix, base_prefix, local_stores):
    times = []
    for number in range(requests):
        use_prefix(f"{base_prefix}_cold{number}")
        for store in local_stores:
            store.clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    use_prefix(base_prefix)
    return times


def measure(pages, *, requests=30, client_for, use_prefix):
    """{name: {"warm_ms": median, "cold_ms": median}} for ``pages`` ({name: (url,
    cookie)}), with the page cache off. ``client_for(cookie)`` gives a test Client;
    ``use_prefix(prefix)`` points every cache at a key prefix."""
    from django.conf import settings

    from fansite.comments.cards import local_cards
    from fansite.comments.listing import drawn_boxes
    from fansite.threads.rowcards import rows
    from fansite.web.pagecache import local_pages

    base_prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    saved = settings.PAGE_CACHE_SECONDS
    settings.PAGE_CACHE_SECONDS = 0
    try:
        found = {}
        for name, (url, cookie) in pages.items():
            client = client_for(cookie)
            warm = _timed(client, url, requests)
            cold = _cold(
                client,
                url,
                max(5, requests // 3),
                use_prefix,
                base_prefix,
                (local_cards, rows.local, drawn_boxes, local_pages),
            )
            found[name] = {
                "url": url,
                "warm_ms": round(statistics.median(warm), 2),
                "warm_min_ms": round(min(warm), 2),
                "cold_ms": round(statistics.median(cold), 2),
            }
        return found
    finally:
        settings.PAGE_CACHE_SECONDS = saved
