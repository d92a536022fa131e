"""Mentions: which ``@names`` are members, and whom a rendered post mentions.

Posts link ``@name`` to the member's profile when they are rendered
(``fansite.web.markdown``, with :func:`profile_urls` registered as its resolver in
``apps.py``), so the stored HTML already says who is mentioned. The fan-out task
reads it back from there (:func:`mentioned_keys`): nothing is parsed per view.
"""

from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.urls import reverse

from fansite.users.validators import username_key

# Members a post may notify by mentioning them; extra mentions are still links.
MENTIONS_NOTIFIED = 10
MENTIONS_NOTIFIED_BY_NEW_MEMBERS = 2


def profile_urls(names):
    """``{name as written: profile address}`` for the names that are active members'
    usernames (compared as usernames are: ``username_key``). One query."""
    keys = {}
    for name in names:
        keys.setdefault(username_key(name), []).append(name)
    found = (
        get_user_model()
        .objects.filter(username_key__in=list(keys), is_active=True)
        .values_list("username_key", "username")
    )
    urls = {}
    for key, username in found:
        url = reverse("users:profile_detail", kwargs={"username": username})
        for name in keys[key]:
            urls[name] = url
    return urls


class _Mentions(HTMLParser):
    """The names of the mention links outside block quotes, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.quote_depth = 0
        self.in_mention = False
        self.names = []

    def handle_starttag(self, tag, attrs):
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "a" and not self.quote_depth:
            self.in_mention = "mention" in (dict(attrs).get("class") or "").split()

    def handle_endtag(self, tag):
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
        elif tag == "a":
            self.in_mention = False

    def handle_data(self, data):
        if self.in_mention:
            self.names.append(data.removeprefix("@"))


def mentioned_keys(html, *, limit):
    """The ``username_key`` of the first ``limit`` distinct members a post's stored
    HTML mentions. Mentions inside block quotes do not count: they are someone
    else's words, quoted."""
    parser = _Mentions()
    parser.feed(html)
    parser.close()
    keys = []
    for name in parser.names:
        key = username_key(name)
        if key not in keys:
            keys.append(key)
    return keys[:limit]
