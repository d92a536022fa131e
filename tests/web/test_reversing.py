"""The models' addresses are reversed once and kept (fansite/web/reversing.py):
each must be what Django's ``reverse`` gives, under the script prefix of the
moment, and a changed URL configuration must not be answered from before."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix

from fansite.articles.models import Article, Tag
from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.threads.models import Board
from fansite.web.reversing import reverse_args, reverse_id
from tests.threads.factories import ThreadFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def prefix():
    before = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(before)


def test_each_models_address_is_djangos(relaxed_posting_limits):
    thread = ThreadFactory()
    comment = Comment.objects.filter(thread=thread).first()
    member = UserFactory(username="Jeon.Hye-in_2")
    board = Board.objects.get(slug="episode-9")
    episode = Episode.objects.get(position=9)
    tag = Tag.objects.create(name="Cast news", slug="cast-news")
    article = Article.objects.first()

    assert thread.get_absolute_url() == reverse("threads:thread_detail", kwargs={"pk": thread.pk})
    assert comment.get_absolute_url() == reverse(
        "comments:comment_permalink", kwargs={"pk": comment.pk}
    )
    assert member.get_absolute_url() == reverse(
        "users:profile_detail", kwargs={"username": "Jeon.Hye-in_2"}
    )
    assert board.get_absolute_url() == reverse("threads:board_detail", kwargs={"slug": board.slug})
    assert episode.get_absolute_url() == reverse("episodes:episode_detail", kwargs={"number": 9})
    assert tag.get_absolute_url() == reverse("articles:tag_detail", kwargs={"slug": "cast-news"})
    assert article.get_absolute_url() == reverse(
        "articles:article_detail", kwargs={"slug": article.slug}
    )


def test_addresses_follow_the_script_prefix(prefix):
    assert reverse_args("threads:board_detail", "general") == "/boards/general/"
    assert reverse_id("threads:thread_detail", pk=7) == "/threads/7/"

    prefix("/fans/")

    assert reverse_args("threads:board_detail", "general") == "/fans/boards/general/"
    assert reverse_id("threads:thread_detail", pk=7) == "/fans/threads/7/"


urlpatterns = []  # a URL configuration naming nothing


def test_a_changed_url_configuration_is_not_answered_from_before():
    assert reverse_args("threads:board_detail", "general") == "/boards/general/"

    with override_settings(ROOT_URLCONF=__name__), pytest.raises(NoReverseMatch):
        reverse_args("threads:board_detail", "general")

    assert reverse_args("threads:board_detail", "general") == "/boards/general/"


@pytest.mark.parametrize(
    "username",
    ["Jeon.Hye-in_2", "fan@school+1", "온조", "Nam_On-jo.", "a~b", "x" * 150, "%41"],
)
def test_a_members_address_is_quoted_as_djangos_reverse_quotes_it(username, prefix):
    from fansite.web.reversing import reverse_text

    expected = reverse("users:profile_detail", args=[username])
    assert reverse_text("users:profile_detail", username) == expected
    assert UserFactory.build(username=username).get_absolute_url() == expected

    prefix("/fans/")

    assert reverse_text("users:profile_detail", username) == "/fans" + expected


def test_a_name_reverse_would_refuse_is_refused(prefix):
    from fansite.web.reversing import reverse_text

    for name in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            reverse_text("users:profile_detail", name)
