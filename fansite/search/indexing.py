"""Keeping the search index in step with what it indexes (docs/search.md).

Each save of a comment, thread, article, board, episode or member writes its
Document in the same transaction (``post_save``, wired in apps.py); deletes
cascade. Only text lives here, and a level hint: visibility and spoiler levels
are read live when searching, so hiding, removing or re-tagging needs no
re-indexing.
``manage.py reindex_search`` rebuilds everything, for recovery.
"""

import time
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Min

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.threads.models import Board, Thread
from fansite.web import bulk
from fansite.web.markdown import plain_text

from .models import Document
from .terms import index_terms

Kind = Document.Kind


def _terms(title, text):
    return index_terms(f"{title} {text}")


def _document(kind, pk, *, title="", text="", terms=None, **fields):
    """A document's fields, the same for a save and for a rebuild (which passes the
    ``terms`` of ``title`` and ``text`` when it has worked them out before)."""
    return {
        "key": f"{kind}:{pk}",
        "kind": kind,
        "title": title,
        "text": text,
        "terms": _terms(title, text) if terms is None else terms,
        **fields,
    }


def _save(kind, pk, **fields):
    fields = _document(kind, pk, **fields)
    Document.objects.update_or_create(key=fields.pop("key"), defaults=fields)


def opening_post(thread):
    return Comment.objects.filter(thread=thread).order_by("pk").first()


def is_opening_post(comment) -> bool:
    return (
        comment.thread_id is not None
        and not Comment.objects.filter(thread_id=comment.thread_id, pk__lt=comment.pk).exists()
    )


def _highest(*levels):
    return max((level for level in levels if level), default=None)


def index_thread(thread, opening=None):
    """A thread is found by its title and its opening post."""
    opening = opening or opening_post(thread)
    _save(
        Kind.THREAD,
        thread.pk,
        title=thread.title,
        text=plain_text(opening.body) if opening else "",
        thread=thread,
        author_id=thread.author_id,
        created_at=thread.created_at,
        level=thread.spoils_episode_id,
    )
    # A thread saved with a lower level leaves its comments' hints too high.
    Document.objects.filter(
        kind=Kind.COMMENT, thread_id=thread.pk, level__gt=thread.spoils_episode_id or 0
    ).update(level=None)


def index_comment(comment):
    """A comment on a thread or an article; a thread's opening post is its thread's."""
    if is_opening_post(comment):
        Document.objects.filter(key=f"comment:{comment.pk}").delete()
        index_thread(comment.thread, opening=comment)
        return
    _save(
        Kind.COMMENT,
        comment.pk,
        text=plain_text(comment.body),
        comment=comment,
        thread_id=comment.thread_id,
        article_id=comment.article_id,
        author_id=comment.author_id,
        created_at=comment.created_at,
        level=_highest(comment.spoils_episode_id, comment.target.spoiler_level),
    )


def index_article(article):
    _save(
        Kind.ARTICLE,
        article.pk,
        title=article.title,
        text=" ".join(part for part in (article.standfirst, plain_text(article.body)) if part),
        article=article,
        author_id=article.author_id,
        created_at=article.published_at or article.created_at,
        level=article.spoiler_level,
    )


def index_board(board):
    _save(
        Kind.BOARD,
        board.pk,
        title=board.title,
        text=board.description,
        board=board,
    )


def index_episode(episode):
    """Episodes by number and title; synopses are spoiler-free by rule."""
    _save(
        Kind.EPISODE,
        episode.pk,
        title=str(episode) + (f": {episode.title}" if episode.has_title else ""),
        text=episode.synopsis,
        episode=episode,
    )


def index_member(member):
    """Members by username and display name, nothing else of theirs."""
    if not member.is_active:
        Document.objects.filter(key=f"member:{member.pk}").delete()
        return
    names = " ".join(dict.fromkeys(n for n in (member.display_name, member.username) if n))
    _save(Kind.MEMBER, member.pk, title=names, member=member)


BATCH = 2000
# A rebuild turns each distinct text into plain text and terms once, remembering
# this many: that work, not the writing, was most of a rebuild, and comments repeat
# texts ("+1", and every comment of the demo data).
REMEMBERED_TEXTS = 10_000
# A rebuild says how far it has got every this many documents.
REPORT_EVERY = 100_000


def drop_level_hints(item):
    """After a thread's or comment's level was set in bulk (moderators re-tagging,
    possibly lower): its documents' level hints may now be too high, which would
    hide a match the reader may see. Dropped, the live rules alone decide."""
    if isinstance(item, Thread):
        documents = Document.objects.filter(thread_id=item.pk)
    else:
        documents = Document.objects.filter(comment_id=item.pk)
    documents.exclude(level=None).update(level=None)


def _create_documents(documents):
    Document.objects.bulk_create([Document(**fields) for fields in documents])


def _copy_documents(documents):
    """PostgreSQL: the documents through COPY, the fastest way in. Every column but
    the id (and the generated ``vector``, which the model does not know) is
    written; a field the rebuild does not set gets its default."""
    fields = [field for field in Document._meta.concrete_fields if not field.primary_key]
    defaults = [
        (field.attname, field.get_db_prep_save(field.get_default(), connection)) for field in fields
    ]
    copy = bulk.Copy(Document, [name for name, _default in defaults])
    with connection.cursor() as cursor, copy.rows(cursor) as write:
        for document in documents:
            write([document.get(name, default) for name, default in defaults])


def reindex_all(say=None):
    """Every document afresh (``manage.py reindex_search``); returns how many.
    Threads and comments, the many, are written in batches of BATCH rows (through
    COPY on PostgreSQL), with the same text and terms the saves write, worked out
    once for each distinct text. ``say`` hears the progress every REPORT_EVERY
    documents and at the end."""
    started = time.perf_counter()
    Document.objects.all().delete()
    count = 0
    for items, index in (
        (Board.objects.all(), index_board),
        (Episode.objects.all(), index_episode),
        (get_user_model().objects.filter(is_active=True), index_member),
        (Article.objects.all(), index_article),
    ):
        for item in items.iterator(chunk_size=BATCH):
            index(item)
            count += 1
    openings = dict(
        Comment.objects.filter(thread__isnull=False)
        .values("thread_id")
        .annotate(first=Min("pk"))
        .values_list("thread_id", "first")
    )
    opening_text = {}
    thread_levels = dict(Thread.objects.values_list("pk", "spoils_episode_id"))
    article_levels = {
        a.pk: a.spoiler_level for a in Article.objects.select_related("spoils_episode")
    }
    write = _copy_documents if connection.vendor == "postgresql" else _create_documents
    plain = lru_cache(maxsize=REMEMBERED_TEXTS)(plain_text)
    terms = lru_cache(maxsize=REMEMBERED_TEXTS)(_terms)
    batch = []
    reported = 0

    def flush(last=False):
        nonlocal count, reported
        if batch:
            write(batch)
        count += len(batch)
        batch.clear()
        if say and count != reported and (last or count // REPORT_EVERY > reported // REPORT_EVERY):
            elapsed = time.perf_counter() - started
            say(f"{count:,} indexed ({count / elapsed:,.0f} documents/s, {elapsed:.1f}s)")
            reported = count

    def add(kind, pk, *, title="", text="", **fields):
        batch.append(
            _document(kind, pk, title=title, text=text, terms=terms(title, text), **fields)
        )
        if len(batch) >= BATCH:
            flush()

    fields = (
        "pk",
        "thread_id",
        "article_id",
        "author_id",
        "created_at",
        "body",
        "spoils_episode_id",
    )
    for pk, thread_id, article_id, author_id, created_at, body, own_level in (
        Comment.objects.order_by("pk").values_list(*fields).iterator(chunk_size=BATCH)
    ):
        text = plain(body)
        if thread_id is not None and openings.get(thread_id) == pk:
            opening_text[thread_id] = text
            continue
        level = _highest(own_level, thread_levels.get(thread_id), article_levels.get(article_id))
        add(
            Kind.COMMENT,
            pk,
            text=text,
            comment_id=pk,
            thread_id=thread_id,
            article_id=article_id,
            author_id=author_id,
            created_at=created_at,
            level=level,
        )
    fields = ("pk", "title", "author_id", "created_at", "spoils_episode_id")
    for pk, title, author_id, created_at, level in Thread.objects.values_list(*fields).iterator(
        chunk_size=BATCH
    ):
        add(
            Kind.THREAD,
            pk,
            title=title,
            text=opening_text.get(pk, ""),
            thread_id=pk,
            author_id=author_id,
            created_at=created_at,
            level=level,
        )
    flush(last=True)
    # Fresh statistics for the planner: without them, right after a rebuild,
    # PostgreSQL reads every match of a common word instead of walking the
    # newest documents and stopping (fansite.search.selectors).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Document._meta.db_table)}")
    return count
