from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fansite.episodes.models import Episode
from fansite.spoilers.levels import spoiler_level_field
from fansite.web.reversing import reverse_args, reverse_id


class BoardQuerySet(models.QuerySet):
    def with_episode(self):
        return self.select_related("episode__season__series")

    def with_latest_thread_id(self):
        """Annotate ``latest_thread_id``: the board's most recently active thread."""
        latest = (
            Thread.objects.filter(board=models.OuterRef("pk"))
            .order_by("-last_activity_at", "-pk")
            .values("pk")[:1]
        )
        return self.annotate(latest_thread_id=models.Subquery(latest))


class Board(models.Model):
    class Kind(models.TextChoices):
        EPISODE = "episode", _("Episode board")
        GENERAL = "general", _("General board")

    title = models.CharField(_("title"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(
        _("description"), max_length=300, blank=True, help_text=_("Spoiler-free.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.GENERAL)
    episode = models.OneToOneField(
        Episode,
        on_delete=models.CASCADE,
        to_field="position",
        null=True,
        blank=True,
        related_name="board",
        verbose_name=_("episode"),
        help_text=_("Episode boards spoil up to their episode; threads default to it."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order among general boards (smaller first).")
    )
    thread_count = models.PositiveIntegerField(_("threads"), default=0, editable=False)
    post_count = models.PositiveIntegerField(_("posts"), default=0, editable=False)
    last_activity_at = models.DateTimeField(
        _("last activity"), null=True, blank=True, editable=False
    )

    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "episode", "position", "title"]
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="episode", episode__isnull=False)
                | models.Q(kind="general", episode__isnull=True),
                name="board_episode_iff_episode_kind",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_args("threads:board_detail", self.slug)

    @property
    def spoiler_level(self):
        """Episode boards spoil up to their episode; general boards spoil nothing."""
        return self.episode_id


class ThreadQuerySet(models.QuerySet):
    def for_board(self, board):
        """A board's threads: pinned first, then most recently active."""
        return (
            self.filter(board=board)
            .select_related("author")
            .order_by("-is_pinned", "-last_activity_at", "-pk")
        )


class Thread(models.Model):
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="threads", verbose_name=_("board")
    )
    title = models.CharField(_("title"), max_length=140)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("author"),
    )
    spoils_episode = spoiler_level_field(
        help_text=_("The title and opening post may spoil up to this episode."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("Locked threads take no new comments.")
    )
    reply_count = models.PositiveIntegerField(_("replies"), default=0, editable=False)
    # Every reaction to the thread's comments (fansite.reactions.services keeps it):
    # the boards' "Top" orders.
    reaction_total = models.PositiveIntegerField(_("reactions"), default=0, editable=False)
    is_hidden = models.BooleanField(
        _("hidden by moderators"),
        default=False,
        help_text=_("Hidden threads are left out of lists and show a placeholder to members."),
    )

    objects = ThreadQuerySet.as_manager()

    # Lists of threads mix threads with groups of gated ones (spoilers.groups), and
    # templates tell them apart by this. A thread answers it here: a name the
    # template language fails to find costs it ``dir()`` of the instance, about
    # 15 us a row.
    is_gate_group = False

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at", "-pk"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["board", "-is_pinned", "-last_activity_at", "-id"],
                name="thread_board_listing",
            ),
            models.Index(fields=["author", "-created_at"], name="thread_by_author"),
            models.Index(fields=["board", "-reaction_total", "-id"], name="thread_board_top"),
            # The home page's latest discussions (selectors.ordered_threads over the
            # threads readers may see): read from the top of this index, not sorted.
            models.Index(
                fields=["-last_activity_at", "-id"],
                condition=models.Q(is_hidden=False),
                name="thread_latest",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_id("threads:thread_detail", pk=self.pk)

    @property
    def spoiler_level(self):
        return self.spoils_episode_id

    @property
    def reveal_key(self):
        return f"t{self.pk}"

    @property
    def anchor(self):
        """The id of the thread's row in lists (the reveal link returns there)."""
        return f"thread-{self.pk}"

    @property
    def is_open(self):
        return not self.is_locked


class ThreadReadQuerySet(models.QuerySet):
    def last_seen(self, member, thread):
        """The id of the newest comment ``member`` has seen on ``thread``, or None
        when they never opened it (visitors have no markers)."""
        if not member.is_authenticated:
            return None
        # Asked on every member's view of a thread page, cached or not: one plain
        # statement rather than a query the ORM builds afresh each time.
        quote = connection.ops.quote_name
        field = self.model._meta.get_field
        sql = (
            f"SELECT {quote(field('last_seen_comment_id').column)} "
            f"FROM {quote(self.model._meta.db_table)} "
            f"WHERE {quote(field('member').column)} = %s AND {quote(field('thread').column)} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [member.pk, getattr(thread, "pk", thread)])
            row = cursor.fetchone()
        return row[0] if row else None


class ThreadRead(models.Model):
    """How far a member has read a thread: the newest comment they have been shown.

    Comments sit above threads in the layers (docs/architecture.md), so the marker
    is the comment's id as a plain integer, not a foreign key: comment ids only
    grow, so "unread" is "a visible comment with a larger id". A comment deleted
    for good leaves the marker valid (nothing compares equal to it, only larger).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="thread_reads",
        verbose_name=_("member"),
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="reads", verbose_name=_("thread")
    )
    last_seen_comment_id = models.PositiveBigIntegerField(
        _("last comment seen"),
        help_text=_("The id of the newest comment the member has been shown; it only grows."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ThreadReadQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("thread read marker")
        verbose_name_plural = _("thread read markers")
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="thread_read_once_per_member")
        ]

    def __str__(self):
        return f"{self.member} read {self.thread} up to comment {self.last_seen_comment_id}"
