"""Leak 3 of issue 13: a reveal is the reader's own act.

A link that asks to reveal gated items (one ``?reveal=`` or fifty) reveals
nothing unless its tokens were made for the reader who opens it. Another
member's link, posted in a comment as "look at this", leads to a page saying
which episodes it would spoil; nothing gated is in it. Pressing Show (a POST
with the CSRF token) is what reveals, and then only for that reader.
"""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.spoilers.readers import MAX_REVEALS
from fansite.threads.models import Board
from tests.spoilers.readers import as_reader, reader_for_client, revealing
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Gated title caracal-5120"
OPENING = "Opening post serval-7731"
EP9 = "Episode nine reply margay-2208"
EP12 = "Finale reply ocelot-9914"
SECRETS = (TITLE, OPENING, EP9, EP12)


@pytest.fixture
def content():
    author = UserFactory(username="teller", watched_up_to=12)
    thread = start_thread(
        board=Board.objects.get(slug="episode-9"), author=author, title=TITLE, body=OPENING
    )
    ep9 = post_comment(target=thread, author=author, body=EP9)
    ep12 = post_comment(target=thread, author=author, body=EP12, spoils_episode=12)
    safe = start_thread(
        board=Board.objects.get(slug="episode-1"), author=author, title="Safe", body="Safe."
    )
    return {"author": author, "thread": thread, "ep9": ep9, "ep12": ep12, "safe": safe}


def chained(url, *items):
    """A hand-made link asking to reveal ``items``, as a prankster would post it."""
    return url + "?" + "&".join(f"reveal={item.reveal_key}" for item in items)


def pages(content):
    thread, ep9 = content["thread"], content["ep9"]
    return {
        "thread": thread.get_absolute_url(),
        "replies": reverse("comments:comment_replies", kwargs={"pk": ep9.pk}),
        "profile": content["author"].get_absolute_url(),
        "home": reverse("articles:article_list"),
        "board": thread.board.get_absolute_url(),
        "report": reverse("moderation:report_create", args=["comment", content["ep12"].pk]),
        "permalink": content["ep12"].get_absolute_url(),
    }


def assert_asks_first(response, episodes):
    assert response.status_code == HTTPStatus.OK
    assert "Show spoilers?" in response.text
    assert f"for {episodes}." in response.text
    for secret in SECRETS:
        assert secret not in response.text


@pytest.mark.parametrize("kind", ["member", "visitor"])
@pytest.mark.parametrize(
    "page", ["thread", "replies", "profile", "home", "board", "report", "permalink"]
)
def test_a_chained_link_reveals_nothing_on_any_page(client, content, kind, page):
    as_reader(client, kind, 3)
    items = (content["thread"], content["ep9"], content["ep12"])

    response = client.get(chained(pages(content)[page], *items))

    assert_asks_first(response, "episodes 9 and 12")
    # The reader's way out is the page without the link's reveals.
    assert f'href="{pages(content)[page]}"' in response.text


def test_another_members_own_tokens_reveal_nothing_either(client, content):
    prankster = Client()
    as_reader(prankster, "member", 12)
    thread = content["thread"]
    address = revealing(prankster, thread.get_absolute_url(), thread, content["ep12"])
    assert EP12 in prankster.get(address).text  # they work for the one who made them

    as_reader(client, "member", 3)
    assert_asks_first(client.get(address), "episodes 9 and 12")
    as_reader(client, "visitor", 0)
    assert_asks_first(client.get(address), "episodes 9 and 12")


def test_a_link_posted_in_a_comment_does_not_spoil_the_reader_who_follows_it(client, content):
    joined = timezone.now() - timedelta(days=30)  # new members may not post links
    thread, prankster = content["safe"], UserFactory(username="prankster", date_joined=joined)
    link = chained(content["thread"].get_absolute_url(), content["thread"], content["ep12"])
    post_comment(target=thread, author=prankster, body=f"[look at this cute cat]({link})")
    as_reader(client, "member", 3)

    page = client.get(thread.get_absolute_url()).text
    href = re.search(r'<a href="([^"]+)"[^>]*>look at this cute cat</a>', page).group(1)
    response = client.get(href.replace("&amp;", "&"))

    assert_asks_first(response, "episodes 9 and 12")


def test_choosing_to_reveal_on_the_question_page_shows_what_was_asked(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]
    question = client.get(chained(thread.get_absolute_url(), thread, content["ep12"])).text
    form = question[question.index('<form method="post" action="/reveal/"') :]
    form = form[: form.index("</form>")]
    fields = re.findall(r'name="(next|reveal)" value="([^"]*)"', form)
    assert ("next", thread.get_absolute_url()) in fields
    data = {"next": thread.get_absolute_url(), "reveal": [v for n, v in fields if n == "reveal"]}

    response = client.post(reverse("spoilers:reveal"), data, follow=True)

    for secret in SECRETS:
        assert secret in response.text


def test_going_back_shows_the_page_gated(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]

    html = client.get(thread.get_absolute_url()).text

    assert "Spoiler for episode 9" in html
    for secret in SECRETS:
        assert secret not in html


def test_a_reader_who_has_caught_up_is_sent_to_the_plain_page(client, content):
    as_reader(client, "member", 12)
    thread = content["thread"]

    response = client.get(chained(thread.get_absolute_url(), thread, content["ep12"]), follow=True)

    assert response.redirect_chain == [(thread.get_absolute_url(), HTTPStatus.FOUND)]
    for secret in SECRETS:
        assert secret in response.text


def test_keys_naming_nothing_are_dropped_from_the_address(client, content):
    as_reader(client, "member", 3)
    url = content["thread"].get_absolute_url()

    response = client.get(f"{url}?reveal=c999999&reveal=x1&reveal=..%2F&page=1")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"{url}?page=1"


def test_the_readers_own_reveals_survive_the_question(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]
    own = revealing(client, thread.get_absolute_url(), thread)
    token = reader_for_client(client).token(thread.reveal_key)

    response = client.get(f"{own}&reveal={content['ep12'].reveal_key}")

    assert_asks_first(response, "episode 12")
    assert f'name="next" value="{thread.get_absolute_url()}?reveal={token}"' in response.text


def test_pressing_show_reveals_that_item_for_this_reader_only(client, content):
    as_reader(client, "visitor", 3)
    thread, ep12 = content["thread"], content["ep12"]

    address = revealing(client, thread.get_absolute_url(), f"{thread.reveal_key}#top")
    html = client.get(address).text
    assert address.endswith("#top")
    for shown in (TITLE, OPENING, EP9):
        assert shown in html
    assert EP12 not in html  # spoils beyond the thread: gated still
    assert "Spoiler for episode 12" in html

    both = revealing(client, address.partition("#")[0], ep12)
    assert EP12 in client.get(both).text


def test_a_visitors_reveals_are_bound_to_their_browser(content):
    first, second = Client(), Client()
    as_reader(first, "visitor", 3)
    as_reader(second, "visitor", 3)
    thread = content["thread"]
    address = revealing(first, thread.get_absolute_url(), thread)

    assert TITLE in first.get(address).text
    assert_asks_first(second.get(address), "episode 9")


def test_a_members_reveals_do_not_outlive_logging_out(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]
    address = revealing(client, thread.get_absolute_url(), thread)
    assert TITLE in client.get(address).text

    client.logout()

    assert_asks_first(client.get(address), "episode 9")


def test_the_reveal_endpoint_takes_only_a_post_with_the_csrf_token(content):
    thread = content["thread"]
    strict = Client(enforce_csrf_checks=True)
    as_reader(strict, "member", 3)
    endpoint = reverse("spoilers:reveal")
    data = {"next": thread.get_absolute_url(), "reveal": thread.reveal_key}

    assert strict.get(endpoint, {"next": "/"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert strict.post(endpoint, data).status_code == HTTPStatus.FORBIDDEN

    page = strict.get(thread.get_absolute_url()).text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(endpoint, {**data, "csrfmiddlewaretoken": csrf})
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert TITLE in strict.get(response.url).text


def test_the_reveal_endpoint_only_sends_readers_back_to_this_site(client, content):
    as_reader(client, "member", 3)

    response = client.post(
        reverse("spoilers:reveal"), {"next": "https://evil.example/x", "reveal": "t1"}
    )

    assert response.url.startswith("/?reveal=t1.")


def test_a_page_honours_at_most_the_latest_reveals(client, content):
    as_reader(client, "member", 3)
    thread = content["thread"]
    extra = [
        post_comment(target=thread, author=content["author"], body=f"more {n}")
        for n in range(MAX_REVEALS + 5)
    ]

    address = revealing(client, thread.get_absolute_url(), *extra)

    assert address.count("reveal=") == MAX_REVEALS
    assert extra[-1].reveal_key + "." in address
    assert extra[0].reveal_key + "." not in address
    assert Comment.objects.filter(thread=thread).count() == MAX_REVEALS + 8
