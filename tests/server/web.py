"""The browser's side: talking to fansite over real HTTP as a person would.

A :class:`Browser` keeps cookies like a browser (one jar for 127.0.0.1,
whatever the port, just as browsers ignore ports for cookies), reads the CSRF
token from the form it is about to send and sends a Referer with every POST.
Redirects are not followed, so tests see exactly what each request answered.
"""

import html
import io
import re

import requests
from PIL import Image

TIMEOUT = 30

_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_AVATAR_RE = re.compile(r'<img class="avatar" src="([^"]+)"')


def csrf_token(page):
    """The CSRF token of the (first) form in ``page``."""
    match = _CSRF_RE.search(page)
    assert match, "no form with a CSRF token on the page"
    return match.group(1)


def avatar_sources(page):
    """The ``src`` of every uploaded-avatar <img> in ``page`` (generated initials
    avatars are inline SVG and have none)."""
    return [html.unescape(src) for src in _AVATAR_RE.findall(page)]


def comment_path(thread_pk):
    return f"/comments/new/thread/{thread_pk}/"


def png_bytes(size=(320, 240), colour=(200, 30, 60)):
    """A real PNG picture, as a member would upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def is_webp(content):
    return content[:4] == b"RIFF" and content[8:12] == b"WEBP"


class Browser:
    def __init__(self):
        self.session = requests.Session()

    def get(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(url, timeout=TIMEOUT, **kwargs)

    def form_token(self, page_url):
        """Open the page holding a form and return the form's CSRF token."""
        page = self.get(page_url)
        assert page.status_code == 200, f"GET {page_url} answered {page.status_code}"
        return csrf_token(page.text)

    def post(self, url, data, *, token, referer, files=None):
        """Send a form (with the token read from its page) the way a browser does."""
        return self.session.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": referer},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def submit(self, page_url, data, *, action=None, files=None):
        """Open ``page_url``, fill in its form with ``data`` and send it to
        ``action`` (the page itself by default)."""
        token = self.form_token(page_url)
        return self.post(action or page_url, data, token=token, referer=page_url, files=files)

    def log_in(self, server_url, username, password):
        """Log in through allauth's form; the session cookie is then in the jar."""
        response = self.submit(
            f"{server_url}/accounts/login/", {"login": username, "password": password}
        )
        assert response.status_code == 302, (
            f"logging in as {username} on {server_url} answered {response.status_code}"
        )
        assert self.session.cookies.get("sessionid"), "no session cookie after logging in"
        return response
