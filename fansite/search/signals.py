"""Each save of something searchable writes its document (fansite.search.indexing),
in the saving transaction. A save that names only fields search does not read
(a member's last login, a comment's moderation flags) writes nothing."""

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models.signals import post_migrate, post_save

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.episodes.models import Episode
from fansite.threads.models import Board, Thread

from . import indexing
from .models import Document

# The fields each model's document is made from.
_READ = {
    Comment: {"body"},
    Thread: {"title"},
    Article: {"title", "standfirst", "body", "published_at"},
    Board: {"title", "description"},
    Episode: {"title", "synopsis"},
}
_MEMBER_FIELDS = {"username", "display_name", "is_active"}
_INDEX = {
    Comment: indexing.index_comment,
    Thread: indexing.index_thread,
    Article: indexing.index_article,
    Board: indexing.index_board,
    Episode: indexing.index_episode,
}


def _reads(fields, update_fields):
    return update_fields is None or bool(fields & set(update_fields))


def _saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _reads(_READ[sender], update_fields):
        return
    _INDEX[sender](instance)


def _member_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not raw and _reads(_MEMBER_FIELDS, update_fields):
        indexing.index_member(instance)


def _index_when_empty(sender, using="default", **kwargs):
    """The first migrate indexes what is already there: the seeded boards, episodes
    and article, or a whole site that had no search until now."""
    tables = connections[using].introspection.table_names()
    if Document._meta.db_table not in tables:
        return  # migrated back to before search
    if not Document.objects.using(using).exists():
        indexing.reindex_all()


def connect(app_config):
    for model in _INDEX:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-{model.__name__}")
    post_save.connect(_member_saved, sender=get_user_model(), dispatch_uid="search-member")
    post_migrate.connect(_index_when_empty, sender=app_config, dispatch_uid="search-first-index")
