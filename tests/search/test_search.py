"""What a search finds, for whom: Korean names with their particles, every form of a
glossary name, and never anything beyond the reader's progress."""

import pytest

from fansite.comments.models import Comment
from fansite.search.selectors import Filters, search
from fansite.threads.models import Thread
from tests.articles.factories import ArticleFactory, DraftFactory
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def found(text, progress=12, **options):
    result = search(text, progress=progress, **options)
    assert result.problem is None, result.problem
    return result.page_obj


def keys(page, *, articles=False):
    """The documents found; without articles unless asked (the source article,
    seeded by migration, mentions On Jo, the nametag and the rooftop)."""
    return {document.key for document in page.object_list if articles or document.kind != "article"}


def test_threads_are_found_by_title_and_opening_post_comments_by_their_text():
    thread = ThreadFactory(title="The rooftop plan", body="Who keeps the nametag?")
    comment = reply(thread, body="The nametag scene made me cry")

    assert keys(found("rooftop")) == {f"thread:{thread.pk}"}
    assert keys(found("nametag")) == {f"thread:{thread.pk}", f"comment:{comment.pk}"}
    assert keys(found("nametag", filters=Filters(kinds=("comment",)))) == {f"comment:{comment.pk}"}


def test_korean_names_are_found_with_any_particle():
    thread = ThreadFactory(title="옥상", body="온조가 울었다")
    one = reply(thread, body="온조는 강하다")
    two = reply(thread, body="청산이 온조를 구했다")

    assert keys(found("온조")) == {f"thread:{thread.pk}", f"comment:{one.pk}", f"comment:{two.pk}"}
    assert keys(found("온조는")) >= {f"comment:{one.pk}"}


def test_every_form_of_a_glossary_name_finds_every_other():
    korean = ThreadFactory(title="남온조 이야기", body="좋아요")
    spaced = ThreadFactory(title="Nam On Jo and the nametag", body="Yes")
    hyphen = ThreadFactory(title="On-jo forever", body="Yes")
    expected = {f"thread:{t.pk}" for t in (korean, spaced, hyphen)}

    for typed in ("Nam On-jo", "Nam Onjo", "Nam Ohn Jo", "On-jo", "Onjo", "남온조", "온조"):
        assert keys(found(typed)) == expected, typed


def test_mixed_korean_and_english_posts():
    thread = ThreadFactory(title="Cheong-san 옥상 scene", body="청산이 최고")
    assert keys(found("Cheong-san rooftop")) == set()
    assert keys(found("청산 scene")) == {f"thread:{thread.pk}"}


def test_phrases_and_exclusions():
    near = ThreadFactory(title="Rooftop nametag", body="x")
    apart = ThreadFactory(title="Nametag on the rooftop", body="x")

    assert keys(found('"rooftop nametag"')) == {f"thread:{near.pk}"}
    assert keys(found("nametag -rooftop")) == set()
    assert keys(found("nametag rooftop")) == {f"thread:{near.pk}", f"thread:{apart.pk}"}


def test_inline_spoilers_are_not_searchable():
    ThreadFactory(title="A question", body="I think >!Cheong-san waits!< there")
    assert keys(found("waits")) == set()


def test_hidden_removed_and_unpublished_things_are_never_found():
    thread = ThreadFactory(title="Plain title", body="x")
    hidden = reply(thread, body="zebra one")
    removed = reply(thread, body="zebra two")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Comment.objects.filter(pk=removed.pk).update(is_removed=True)
    hidden_thread = ThreadFactory(title="zebra thread", body="x")
    Thread.objects.filter(pk=hidden_thread.pk).update(is_hidden=True)
    DraftFactory(title="zebra draft")

    assert keys(found("zebra")) == set()


def test_an_article_is_found_from_its_publication_time_with_its_comments():
    from datetime import timedelta

    from django.utils import timezone

    from fansite.articles.models import Article

    article = ArticleFactory(
        title="scheduled zebra", published_at=timezone.now() + timedelta(hours=1)
    )
    comment = Comment.objects.create(article=article, author=article.author, body="zebra note")
    assert keys(found("zebra"), articles=True) == set()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert keys(found("zebra"), articles=True) == {f"article:{article.pk}", f"comment:{comment.pk}"}


def test_articles_boards_episodes_and_members():
    article = ArticleFactory(title="Behind the scenes with the cast")
    member = UserFactory(username="rooftopfan")
    assert f"article:{article.pk}" in keys(found("cast"), articles=True)
    assert f"member:{member.pk}" in keys(found("rooftopfan"))
    assert any(key.startswith("board:") for key in keys(found("Theories")))


# -- Spoilers: secrets planted at episodes 3, 9 and 12 -------------------------------


@pytest.fixture
def secrets():
    """A secret word per episode, in a thread title, an opening post and a comment."""
    planted = {}
    for level in (3, 9, 12):
        word = f"secret{level}"
        titled = ThreadFactory(title=f"{word} title", body="x", spoils_episode=level)
        posted = ThreadFactory(title="Plain", body=f"{word} post", spoils_episode=level)
        open_thread = ThreadFactory(title="Open", body="x")
        commented = reply(open_thread, body=f"{word} comment", spoils_episode=level)
        planted[level] = (word, {titled, posted}, commented)
    return planted


@pytest.mark.parametrize("progress", [0, 3, 9, 12])
def test_nothing_beyond_the_readers_progress_is_found(secrets, progress):
    for level, (word, threads, comment) in secrets.items():
        page = found(word, progress=progress)
        if level > progress:
            assert page.paginator.count == 0
            assert word not in str([d.title + d.text for d in page.object_list])
        else:
            assert page.paginator.count == 3
            assert keys(page) == {f"thread:{t.pk}" for t in threads} | {f"comment:{comment.pk}"}


def test_a_comment_on_a_gated_thread_is_gated_with_it():
    thread = ThreadFactory(title="Plain", body="x", spoils_episode=9)
    comment = reply(thread, body="harmless words")  # takes the thread's level
    Comment.objects.filter(pk=comment.pk).update(spoils_episode=None)

    assert keys(found("harmless", progress=3)) == set()
    assert keys(found("harmless", progress=9)) == {f"comment:{comment.pk}"}


def test_including_spoilers_finds_gated_things(secrets):
    page = found("secret9", progress=3, include_spoilers=True)
    assert page.paginator.count == 3


def test_a_search_runs_four_queries_whatever_it_finds(django_assert_max_num_queries):
    thread = ThreadFactory(title="counting", body="counting")
    for n in range(25):
        reply(thread, body=f"counting {n}")
    search("warm the glossary", progress=12)
    # The candidates, the live rules on them with their ranks, the page.
    with django_assert_max_num_queries(3):
        page = search("counting", progress=12).page_obj
        list(page.object_list)
    assert page.paginator.count == 26


def test_queries_that_find_nothing_or_cannot_search_say_so():
    assert search("", progress=0).problem
    assert search("-only", progress=0).problem
    assert search("!!!", progress=0).problem
    assert search('"', progress=0).problem
    assert search("\x00", progress=0).problem
    assert search("x" * 10_000, progress=0).notes


def test_where_who_and_when(secrets):
    thread = ThreadFactory(title="zebra here", body="x", board=board("theories"))
    other = ThreadFactory(title="zebra there", body="x")
    assert keys(found("zebra", filters=Filters(board=thread.board))) == {f"thread:{thread.pk}"}
    assert keys(found("zebra", filters=Filters(author=other.author))) == {f"thread:{other.pk}"}
    assert found("zebra", filters=Filters(within_days=1)).paginator.count == 2


def test_the_index_follows_edits():
    thread = ThreadFactory(title="firstname", body="x")
    thread.title = "secondname"
    thread.save()
    assert keys(found("secondname")) == {f"thread:{thread.pk}"}
    assert keys(found("firstname")) == set()


def test_the_source_article_is_found_by_the_names_it_uses():
    assert any(key.startswith("article:") for key in keys(found("남온조"), articles=True))


def test_reindexing_writes_what_the_saves_wrote():
    from fansite.search.indexing import reindex_all
    from fansite.search.models import Document

    thread = ThreadFactory(title="Rooftop 옥상", body="The opening post about the nametag")
    reply(thread, body="온조가 >!secret!< *nametag*")
    ArticleFactory(title="Behind the scenes")
    saved = {d.key: (d.kind, d.title, d.text, d.terms) for d in Document.objects.all()}

    count = reindex_all()

    again = {d.key: (d.kind, d.title, d.text, d.terms) for d in Document.objects.all()}
    assert again == saved
    assert count == len(saved)


def test_best_match_puts_the_most_matching_first_and_newest_sorts_by_date():
    thread = ThreadFactory(title="Open", body="x")
    dense = reply(thread, body="The zombie zombie zombie makeup, the best zombie work.")
    first = reply(thread, body="A long talk about the school, the rain and one zombie.")
    second = reply(thread, body="Another long talk about the school, the rain and one zombie.")
    only_comments = Filters(kinds=("comment",))

    best = [d.key for d in found("zombie", filters=only_comments).object_list]
    assert best == [f"comment:{c.pk}" for c in (dense, second, first)]
    newest = Filters(kinds=("comment",), sort="newest")
    assert [d.key for d in found("zombie", filters=newest).object_list] == [
        f"comment:{c.pk}" for c in (second, first, dense)
    ]


def test_past_the_most_a_search_ranks_and_counts_the_newest(monkeypatch):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "MOST", 5)
    thread = ThreadFactory(title="plenty", body="x")
    comments = [reply(thread, body=f"plenty {n}") for n in range(8)]
    result = search("plenty", progress=12, filters=Filters(kinds=("comment",)))
    assert result.more
    assert result.page_obj.paginator.count == 5
    assert keys(result.page_obj) == {f"comment:{c.pk}" for c in comments[-5:]}


def test_candidates_are_read_until_enough_are_shown(monkeypatch):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    thread = ThreadFactory(title="Open", body="x")
    shown = reply(thread, body="needle shown")
    raised = [reply(thread, body=f"needle {n}") for n in range(7)]
    # Raised after they were indexed (as moderators raise levels, in bulk): their
    # documents' level hints are stale, and the live rules still leave them out.
    Comment.objects.filter(pk__in=[c.pk for c in raised]).update(spoils_episode=9)

    result = search("needle", progress=3)
    assert keys(result.page_obj) == {f"comment:{shown.pk}"}
    assert not result.more

    monkeypatch.setattr(selectors, "MAX_BATCHES", 2)  # six candidates: all raised
    result = search("needle", progress=3)
    assert keys(result.page_obj) == set()
    assert result.cut_short


def test_a_rare_word_older_than_the_window_comes_from_the_index(
    monkeypatch, django_assert_max_num_queries
):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "WINDOW", 3)
    thread = ThreadFactory(title="Open", body="x")
    old = [reply(thread, body=f"needle {n}") for n in range(2)]
    for n in range(5):
        reply(thread, body=f"hay {n}")
    search("warm", progress=12)
    # The window (three newest documents) holds no needle: the one read goes on
    # to the index for the older ones, in the same query.
    with django_assert_max_num_queries(4):
        page = found("needle", filters=Filters(sort="newest"))
    assert [d.key for d in page.object_list] == [f"comment:{c.pk}" for c in reversed(old)]


def test_reads_go_on_newest_first_across_the_window(monkeypatch):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "WINDOW", 2)
    monkeypatch.setattr(selectors, "CANDIDATES", 2)
    thread = ThreadFactory(title="Open", body="x")
    needles = []
    for n in range(7):
        needles.append(reply(thread, body=f"needle {n}"))
        reply(thread, body=f"hay {n}")
        if n % 3 == 0:
            reply(thread, body="more hay")

    page = found("needle", filters=Filters(sort="newest", kinds=("comment",)))
    assert page.paginator.count == 7
    assert [d.key for d in page.object_list] == [f"comment:{c.pk}" for c in reversed(needles)]


def test_the_level_hint_skips_gated_matches_before_the_live_rules(
    monkeypatch, django_assert_max_num_queries
):
    from fansite.search import selectors

    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    thread = ThreadFactory(title="Open", body="x")
    for n in range(9):
        reply(thread, body=f"haystack {n}", spoils_episode=9)
    shown = reply(thread, body="haystack shown")
    search("warm", progress=3)
    with django_assert_max_num_queries(4):
        result = search("haystack", progress=3)
    assert keys(result.page_obj) == {f"comment:{shown.pk}"}


def test_a_moderator_lowering_a_level_is_found_at_once():
    from fansite.moderation.services import respoil_item
    from tests.moderation.helpers import make_moderator

    thread = ThreadFactory(title="Open", body="x")
    comment = reply(thread, body="lowered needle", spoils_episode=9)
    assert keys(found("lowered", progress=3)) == set()

    respoil_item(item=comment, episode_position=3, moderator=make_moderator(username="mod"))

    assert keys(found("lowered", progress=3)) == {f"comment:{comment.pk}"}


def test_a_search_leaves_the_planner_as_it_found_it():
    """On PostgreSQL a read is planned without sequential scans (selectors._rows);
    the setting ends with it, here inside the test's transaction too."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    reply(ThreadFactory(title="Open", body="x"), body="needle")
    assert found("needle").paginator.count == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("on",)
