"""Helpers for browser journeys that drive more than one page at a time.

The conftest fixtures `problems` and `check_accessibility` use `watch()` and
`assert_accessible()` on the test's `page`; journeys with a second member in
their own browser context call them on that page to get the same checks.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from tests.users.factories import PASSWORD


def _cancelled_favicon(request):
    # Chromium fetches the favicon after the load event, and navigating on at once
    # cancels it (net::ERR_ABORTED). That is the test being fast, not a bug.
    return request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg")


def _abandoned_preview(request):
    # The live preview is fetched as the member types; posting the form right after
    # navigates away and Chromium cancels a preview still on its way (net::ERR_ABORTED).
    # Nothing the member sees fails: the page they asked for loads.
    return request.failure == "net::ERR_ABORTED" and "/comments/preview/" in request.url


def watch(page, seen):
    """Record console errors, uncaught exceptions, failed requests and 5xx in ``seen``."""
    page.on(
        "console",
        lambda message: (
            seen.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: seen.append(f"uncaught: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            None
            if _cancelled_favicon(request) or _abandoned_preview(request)
            else seen.append(f"failed: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            seen.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 500
            else None
        ),
    )
    return page


def assert_accessible(page, axe_source):
    """axe-core on ``page``; fails on serious or critical violations."""
    # evaluate() runs outside the page's Content-Security-Policy.
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in bad
    ]
    assert not bad, f"{page.url}\n" + "\n".join(details)


def log_in(page, base_url, user, *, next_path=None):
    """Log ``user`` in through the site's login form (optionally to ``next_path``)."""
    url = f"{base_url}/accounts/login/"
    if next_path:
        url += f"?next={next_path}"
    page.goto(url)
    page.locator("[name=login]").fill(user.username)
    page.locator("[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert urlsplit(page.url).path != "/accounts/login/", "login failed"


# With JavaScript disabled the page runs no timers, and axe-core waits on
# setTimeout between its checks, so axe.run() would never finish. Playwright's
# evaluate() still runs; this makes setTimeout a microtask for axe's sake.
# (Only ever used on pages whose own scripts are switched off.)
_TIMERS_AS_MICROTASKS = """() => {
  window.setTimeout = (callback, delay, ...args) => {
    Promise.resolve().then(() => callback(...args));
    return 0;
  };
  window.clearTimeout = () => {};
}"""


def allow_axe_without_javascript(page):
    page.evaluate(_TIMERS_AS_MICROTASKS)


def sign_in_with_cookie(page, live_server, user):
    """Log ``user`` in by handing the browser a session cookie (no login page)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
