"""Fill the boards with demo members, threads and comments.

    python manage.py seed_demo --threads 100 --comments 10000
    python manage.py seed_demo --reset --threads 20 --comments 500 --big-thread 2000
    python manage.py seed_demo --boards episode --threads 100 --comments-per-thread 10 \
        --big-thread 100 --big-thread 1000 --big-thread 10000
    python manage.py seed_demo --boards general --threads 10000 --comments-per-thread 99

Demo members are called ``demo_01`` … ``demo_20`` (``--members``), with email
addresses at ``demo.invalid`` and the password ``demo-password`` (DEMO_PASSWORD),
so you can log in as any of them. Each has a random reading progress.

``--threads N`` threads are spread round-robin over every board (episode boards
and general boards; ``--boards episode`` or ``--boards general`` for only those),
each with its opening post. ``--comments M`` further comments (top-level comments
and replies) are spread unevenly over those threads, as real boards are;
``--comments-per-thread M`` gives every thread exactly M instead. ``--big-thread
K`` adds one more thread, on the general board, holding K comments; repeat it for
several (the benchmark in tests/benchmarks uses 100, 1,000 and 10,000). Big
threads spoil nothing beyond their board, so every reader can open them (their
comments still carry the usual mix of spoilers). Comment bodies are about 400
characters of Markdown (``--comment-chars``). Running the command again adds more
threads and comments by the same demo members; ``--reset`` first removes every
demo member and everything they wrote.

The text comes from a small built-in corpus of generic fan chat: it invents no
facts about the series. Some comments hide a sentence in an inline spoiler
(``>!…!<``) or a block spoiler, and some are marked as spoiling a later episode
than their thread, so every spoiler path of the site has something to show.

Speed, for a million comments (the last example: 10,000 threads of 100 posts):
- Comments go in through one COPY on PostgreSQL (psycopg's ``cursor.copy()``),
  their ids taken from the table's sequence first, so that a reply can name its
  parent; elsewhere (SQLite) through bulk_create, in batches of BATCH_SIZE. Both
  write the same rows for the same ``--seed``. Each distinct text (DISTINCT_TEXTS
  of them) is rendered to HTML and fingerprinted once.
- The counters (replies and latest activity per thread; threads, posts and latest
  activity per board) are recomputed with a few aggregate UPDATEs at the end, all
  in the same transaction. Reaction totals and top scores keep their defaults:
  nobody has reacted yet.
- The search index is then rebuilt by ``reindex_all`` (COPY on PostgreSQL too,
  each distinct text turned into terms once), and PostgreSQL's tables are
  vacuumed and their statistics refreshed (VACUUM ANALYZE).
- A progress line every PROGRESS_EVERY comments, and every REPORT_EVERY search
  documents (fansite.search.indexing), gives the rows written, rows/s and the
  time so far.

Measured on a shared 2-core machine (docs/performance.md): the benchmark's shape
(12,203 comments) in 3-4 s on SQLite or PostgreSQL, where bulk_create took 6-8 s;
a million comments in about 4 minutes on PostgreSQL, of which 35-60 s is the
comments' COPY and 2-2.5 minutes their search documents. ``--reset`` goes through
Django's deletion, which reads every comment it deletes: fine for thousands, but 9
minutes and 5 GB of memory for a million (drop the database instead).
"""

import random
import time
from datetime import timedelta
from itertools import batched

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fansite.comments.models import Comment, body_fingerprint
from fansite.episodes.models import Episode
from fansite.search.indexing import reindex_all
from fansite.threads.models import Board, Thread
from fansite.web import bulk
from fansite.web.markdown import render_markdown

DEMO_PREFIX = "demo_"
DEMO_EMAIL_DOMAIN = "demo.invalid"
DEMO_PASSWORD = "demo-password"
BATCH_SIZE = 1000
# A progress line every this many rows, and one at the end.
PROGRESS_EVERY = 50_000
DISTINCT_TEXTS = 400
# Share of comments that answer another; share marked as spoiling a later episode.
REPLY_SHARE = 0.35
LATER_SPOILER_SHARE = 0.12
# Replies answer one of this many most recent top-level comments.
RECENT_PARENTS = 20
HISTORY_DAYS = 60
DEFAULT_COMMENTS = 1000
BOARD_CHOICES = ("all", "episode", "general")
BIG_THREAD_TITLE = "Big demo thread"

THREAD_TITLES = (
    "First impressions",
    "Rewatch thread",
    "Favourite scenes",
    "Soundtrack appreciation",
    "Questions after watching",
    "Was anyone else surprised?",
    "Cast and performances",
    "Cinematography and camera work",
    "Comparing the show with the webtoon",
    "Pacing and structure",
    "Unpopular opinions",
    "Best lines",
    "Watching with friends for the first time",
    "Details you only notice on a second watch",
    "Sound design appreciation",
    "Which character would you follow?",
    "Subtitles versus dubbing",
    "Small moments that stayed with me",
)

SENTENCES = (
    "That scene in this episode hit hard.",
    "I had to pause for a minute after that part.",
    "The soundtrack is doing a lot of work here.",
    "Rewatching it now and I keep noticing small details in the background.",
    "The pacing felt faster than the previous episode.",
    "Honestly, the camera work in the hallway shots is great.",
    "I did not expect to care this much about a side character.",
    "The younger cast is really impressive in this one.",
    "My friends and I argued about this for an hour afterwards.",
    "The show handles tension really well here.",
    "Not sure how I feel about that choice yet.",
    "This is the kind of episode that rewards a second watch.",
    "The webtoon readers in my group chat had a lot to say about it.",
    "I love how the classroom scenes are framed.",
    "The last few minutes were intense.",
    "I'm still thinking about that conversation.",
    "Some of the effects look better than I expected for a series.",
    "The quiet moments between the big scenes are my favourite part.",
    "I watched this one twice in a row, which I never do.",
    "The lighting in the night scenes is beautiful.",
    "Great episode overall, even if the middle dragged a little for me.",
    "I think the writers knew exactly what they were doing with that ending.",
    "The music cue right before the credits gave me chills.",
    "Every time I think I know where this is going, it surprises me.",
    "I appreciate how much the supporting cast gets to do.",
    "That was a lot to take in, I need a break before the next one.",
    "The costume and set details make the school feel real.",
    "I laughed out loud at one line and then felt bad about it a minute later.",
)

# Fans write in Korean and name the characters in every spelling; search is
# measured on these (docs/search.md). Opinions only, nothing about the plot.
KOREAN_SENTENCES = (
    "온조가 명찰을 건네는 장면이 기억에 남아요.",
    "청산이 나오는 장면은 다시 봐도 좋아요.",
    "수혁이랑 같이 있는 장면이 제일 좋았다.",
    "학교 옥상 세트가 정말 사실적이었어요.",
    "좀비 분장이 진짜 같았어요.",
    "이 에피소드는 두 번 봐야 해요.",
    "박지후 배우 연기가 최고였어요.",
    "Nam On-jo's nametag matters more than it looks.",
    "Cheong-san and On-jo on the rooftop again.",
    "Su-hyeok keeps the class together in this one.",
    "Lee Cheong San gets the best lines in this episode.",
)

SPOILER_SENTENCES = (
    "the part near the end changes how I see the whole episode",
    "I did not see that coming at all",
    "that reveal made me rewind twice",
    "that one decision is going to matter a lot",
    "the final shot says more than any dialogue",
    "who makes it through that scene surprised me",
)

BLOCK_SPOILER = (
    ":::spoiler What I think it means\n"
    "I think that moment is setting something up for later. "
    "I will not say more here, but watch the background in that scene.\n"
    ":::"
)

QUOTE_LINES = (
    "> That scene in this episode hit hard.",
    "> The soundtrack is doing a lot of work here.",
    "> I'm still thinking about that conversation.",
)


# Quotes, lists, spoilers and emphasis add about this much to a body's sentences.
EXTRAS_CHARS = 50
DEFAULT_COMMENT_CHARS = 400


def build_texts(rng, count, chars=DEFAULT_COMMENT_CHARS):
    """``count`` distinct Markdown bodies of about ``chars`` characters on average,
    with their HTML."""
    sentence_chars = max(chars - EXTRAS_CHARS, 1)
    texts = {}
    while len(texts) < count:
        parts = []
        if rng.random() < 0.1:
            parts.append(rng.choice(QUOTE_LINES) + "\n")
        sentences = []
        while sum(len(s) + 1 for s in sentences) < sentence_chars:
            sentence = rng.choice(SENTENCES if rng.random() >= 0.1 else KOREAN_SENTENCES)
            if rng.random() < 0.08:
                sentence = f"*{sentence}*"
            sentences.append(sentence)
        if rng.random() < 0.2:
            position = rng.randrange(len(sentences) + 1)
            sentences.insert(position, f"Also, >!{rng.choice(SPOILER_SENTENCES)}!<.")
        parts.append(" ".join(sentences))
        if rng.random() < 0.08:
            parts.append("- " + "\n- ".join(rng.sample(SENTENCES, 3)))
        if rng.random() < 0.05:
            parts.append(BLOCK_SPOILER)
        text = "\n\n".join(parts)
        texts.setdefault(text, None)
    return [(text, render_markdown(text)) for text in texts]


def big_thread_sizes(value):
    """--big-thread as a list: argparse gives a list (or None), call_command(big_thread=K)
    an int (0 meaning none, as before the option could be repeated)."""
    if value is None:
        return []
    return [value] if isinstance(value, int) else list(value)


def later_episode(rng, level, last):
    """An episode after ``level`` (any episode when None), or ``level`` if none is left."""
    first = (level or 0) + 1
    return rng.randint(first, last) if first <= last else level


class Progress:
    """Says how many of ``total`` rows are written, how fast and for how long, every
    PROGRESS_EVERY rows and at the end: a million comments take minutes."""

    def __init__(self, write, total, what):
        self.write, self.total, self.what = write, total, what
        self.done = 0
        self.started = time.perf_counter()

    def add(self, count):
        before, self.done = self.done, self.done + count
        if self.done == self.total or self.done // PROGRESS_EVERY > before // PROGRESS_EVERY:
            elapsed = time.perf_counter() - self.started
            rate = self.done / elapsed if elapsed else 0
            self.write(
                f"  {self.done:,} / {self.total:,} {self.what} ({rate:,.0f} rows/s, {elapsed:.1f}s)"
            )


# The columns copy_comments writes from insert_comments' rows; every other column
# gets its field's default (or the database's, for a field that has one there).
COMMENT_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "author_id",
    "body",
    "body_html",
    "body_fingerprint",
    "spoils_episode_id",
    "created_at",
)


def copy_comments(phases, total, progress):
    """PostgreSQL: every comment of ``phases`` (insert_comments' rows) through one
    COPY. The ids are taken from the table's sequence first and given out in the
    order of the rows, so a reply knows its parent's, the opening post keeps its
    thread's lowest and a comment posted later still gets a larger one."""
    meta = Comment._meta
    copy = bulk.Copy(Comment, COMMENT_COLUMNS)
    saved = [None] * total  # index in the plan: id
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, total],
        )
        ids = iter(sorted(pk for (pk,) in cursor.fetchall()))
        with copy.rows(cursor) as write:
            for rows in phases:
                for batch in batched(rows, BATCH_SIZE):
                    for i, thread, parent, *values in batch:
                        pk = saved[i] = next(ids)
                        parent = None if parent is None else saved[parent]
                        write((pk, thread, parent, *values))
                    progress.add(len(batch))


def create_comments(phases, total, progress):
    """Any database: every comment of ``phases`` (insert_comments' rows) with
    bulk_create, in batches; the top-level comments' ids come back before the
    replies that need them are written."""
    saved = [None] * total
    for rows in phases:
        for batch in batched(rows, BATCH_SIZE):
            comments = []
            for _i, thread, parent, author, body, html, fingerprint, level, created in batch:
                comment = Comment(
                    thread_id=thread,
                    parent_id=None if parent is None else saved[parent],
                    author_id=author,
                    body=body,
                    body_html=html,
                    body_fingerprint=fingerprint,
                    spoils_episode_id=level,
                    created_at=created,
                )
                comments.append(comment)
            for (i, *_values), comment in zip(
                batch, Comment.objects.bulk_create(comments), strict=True
            ):
                saved[i] = comment.pk
            progress.add(len(batch))


class Command(BaseCommand):
    help = "Create demo members, threads and comments (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=50, help="Threads to create.")
        parser.add_argument(
            "--comments",
            type=int,
            default=None,
            help=(
                "Comments to spread unevenly over those threads, besides their opening "
                f"posts (default {DEFAULT_COMMENTS})."
            ),
        )
        parser.add_argument(
            "--comments-per-thread",
            type=int,
            default=None,
            metavar="M",
            help="Give every thread exactly M comments besides its opening post "
            "(instead of --comments).",
        )
        parser.add_argument(
            "--boards",
            choices=BOARD_CHOICES,
            default="all",
            help="Which boards the threads go on (default: all).",
        )
        parser.add_argument(
            "--comment-chars",
            type=int,
            default=DEFAULT_COMMENT_CHARS,
            metavar="C",
            help=f"Average length of a comment's Markdown (default {DEFAULT_COMMENT_CHARS}).",
        )
        parser.add_argument("--members", type=int, default=20, help="Demo members to use.")
        parser.add_argument(
            "--big-thread",
            type=int,
            action="append",
            default=None,
            metavar="K",
            help="Also create a thread holding K comments, on the general board "
            "(repeat for several).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="First delete demo members and their posts."
        )
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable).")

    def handle(self, *args, **options):
        options["big_thread"] = big_thread_sizes(options["big_thread"])
        if options["comments"] is not None and options["comments_per_thread"] is not None:
            raise CommandError("Use either --comments or --comments-per-thread, not both.")
        if options["comments"] is None and options["comments_per_thread"] is None:
            options["comments"] = DEFAULT_COMMENTS
        counts = [
            ("threads", options["threads"]),
            ("comments", options["comments"]),
            ("comments-per-thread", options["comments_per_thread"]),
            ("members", options["members"]),
            *(("big-thread", size) for size in options["big_thread"]),
        ]
        for flag, value in counts:
            if value is not None and value < 0:
                raise CommandError(f"--{flag} cannot be negative.")
        options["big_thread"] = [size for size in options["big_thread"] if size]  # 0: none
        if options["members"] < 1:
            raise CommandError("--members must be at least 1.")
        if options["comment_chars"] < 1:
            raise CommandError("--comment-chars must be at least 1.")
        if options["comments"] and not options["threads"]:
            raise CommandError("--comments needs at least one thread (--threads).")
        self.rng = random.Random(options["seed"])
        started = time.perf_counter()
        with transaction.atomic():
            if options["reset"]:
                self.reset()
            self.seed(options)
        # Demo content is written in bulk, without the saves that index it.
        with transaction.atomic():
            indexed = reindex_all(say=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(f"Search index: {indexed:,} documents.")
        if connection.vendor == "postgresql":
            # Statistics for what was just written in bulk: autovacuum may be off,
            # or not have come round yet. Without them PostgreSQL guessed 64,598
            # replies where a big thread's page has 20 and planned a scan of every
            # comment (240 ms a page). VACUUM too, as autovacuum would have by the
            # time a real site had this many comments: until the visibility map is
            # written, counting a 10,000-comment thread from its index still reads
            # every row (10 ms against 2 ms).
            # (VACUUM cannot run inside a transaction: a caller's, such as a test's.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f}s."))

    # --- steps ------------------------------------------------------------------------

    def demo_members(self):
        return get_user_model().objects.filter(
            username__startswith=DEMO_PREFIX, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
        )

    def reset(self):
        members = self.demo_members()
        # Their threads go with every comment in them; then their other comments.
        Thread.objects.filter(author__in=members).delete()
        Comment.objects.filter(author__in=members).delete()
        count, _ = members.delete()
        self.recount(Thread.objects.all())
        self.stdout.write(f"Reset: removed the demo members and their posts ({count} rows).")

    def ensure_members(self, count):
        User = get_user_model()
        wanted = [f"{DEMO_PREFIX}{number:02}" for number in range(1, count + 1)]
        existing = set(self.demo_members().values_list("username", flat=True))
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        new = [
            User(
                username=username,
                email=f"{username}@{DEMO_EMAIL_DOMAIN}",
                password=password,
                display_name=f"Demo fan {username.removeprefix(DEMO_PREFIX)}",
                watched_up_to=self.rng.randint(0, self.last_episode),
            )
            for username in wanted
            if username not in existing
        ]
        User.objects.bulk_create(new)
        members = list(self.demo_members().filter(username__in=wanted))
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=member, email=member.email, verified=True, primary=True)
                for member in members
                if member.username in {user.username for user in new}
            ]
        )
        self.stdout.write(f"Members: {len(members)} ({len(new)} new), password {DEMO_PASSWORD!r}.")
        return members

    def seed(self, options):
        self.last_episode = (
            Episode.objects.order_by("-position").values_list("position", flat=True).first() or 0
        )
        members = self.ensure_members(options["members"])
        all_boards = list(Board.objects.order_by("kind", "episode", "position", "pk"))
        if not all_boards:
            raise CommandError("There are no boards: run the migrations first.")
        boards = [b for b in all_boards if options["boards"] in ("all", b.kind)]
        if not boards and options["threads"]:
            raise CommandError(f"There are no {options['boards']} boards to put threads on.")
        now = timezone.now()

        threads = self.make_threads(options["threads"], boards, members, now)
        plan = []
        if options["comments_per_thread"] is not None:
            self.plan_comments(plan, threads, options["comments_per_thread"], now, even=True)
        else:
            self.plan_comments(plan, threads, options["comments"], now)
        general = next((b for b in all_boards if b.kind == Board.Kind.GENERAL), all_boards[0])
        for size in options["big_thread"]:
            [big] = self.make_threads(
                1, [general], members, now, title=BIG_THREAD_TITLE, board_level_only=True
            )
            self.plan_comments(plan, [big], size, now)
            threads.append(big)
        total = len(plan)
        self.stdout.write(f"Threads: {len(threads)}. Comments: {total} (opening posts included).")
        self.insert_comments(plan, members, options["comment_chars"])
        self.recount(Thread.objects.filter(pk__in=[thread.pk for thread in threads]))

    def make_threads(self, count, boards, members, now, title=None, board_level_only=False):
        """``count`` threads round-robin over ``boards``; some spoil a later episode
        than their board, unless ``board_level_only``."""
        rng = self.rng
        threads = []
        for index in range(count):
            board = boards[index % len(boards)]
            level = board.spoiler_level
            later = rng.random() < LATER_SPOILER_SHARE or (level is None and rng.random() < 0.4)
            if later and not board_level_only:
                level = later_episode(rng, level, self.last_episode)
            created = now - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400))
            threads.append(
                Thread(
                    board=board,
                    author=rng.choice(members),
                    title=title or rng.choice(THREAD_TITLES),
                    spoils_episode_id=level,
                    created_at=created,
                    last_activity_at=created,
                )
            )
        return Thread.objects.bulk_create(threads)

    def plan_comments(self, plan, threads, count, now, even=False):
        """Add (thread, created_at, parent's index in ``plan`` or None, spoiler level,
        is opening post) to ``plan`` for every comment: each thread's opening post,
        then ``count`` more spread unevenly over the threads, or ``count`` more in
        each thread when ``even``."""
        rng = self.rng
        if not threads:
            return
        if even:
            per_thread = {thread.pk: count for thread in threads}
        else:
            weights = [rng.paretovariate(1.3) for _ in threads]
            per_thread = {thread.pk: 0 for thread in threads}
            for thread in rng.choices(threads, weights=weights, k=count):
                per_thread[thread.pk] += 1
        for thread in threads:
            extra = per_thread[thread.pk]
            span = max((now - thread.created_at).total_seconds(), 1.0)
            moments = sorted(rng.uniform(0, span) for _ in range(extra))
            plan.append([thread, thread.created_at, None, thread.spoiler_level, True])
            top_level = []
            for offset in moments:
                level = thread.spoiler_level
                if rng.random() < LATER_SPOILER_SHARE:
                    level = later_episode(rng, level, self.last_episode)
                parent = None
                if top_level and rng.random() < REPLY_SHARE:
                    # As in a live conversation, people answer recent comments: the
                    # first page of a long thread looks like that of a short one.
                    parent = rng.choice(top_level[-RECENT_PARENTS:])
                else:
                    top_level.append(len(plan))
                plan.append(
                    [thread, thread.created_at + timedelta(seconds=offset), parent, level, False]
                )

    def insert_comments(self, plan, members, chars=DEFAULT_COMMENT_CHARS):
        """Top-level comments first (replies need their ids), then replies, each in
        time order: through one COPY on PostgreSQL, with bulk_create elsewhere."""
        rng = self.rng
        texts = [
            (body, body_html, body_fingerprint(body))
            for body, body_html in build_texts(rng, min(DISTINCT_TEXTS, max(len(plan), 1)), chars)
        ]

        def rows(replies):
            """(index in ``plan``, thread id, parent's index in ``plan``, author id,
            body, HTML, fingerprint, spoiler level, created_at) of the top-level
            comments or of the replies, in time order."""
            order = [i for i, item in enumerate(plan) if (item[2] is not None) == replies]
            order.sort(key=lambda i: plan[i][1])
            for i in order:
                thread, created, parent, level, is_opening = plan[i]
                body, body_html, fingerprint = rng.choice(texts)
                author = thread.author if is_opening else rng.choice(members)
                yield i, thread.pk, parent, author.pk, body, body_html, fingerprint, level, created

        progress = Progress(self.stdout.write, len(plan), "comments")
        write = copy_comments if connection.vendor == "postgresql" else create_comments
        write([rows(replies=False), rows(replies=True)], len(plan), progress)

    def recount(self, threads):
        """Recompute the denormalised counters from the rows themselves."""
        comments = Comment.objects.filter(thread=OuterRef("pk")).order_by().values("thread")
        threads.update(
            # The opening post is not a reply.
            reply_count=Coalesce(
                Subquery(comments.annotate(n=Count("pk")).values("n")),
                Value(1),
                output_field=IntegerField(),
            )
            - 1,
            last_activity_at=Coalesce(
                Subquery(comments.annotate(latest=Max("created_at")).values("latest")),
                "created_at",
            ),
        )
        board_threads = Thread.objects.filter(board=OuterRef("pk")).order_by().values("board")
        board_comments = (
            Comment.objects.filter(thread__board=OuterRef("pk")).order_by().values("thread__board")
        )
        Board.objects.update(
            thread_count=Coalesce(
                Subquery(board_threads.annotate(n=Count("pk")).values("n")), Value(0)
            ),
            post_count=Coalesce(
                Subquery(board_comments.annotate(n=Count("pk")).values("n")), Value(0)
            ),
            last_activity_at=Subquery(
                board_threads.annotate(latest=Max("last_activity_at")).values("latest")
            ),
        )
