"""The plain compose box is drawn once per process (fansite.comments.listing): each
member still gets their own working CSRF token, and nothing that differs (a reply
chosen, a refusal, a form sent back) ever comes from the drawn copy."""

import re

import pytest
from django.test import Client

from fansite.comments.listing import drawn_boxes
from fansite.comments.models import Comment
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPOSE = re.compile(r'<div class="comment-compose.*?</form>', re.S)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


@pytest.fixture
def thread():
    author = UserFactory(watched_up_to=0)
    thread = start_thread(
        board=Board.objects.get(slug="general"), author=author, title="Compose", body="Hello."
    )
    post_comment(target=thread, author=author, body="A first answer")
    return thread


def member_client():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(watched_up_to=12))
    return client


def compose(html):
    return COMPOSE.search(html)[0]


def test_each_member_gets_the_drawn_box_with_a_token_that_works(thread, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = thread.get_absolute_url()
    first, second = member_client(), member_client()
    mine = compose(first.get(url).content.decode())
    assert len(drawn_boxes.entries) == 1

    theirs = compose(second.get(url).content.decode())

    assert len(drawn_boxes.entries) == 1
    assert TOKEN.sub("", mine) == TOKEN.sub("", theirs)
    token = TOKEN.search(theirs)[1]
    action = re.search(r'<form method="post" action="([^"]*)"', theirs)[1]
    posted = second.post(action, {"body": "Sent with my own token", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302
    assert Comment.objects.filter(body="Sent with my own token").exists()


def test_a_reply_or_a_locked_thread_is_never_the_drawn_box(thread, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = thread.get_absolute_url()
    client = member_client()
    client.get(url)
    answer = Comment.objects.get(body="A first answer")

    replying = client.get(f"{url}?reply_to={answer.pk}").content.decode()
    thread.is_locked = True
    thread.save()
    locked = client.get(url).content.decode()

    assert "Your reply" in replying
    assert "This thread is locked" in locked
    assert 'class="form comment-form"' not in locked
    assert len(drawn_boxes.entries) == 1
