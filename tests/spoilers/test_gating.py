"""The issue's central guarantee, end to end: text that spoils an episode the reader
has not watched is not in the page at all, wherever the content appears.

A member and a visitor who have watched up to episode 3 open every page where an
episode-9 thread, its posts, an episode-9 article and its comments can show up.
None of the secret strings may be anywhere in the response, and the spoiler label
must be. With progress 9 the same pages show them (inline ``>!…!<`` spoilers only
ever inside their checkbox-hidden span); with ``?reveal=`` only the revealed item.
"""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.services import post_comment, start_thread
from fansite.episodes.models import Episode
from fansite.threads.models import Board
from tests.spoilers.readers import as_reader, reader_for_client, revealing
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

THREAD_TITLE = "Gated title wombat-4417"
OPENING_POST = "Opening post okapi-2290"
INLINE = "inline secret narwhal-5583"
REPLY = "Reply text quokka-8812"
ARTICLE_BODY = "Article body pangolin-3307"
ARTICLE_COMMENT = "Article comment axolotl-6120"
LATER_COMMENT = "Later comment tapir-9021"  # spoils episode 10, even on the article
SECRETS = (THREAD_TITLE, OPENING_POST, INLINE, REPLY, ARTICLE_BODY, ARTICLE_COMMENT)
LABEL = "Spoiler for episode 9"
SAFE_TITLE = "Visible episode 2 thread"


@pytest.fixture
def content():
    author = UserFactory(username="spoiler_author", watched_up_to=12)
    thread = start_thread(
        board=Board.objects.get(slug="episode-9"),
        author=author,
        title=THREAD_TITLE,
        body=f"{OPENING_POST}, and >!{INLINE}!< too.",
    )
    reply = post_comment(target=thread, author=author, body=REPLY)
    # Posted earlier, so the episode-9 thread is the most recent everywhere.
    start_thread(
        board=Board.objects.get(slug="episode-2"), author=author, title=SAFE_TITLE, body="Hi."
    )
    thread.refresh_from_db()
    thread.last_activity_at = timezone.now()
    thread.save(update_fields=["last_activity_at"])
    article = Article.objects.create(
        title="An editorial title",
        slug="an-editorial-title",
        standfirst="A spoiler-free standfirst.",
        body=ARTICLE_BODY,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
        spoils_episode=Episode.objects.get(position=9),
    )
    article_comment = post_comment(target=article, author=author, body=ARTICLE_COMMENT)
    later_comment = post_comment(
        target=article, author=author, body=LATER_COMMENT, spoils_episode=10
    )
    return {
        "author": author,
        "thread": thread,
        "reply": reply,
        "article": article,
        "article_comment": article_comment,
        "later_comment": later_comment,
    }


def page_urls(content):
    return {
        "home": reverse("articles:article_list"),
        "board list": reverse("threads:board_list"),
        "board": reverse("threads:board_detail", kwargs={"slug": "episode-9"}),
        "thread": content["thread"].get_absolute_url(),
        "article": content["article"].get_absolute_url(),
        "profile": content["author"].get_absolute_url(),
    }


PAGES = ["home", "board list", "board", "thread", "article", "profile"]

# What each page shows of the secrets to a reader who has watched episode 9.
VISIBLE_AT_NINE = {
    "home": {THREAD_TITLE},
    "board list": {THREAD_TITLE},
    "board": {THREAD_TITLE},
    "thread": {THREAD_TITLE, OPENING_POST, INLINE, REPLY},
    "article": {ARTICLE_BODY, ARTICLE_COMMENT},
    # Comment excerpts are spoiler-free: the inline spoiler becomes "[spoiler]".
    "profile": {THREAD_TITLE, OPENING_POST, REPLY, ARTICLE_COMMENT},
}


def head_of(html):
    return html[: html.index("</head>")]


def texts_inside_inline_spoilers(html):
    return re.findall(r'<span class="spoiler__content">([^<]*)</span>', html)


@pytest.mark.parametrize("kind", ["member", "visitor"])
@pytest.mark.parametrize("page", PAGES)
def test_episode_nine_secrets_are_not_sent_to_an_episode_three_reader(client, content, kind, page):
    as_reader(client, kind, 3)

    response = client.get(page_urls(content)[page])

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for secret in (*SECRETS, LATER_COMMENT):
        assert secret not in html, f"{secret!r} leaked on the {page} page"
    assert LABEL in html


@pytest.mark.parametrize("kind", ["member", "visitor"])
@pytest.mark.parametrize("page", PAGES)
def test_an_episode_nine_reader_sees_them(client, content, kind, page):
    as_reader(client, kind, 9)

    html = client.get(page_urls(content)[page]).content.decode()

    for secret in SECRETS:
        if secret in VISIBLE_AT_NINE[page]:
            assert secret in html, f"{secret!r} missing on the {page} page"
        else:
            assert secret not in html, f"{secret!r} unexpected on the {page} page"
    # Episode 10 is still ahead of them.
    assert LATER_COMMENT not in html
    # An inline spoiler is only ever sent inside its checkbox-hidden span.
    assert html.count(INLINE) == sum(INLINE in t for t in texts_inside_inline_spoilers(html))


def test_pages_still_show_what_is_safe(client, content):
    as_reader(client, "visitor", 3)
    urls = page_urls(content)

    assert SAFE_TITLE in client.get(urls["home"]).text
    assert SAFE_TITLE in client.get(urls["profile"]).text
    article_page = client.get(urls["article"]).text
    assert "An editorial title" in article_page
    assert "A spoiler-free standfirst." in article_page


def test_revealing_a_thread_in_the_latest_discussions_shows_only_its_title(client, content):
    as_reader(client, "visitor", 3)
    thread = content["thread"]

    html = client.get(revealing(client, reverse("articles:article_list"), thread)).text

    assert THREAD_TITLE in html
    # The title links to the thread with the same reveal, so it opens readable.
    token = reader_for_client(client).token(thread.reveal_key)
    assert f'href="{thread.get_absolute_url()}?reveal={token}"' in html
    for secret in (OPENING_POST, INLINE, REPLY, ARTICLE_BODY, ARTICLE_COMMENT):
        assert secret not in html


def test_the_gate_buttons_reveal_one_item_on_the_same_page(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]

    html = client.get(reverse("articles:article_list")).text

    assert (
        f'form="spoiler-reveal" name="reveal" value="{thread.reveal_key}#{thread.anchor}"' in html
    )
    assert '<form id="spoiler-reveal" method="post" action="/reveal/" hidden>' in html
    assert 'name="next" value="/"' in html
    landing = revealing(client, "/", f"{thread.reveal_key}#{thread.anchor}")
    token = reader_for_client(client).token(thread.reveal_key)
    assert landing == f"/?reveal={token}#{thread.anchor}"


def test_revealing_one_comment_on_a_thread_shows_that_comment_only(client, content):
    as_reader(client, "member", 3)
    reply = content["reply"]

    html = client.get(revealing(client, content["thread"].get_absolute_url(), reply)).text

    assert REPLY in html
    for secret in (THREAD_TITLE, OPENING_POST, INLINE):
        assert secret not in html


def test_revealing_a_comment_on_the_profile_shows_that_excerpt_only(client, content):
    as_reader(client, "visitor", 3)
    reply = content["reply"]

    html = client.get(revealing(client, content["author"].get_absolute_url(), reply)).text

    assert REPLY in html
    for secret in (THREAD_TITLE, OPENING_POST, INLINE, ARTICLE_COMMENT):
        assert secret not in html


def test_revealing_the_article_shows_it_and_comments_that_spoil_no_further(client, content):
    as_reader(client, "visitor", 3)
    article = content["article"]

    html = client.get(revealing(client, article.get_absolute_url(), article)).text

    assert ARTICLE_BODY in html
    assert ARTICLE_COMMENT in html
    # Episode 10 is beyond what the reader accepted by opening an episode-9 article.
    assert LATER_COMMENT not in html
    assert "Spoiler for episode 10" in html


def test_the_article_gate_explains_and_offers_both_ways_in(client, content):
    as_reader(client, "member", 3)
    article = content["article"]

    html = client.get(article.get_absolute_url()).text

    assert "This article spoils up to episode 9. You have watched up to episode 3." in html
    assert f'form="spoiler-reveal" name="reveal" value="{article.reveal_key}"' in html
    assert "Show the article anyway" in html
    gate = html[html.index('<section class="article-gate') :]
    gate = gate[: gate.index("</section>")]
    assert 'action="/progress/"' in gate
    assert '<input type="hidden" name="watched_up_to" value="9">' in gate
    assert "I&#x27;ve watched up to episode 9" in gate or "I've watched up to episode 9" in gate


def test_setting_progress_from_the_article_gate_opens_the_article(client, content):
    article = content["article"]
    url = article.get_absolute_url()

    response = client.post(
        reverse("spoilers:progress_update"), {"watched_up_to": 9, "next": url}, follow=True
    )

    assert response.redirect_chain[-1][0] == url
    assert ARTICLE_BODY in response.text
    assert "Spoilers are now hidden beyond episode 9." in response.text


def test_the_last_episode_gate_offers_finishing_the_series(client):
    article = Article.objects.get(spoils_episode__position=12)

    html = client.get(article.get_absolute_url()).text

    assert "I&#x27;ve finished the series" in html or "I've finished the series" in html
    assert 'class="article__body"' not in html


@pytest.mark.parametrize("page", PAGES)
def test_head_never_carries_secrets(client, content, page):
    as_reader(client, "visitor", 3)
    url = page_urls(content)[page]

    head = head_of(client.get(revealing(client, url, content["reply"])).text)
    for secret in (*SECRETS, LATER_COMMENT):
        assert secret not in head

    client.post(reverse("spoilers:progress_update"), {"watched_up_to": 12})
    head = head_of(client.get(url).text)
    # Even for a reader who has seen everything, inline spoilers stay out of titles,
    # descriptions and previews.
    assert INLINE not in head
    assert ARTICLE_BODY not in head


def test_the_feed_never_carries_an_article_body(client, content):
    Article.objects.create(
        title="No standfirst here",
        slug="no-standfirst-here",
        body=f"{ARTICLE_BODY} without a standfirst.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
        spoils_episode=Episode.objects.get(position=9),
    )
    as_reader(client, "visitor", 12)

    feed = client.get(reverse("articles:article_feed")).content.decode()

    assert "An editorial title" in feed
    assert ARTICLE_BODY not in feed
