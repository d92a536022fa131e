"""fansite.web.statements.Prepared and Compiled: a queryset compiled once and run
again with another value gives what the ORM gives for that value, on both
databases."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_init
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.comments.services import start_thread
from fansite.notifications.models import Follow
from fansite.notifications.services import follow
from fansite.threads.models import Board, Thread
from fansite.users.models import User
from fansite.web import statements
from fansite.web.lru import ClearedWhenFull
from fansite.web.statements import Columns, Compiled, CountAndRows, Prepared
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


def follows(pk):
    return Follow.objects.filter(member_id=pk).order_by("thread_id").values_list("thread_id")


def test_each_value_gets_the_rows_the_orm_gives_it(relaxed_posting_limits):
    members = [UserFactory() for _number in range(3)]
    board = Board.objects.get(slug="general")
    for number, member in enumerate(members):
        for count in range(number + 1):
            thread = start_thread(
                board=board, author=member, title=f"T{number}-{count}", body=f"B{number}-{count}"
            )
            follow(member=members[0], target=thread)
    prepared = Prepared(follows)

    for member in members:
        assert prepared.rows(member.pk) == list(follows(member.pk))
        assert prepared.count(member.pk) == follows(member.pk).count()
    assert prepared.count(10**9) == 0


def test_a_count_and_rows_are_those_of_the_two_querysets_in_one_statement(
    relaxed_posting_limits, django_assert_num_queries
):
    board = Board.objects.get(slug="general")
    members = [UserFactory() for _number in range(3)]
    for number, member in enumerate(members[1:], start=1):
        for count in range(number * 2):
            thread = start_thread(
                board=board, author=members[0], title=f"T{number}-{count}", body="B"
            )
            follow(member=member, target=thread)

    def threads(pk):
        return Follow.objects.filter(member_id=pk).values_list("thread_id")

    def boards(pk):
        return Follow.objects.filter(member_id=pk, thread__isnull=False).values_list(
            "thread_id", "board_id"
        )

    both = CountAndRows(Prepared(threads), Prepared(boards))
    for member in [*members, UserFactory()]:
        with django_assert_num_queries(1):
            count, rows = both.run(member.pk)
        assert count == threads(member.pk).count()
        assert sorted(rows) == sorted(boards(member.pk))
    assert [len(both.run(member.pk)[1]) for member in members] == [0, 2, 4]


def test_a_queryset_that_ignores_its_value_is_refused():
    with pytest.raises(ValueError, match="does not use the value"):
        Prepared(lambda pk: Follow.objects.values_list("pk")).rows(1)


def fields(instance):
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def board_threads(order, board_pk, since):
    return (
        Thread.objects.filter(board_id=board_pk, created_at__gte=since)
        .select_related("author", "board__episode")
        .order_by(order, "-pk")
    )


@pytest.fixture
def threads(relaxed_posting_limits):
    made = []
    for slug in ("general", "theories"):
        board = Board.objects.get(slug=slug)
        for number in range(4):
            made.append(
                start_thread(board=board, author=UserFactory(), title=f"{slug} {number}", body="B")
            )
    # Two started long ago: the time bound leaves them out.
    Thread.objects.filter(pk__in=[made[0].pk, made[4].pk]).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    return made


def test_instances_and_counts_are_the_orms_for_each_value_shape_and_slice(
    threads, django_assert_num_queries
):
    compiled = Compiled(board_threads)
    week_ago = timezone.now() - timedelta(days=7)
    for order in ("-created_at", "title"):
        for slug in ("general", "theories", "episode-1"):
            board_pk = Board.objects.get(slug=slug).pk
            orm = board_threads(order, board_pk, week_ago)
            assert compiled.count(order, board_pk, week_ago) == orm.count()
            for start, stop in ((0, None), (0, 2), (1, 3), (2, 10)):
                found = compiled.instances(order, board_pk, week_ago, start=start, stop=stop)
                expected = list(orm[start:stop])
                assert [fields(thread) for thread in found] == [
                    fields(thread) for thread in expected
                ]
                with django_assert_num_queries(0):
                    # What the queryset selects comes attached, as the ORM attaches it.
                    assert [fields(thread.author) for thread in found] == [
                        fields(thread.author) for thread in expected
                    ]
                    assert [fields(thread.board.episode) for thread in found] == [
                        fields(thread.board.episode) for thread in expected
                    ]
    general = Board.objects.get(slug="general").pk
    assert compiled.count("title", general, timezone.now() - timedelta(days=60)) == 4
    assert compiled.instances("title", general, week_ago, start=2, stop=2) == []


def own_values(instance):
    """What an instance holds of its own (its fields, attached related objects
    apart) and its state, to compare instances made two ways."""
    if instance is None:
        return None
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    state = instance._state
    return values, (state.adding, state.db, state.fetch_mode)


def test_instances_hold_what_the_orms_hold_with_or_without_init_receivers(threads):
    compiled = Compiled(board_threads)
    general = Board.objects.get(slug="general").pk
    week_ago = timezone.now() - timedelta(days=7)
    expected = list(board_threads("title", general, week_ago))
    assert expected
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    for listening in (False, True):
        if listening:
            post_init.connect(receiver, sender=User)
        try:
            found = compiled.instances("title", general, week_ago)
        finally:
            post_init.disconnect(receiver, sender=User)
        for mine, orm in zip(found, expected, strict=True):
            assert own_values(mine) == own_values(orm)
            for attached in (lambda t: t.author, lambda t: t.board, lambda t: t.board.episode):
                assert own_values(attached(mine)) == own_values(attached(orm))
    # With a receiver for members, the authors (and only they) went through __init__.
    assert [author.pk for author in seen] == [thread.author_id for thread in expected]


def test_a_string_value_and_no_row():
    compiled = Compiled(lambda shape, slug: Board.objects.with_episode().filter(slug=slug))
    (found,) = compiled.instances(None, "episode-3")
    assert fields(found) == fields(Board.objects.get(slug="episode-3"))
    assert found.episode.number == 3
    assert compiled.instances(None, "no-such-board") == []
    assert compiled.count(None, "no-such-board") == 0


def test_each_shape_is_compiled_once_and_only_the_last_are_kept(threads):
    built = []

    def build(shape, board_pk):
        built.append(shape)
        return Thread.objects.filter(board_id=board_pk).order_by(shape, "pk")

    compiled = Compiled(build, shapes=2)
    general = Board.objects.get(slug="general").pk
    for _round in range(3):
        compiled.instances("title", general, stop=2)
        compiled.count("title", general)
    assert built == ["title", "title"]  # the slice, and the whole list for its count
    compiled.instances("-title", general)
    compiled.instances("created_at", general)
    compiled.instances("title", general, stop=2)
    assert built[-1] == "title"
    assert len(built) == 5


@pytest.mark.parametrize(
    ("build", "value", "message"),
    [
        (lambda shape, pk: Thread.objects.all(), 1, "does not use every value"),
        (lambda shape, text: Thread.objects.filter(title__contains=text), "x", "every value"),
        (lambda shape, pk: Thread.objects.prefetch_related("comments"), 1, "prefetch"),
        (lambda shape, flag: Thread.objects.filter(is_hidden=flag), True, "shape"),
        (lambda shape, day: Thread.objects.filter(created_at__date=day), 1.5, "no stand-in"),
    ],
)
def test_querysets_it_cannot_compile_are_refused(build, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        Compiled(build).instances(None, value)


def test_columns_build_the_instance_the_orm_builds_deferring_what_is_not_read(threads):
    thread = threads[1]
    some = Columns(Thread, "t", names={"id", "title", "board_id", "created_at"})
    every = Columns(Thread, "t")
    quote = connection.ops.quote_name
    table = quote(Thread._meta.db_table)
    for columns in (some, every):
        (row,) = statements.run(
            f"SELECT {columns.sql} FROM {table} t WHERE t.{quote('id')} = %s", [thread.pk]
        )
        built = columns.instance(row)
        orm = Thread.objects.only(*columns.names).get(pk=thread.pk)
        assert {k: v for k, v in vars(built).items() if k != "_state"} == {
            k: v for k, v in vars(orm).items() if k != "_state"
        }
        assert built._state.adding is False
        assert built._state.db == orm._state.db
        assert built.get_deferred_fields() == orm.get_deferred_fields()
        # A column not read is read on use, as the ORM reads a deferred one.
        assert built.reply_count == thread.reply_count


def test_a_model_with_init_receivers_is_built_through_init(threads):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    columns = Columns(Thread, "t")
    quote = connection.ops.quote_name
    (row,) = statements.run(
        f"SELECT {columns.sql} FROM {quote(Thread._meta.db_table)} t WHERE t.{quote('id')} = %s",
        [threads[0].pk],
    )
    post_init.connect(receiver, sender=Thread)
    try:
        built = columns.instance(row)
    finally:
        post_init.disconnect(receiver, sender=Thread)
    assert seen == [built]
    columns.instance(row)
    assert len(seen) == 1  # without the receiver, built without __init__


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def plans_of(statement):
    """(generic plans, custom plans) PostgreSQL made of a prepared ``statement``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
            [statement],
        )
        return cursor.fetchone()


@pytest.mark.parametrize("prepared", [True, False])
def test_postgresql_plans_each_statement_once_per_connection(settings, prepared):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.PREPARED_STATEMENTS = prepared
    sql = "SELECT COUNT(*) FROM threads_board WHERE id > %s AND slug <> %s"
    for value in (0, 1, 2):
        assert statements.run(sql, [value, "x"]) == [(Board.objects.filter(pk__gt=value).count(),)]
    statement = sql.replace("%s", "$1", 1).replace("%s", "$2")
    assert (statement in prepared_statements()) == prepared
    if prepared:
        # Planned once, for any values, not again on each run with the values given.
        assert plans_of(statement) == (3, 0)


def test_postgresql_reads_a_page_of_comments_from_its_index_whatever_the_thread(
    relaxed_posting_limits,
):
    """The top-level comments of a thread whose comments come after many others'
    are read from ``comment_thread_top_ids``, not by walking the primary key."""
    if connection.vendor != "postgresql":
        pytest.skip("plans are PostgreSQL's")
    from fansite.comments import rows
    from fansite.comments.services import post_comment

    board = Board.objects.get(slug="general")
    author = UserFactory()
    early = start_thread(board=board, author=author, title="Early", body="First.")
    for number in range(30):
        post_comment(target=early, author=author, body=f"Early comment {number}")
    # Other threads' comments besides, written straight to the table: enough that
    # the plan does not hang on what earlier tests left in it (their rolled-back
    # rows leave pages that tip a table of a few dozen rows towards walking the
    # primary key).
    others = Thread.objects.bulk_create(
        Thread(board=board, author=author, title=f"Other {number}") for number in range(200)
    )
    Comment.objects.bulk_create(
        Comment(thread=other, author=author, body="Copy", body_html="<p>Copy</p>")
        for other in others
        for _copy in range(10)
    )
    late = start_thread(board=board, author=author, title="Late", body="Later.")
    for number in range(5):
        post_comment(target=late, author=author, body=f"Late comment {number}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")

    found = rows.top_level(late, newest_first=False, offset=0, limit=3)

    assert [c.body for c in found] == ["Later.", "Late comment 0", "Late comment 1"]
    (statement,) = [s for s in prepared_statements() if "LIMIT $2 OFFSET $3" in s]
    with connection.cursor() as cursor:
        # Prepared afresh, as a new connection would: the connection's own copy may
        # have been planned by an earlier test, before this one's ANALYZE.
        cursor.execute(f"PREPARE top_level_afresh AS {statement}")
        cursor.execute("EXPLAIN EXECUTE top_level_afresh(%s, 3, 0)", [late.pk])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE top_level_afresh")
    assert "Index Scan using comment_thread_top_ids on comments_comment c " in plan
    assert "Sort" not in plan


def test_rows_straight_from_sqlite_are_those_django_s_cursor_gives(django_assert_num_queries):
    """On SQLite ``run`` skips Django's cursor wrapper unless queries are being
    logged; its rows, its placeholders (a literal ``%%``) and its errors are the
    same either way."""
    UserFactory(username="percent")
    sql = (
        "SELECT username, %s, 'a%%b' FROM users_user WHERE username LIKE %s AND id > %s ORDER BY id"
    )
    params = [7, "per%", 0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchall()

    assert statements.run(sql, params) == expected == [("percent", 7, "a%b")]
    with django_assert_num_queries(1):  # logged queries go through Django's cursor
        assert statements.run(sql, params) == expected
    with pytest.raises(DatabaseError):  # Django's error, not sqlite3's
        statements.run("SELECT nothing FROM no_such_table WHERE id = %s", [1])


@pytest.mark.django_db(transaction=True)
def test_rows_come_back_right_on_a_connection_opened_again_and_after_an_error():
    """On PostgreSQL ``run`` keeps one cursor with the connection: a statement after
    the connection was closed and opened again, or after one that failed, reads
    as the first did, and the failure is Django's error."""
    UserFactory(username="kept")
    sql = "SELECT username FROM users_user WHERE username = %s"

    assert statements.run(sql, ["kept"]) == [("kept",)]
    with pytest.raises(DatabaseError):
        statements.run("SELECT nothing FROM no_such_table WHERE id = %s", [1])
    assert statements.run(sql, ["kept"]) == [("kept",)]
    connection.close()
    assert statements.run(sql, ["kept"]) == [("kept",)]
    assert statements.run(sql, ["nobody"]) == []


@pytest.mark.django_db(transaction=True)
def test_rows_are_refused_in_a_transaction_that_must_roll_back():
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError):
            statements.run("SELECT 1 WHERE 1 = %s", [1])


def test_statements_of_every_length_are_kept_within_bounds(monkeypatch):
    """Statements with lists of values differ by the list's length; the rewritten
    placeholders kept for them stay bounded (and right after being dropped)."""
    monkeypatch.setattr(statements, "_QMARK_SQL", ClearedWhenFull(4))
    for length in range(1, 10):
        values = list(range(length))
        marks = ", ".join(["%s"] * length)
        rows = statements.run(f"SELECT COUNT(*) FROM users_user WHERE id IN ({marks})", values)
        assert rows == [(User.objects.filter(id__in=values).count(),)]
        if connection.vendor == "sqlite":
            assert 1 <= len(statements._QMARK_SQL) <= 4


@pytest.mark.parametrize("use_tz", [True, False])
@pytest.mark.parametrize(
    "value",
    [
        None,
        "2022-01-28 08:00:00",
        "2022-01-28 08:00:00.123456",
        timezone.datetime(2022, 1, 28, 8, 0, 0, 654321),
    ],
)
def test_sqlites_datetimes_are_converted_as_django_converts_them(settings, use_tz, value):
    from django.db.backends.sqlite3.operations import DatabaseOperations

    settings.USE_TZ = use_tz
    sqlite = DatabaseOperations(connection)  # Django's, whatever the database here
    column = Comment._meta.get_field("created_at").get_col("c")
    expected = sqlite.convert_datetimefield_value(value, column, connection)
    found = statements.aware_datetime(value, column, connection)
    assert found == expected
    assert getattr(found, "tzinfo", None) == getattr(expected, "tzinfo", None)


def test_only_sqlites_datetime_converter_is_replaced():
    column = Comment._meta.get_field("created_at").get_col("c")
    found = connection.ops.get_db_converters(column)
    quicker = statements.quicker(found)
    if connection.vendor == "sqlite":
        assert quicker == [statements.aware_datetime]
    else:
        assert quicker == found
