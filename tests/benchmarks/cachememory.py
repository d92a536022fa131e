"""Redis memory for the page cache: what a thousand cached pages cost.

After the read workloads, with Redis in use, ``pages`` distinct pages nobody has
opened yet are fetched once each through HTTP from the running server, as a
visitor (progress 0, no cookie), so each is rendered and stored: the big
threads' pages 1, 2, … (largest thread first), then the episode boards'
threads. Redis's ``INFO memory`` ``used_memory`` is read before and after;
its growth is everything the fill stored (pages, the comment cards their
renders drew, generations), on the whole server. The keys under the run's own
prefix (``CACHE_KEY_PREFIX``) are listed before and after too, and the new ones
weighed with ``MEMORY USAGE``, by kind (``page``, the cards, …): the pages
alone, whatever else the server holds.
"""

from __future__ import annotations

import time

import requests

PAGE_CACHE_HEADER = "X-Page-Cache"


def fill_urls(info, last_pages: dict, wanted: int) -> list[str]:
    """The first ``wanted`` pages to fill: every page of each big thread, largest
    first (``last_pages``: {thread url: its last page number}), then the episode
    boards' threads. Page 1 is the thread's own address (``?page=1`` would be
    another key)."""
    urls = []
    for thread in reversed(info["big_threads"]):
        last = last_pages.get(thread["url"], 1)
        urls.append(thread["url"])
        urls += [f"{thread['url']}?page={number}" for number in range(2, last + 1)]
    urls += info.get("thread_urls", [])
    return urls[:wanted]


def key_kind(key: str) -> str:
    """Django's Redis keys are "<prefix>:<version>:<key>"; the site's own keys start
    with their kind ("page:<digest>", "pagegen:<scope>", …)."""
    parts = key.split(":", 2)
    rest = parts[2] if len(parts) == 3 else key
    return rest.split(":", 1)[0] if ":" in rest else "other"


def weigh_keys(client, keys) -> dict:
    """{kind: {"keys": n, "bytes": MEMORY USAGE total}} for ``keys``."""
    kinds: dict[str, dict] = {}
    for key in keys:
        name = key.decode() if isinstance(key, bytes) else key
        size = client.memory_usage(key) or 0
        entry = kinds.setdefault(key_kind(name), {"keys": 0, "bytes": 0})
        entry["keys"] += 1
        entry["bytes"] += size
    return kinds


def per_thousand_mb(total_bytes: int, pages: int) -> float | None:
    """MB (2**20 bytes) per 1,000 pages, or None without pages."""
    if not pages:
        return None
    return round(total_bytes / pages * 1000 / 2**20, 2)


def summarise(used_before: int, used_after: int, fetched: dict, kinds: dict) -> dict:
    """The figures from the two ``used_memory`` readings, the fill's answers
    (``fetched``: {"requests", "stored", "other"}) and the new keys by kind."""
    pages = kinds.get("page", {"keys": 0, "bytes": 0})
    grown = used_after - used_before
    return {
        **fetched,
        "used_memory_before": used_before,
        "used_memory_after": used_after,
        "used_memory_growth": grown,
        "new_keys": kinds,
        "page_keys": pages["keys"],
        "page_bytes": pages["bytes"],
        "bytes_per_page": round(pages["bytes"] / pages["keys"]) if pages["keys"] else None,
        "page_mb_per_1000": per_thousand_mb(pages["bytes"], pages["keys"]),
        "growth_bytes_per_page": round(grown / pages["keys"]) if pages["keys"] else None,
        "growth_mb_per_1000": per_thousand_mb(grown, pages["keys"]),
    }


def fill(base_url, urls) -> dict:
    """Fetch each of ``urls`` once as a visitor; how many the page cache stored (its
    header says "miss": rendered and stored), found already cached ("hit": the
    harness opened them before) or neither."""
    counts = {"requests": 0, "stored": 0, "cached": 0, "other": 0}
    with requests.Session() as session:
        for url in urls:
            session.cookies.clear()  # a visitor each time, at progress 0
            response = session.get(base_url + url, timeout=60)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            counts["requests"] += 1
            answer = response.headers.get(PAGE_CACHE_HEADER)
            counts[{"miss": "stored", "hit": "cached"}.get(answer, "other")] += 1
    return counts


def measure(redis_url, prefix, base_url, urls) -> dict:
    """Fill ``urls`` and weigh what Redis stored for them (see the module's
    docstring); ``prefix``: the server's CACHE_KEY_PREFIX."""
    import redis

    client = redis.Redis.from_url(redis_url)
    match = f"{prefix}:*"
    before_keys = set(client.scan_iter(match=match, count=1000))
    used_before = client.info("memory")["used_memory"]
    started = time.perf_counter()
    fetched = fill(base_url, urls)
    fetched["seconds"] = round(time.perf_counter() - started, 2)
    used_after = client.info("memory")["used_memory"]
    new_keys = set(client.scan_iter(match=match, count=1000)) - before_keys
    figures = summarise(used_before, used_after, fetched, weigh_keys(client, new_keys))
    figures["redis"] = redis_url
    figures["prefix"] = prefix
    return figures
