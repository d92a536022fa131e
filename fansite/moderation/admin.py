import json
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from fansite.comments.models import Comment
from fansite.threads.models import Thread

from . import services
from .admin_forms import (
    ON_LIST_AND_FORM,
    OptionalReasonForm,
    QueueActionForm,
    action_form_response,
    episode_choices,
    run_for_each,
    start_of_day,
)
from .models import ModerationLog, Report

QUEUE_ITEMS_PER_PAGE = 20

# The queue shows block spoilers expanded: moderators must see what they judge.
# body_html is sanitized with a fixed class allow-list, so this exact tag is
# the only form a block spoiler's opening tag can take.
_CLOSED_BLOCK_SPOILER = '<details class="spoiler-block">'
_OPEN_BLOCK_SPOILER = '<details class="spoiler-block" open>'


def expanded_spoilers(body_html):
    return mark_safe(body_html.replace(_CLOSED_BLOCK_SPOILER, _OPEN_BLOCK_SPOILER))


def admin_change_url(item):
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])


class ReportStatusFilter(admin.SimpleListFilter):
    """Status filter that shows open reports unless told otherwise."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, (self.ALL, _("All"))]

    def choices(self, changelist):
        current = self.value() or Report.Status.OPEN
        for value, label in self.lookup_choices:
            yield {
                "selected": current == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Report.Status.OPEN
        if value == self.ALL:
            return queryset
        return queryset.filter(status=value)


@dataclass
class QueueItem:
    """One reported item in the queue, with all its open reports."""

    kind: str
    item: object
    report_count: int
    reports: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.kind}-{self.item.pk}"

    @property
    def author(self):
        return services.item_author(self.item)

    @property
    def spoiler_level(self):
        return getattr(self.item, "spoiler_level", None)

    @property
    def is_hidden(self):
        return getattr(self.item, "is_hidden", False)

    @property
    def can_hide(self):
        return self.kind != "member"

    @property
    def body_html(self):
        if self.kind == "comment":
            return expanded_spoilers(self.item.body_html)
        if self.kind == "thread":
            return expanded_spoilers(self.item.opening_post_html or "")
        return ""

    @property
    def public_url(self):
        return self.item.get_absolute_url()

    @property
    def admin_url(self):
        return admin_change_url(self.item)

    @property
    def act_url(self):
        return reverse("admin:moderation_report_queue_act", args=[self.kind, self.item.pk])

    @property
    def reported_since(self):
        return min(report.created_at for report in self.reports) if self.reports else None


def build_queue_page(page_number):
    """A page of reported items, each with its open reports. Constant query count:
    the grouped page, its count, the reports, and one query per kind of item."""
    grouped = (
        Report.objects.open()
        .values("comment_id", "thread_id", "member_id")
        .annotate(report_count=Count("pk"), first_reported_at=Min("created_at"))
        .order_by("-report_count", "first_reported_at", "comment_id", "thread_id", "member_id")
    )
    page = Paginator(grouped, QUEUE_ITEMS_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    ids = {"comment": set(), "thread": set(), "member": set()}
    for row in rows:
        for kind in ids:
            if row[f"{kind}_id"] is not None:
                ids[kind].add(row[f"{kind}_id"])

    items = {}
    if ids["comment"]:
        for comment in Comment.objects.filter(pk__in=ids["comment"]).select_related(
            "author", "thread", "article"
        ):
            items["comment", comment.pk] = comment
    if ids["thread"]:
        opening_post = Comment.objects.filter(thread=OuterRef("pk")).order_by("pk")
        for thread in (
            Thread.objects.filter(pk__in=ids["thread"])
            .select_related("author", "board")
            .annotate(opening_post_html=Subquery(opening_post.values("body_html")[:1]))
        ):
            items["thread", thread.pk] = thread
    if ids["member"]:
        for member in get_user_model().objects.filter(pk__in=ids["member"]):
            items["member", member.pk] = member

    queue = {}
    for row in rows:
        kind = next(kind for kind in ids if row[f"{kind}_id"] is not None)
        item = items.get((kind, row[f"{kind}_id"]))
        if item is not None:
            queue[kind, item.pk] = QueueItem(kind, item, row["report_count"])
    if queue:
        reports = (
            Report.objects.open()
            .filter(
                Q(comment_id__in=ids["comment"])
                | Q(thread_id__in=ids["thread"])
                | Q(member_id__in=ids["member"])
            )
            .select_related("reporter")
            .order_by("created_at", "pk")
        )
        for report in reports:
            if report.comment_id:
                key = ("comment", report.comment_id)
            elif report.thread_id:
                key = ("thread", report.thread_id)
            else:
                key = ("member", report.member_id)
            if key in queue:
                queue[key].reports.append(report)
    return page, list(queue.values())


class ReadOnlyAdmin(admin.ModelAdmin):
    """Pages for looking only: nobody, superusers included, adds, changes or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "item",
        "reason",
        "reporter",
        "reported_author",
        "status",
        "resolved_by",
        "resolved_at",
    ]
    list_filter = [ReportStatusFilter, "reason", "created_at"]
    list_select_related = [
        "reporter",
        "reported_author",
        "resolved_by",
        "comment__author",
        "thread",
        "member",
    ]
    search_fields = ["details", "reporter__username", "reported_author__username", "resolution"]
    date_hierarchy = "created_at"
    fields = [
        "item",
        "reason",
        "details",
        "reporter",
        "reported_author",
        "created_at",
        "status",
        "resolved_by",
        "resolved_at",
        "resolution",
    ]
    readonly_fields = fields

    # Reports are made by members and closed from the queue (which records who,
    # when and why); the list and detail pages are for looking only (ReadOnlyAdmin).

    @admin.display(description=_("reported item"))
    def item(self, report):
        target = report.target
        return format_html(
            '<a href="{}">{}</a>', admin_change_url(target), services.target_repr(target)
        )

    def get_urls(self):
        return [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="moderation_report_queue",
            ),
            path(
                "queue/<str:kind>/<int:pk>/",
                self.admin_site.admin_view(require_POST(self.queue_act_view)),
                name="moderation_report_queue_act",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue_url": reverse("admin:moderation_report_queue"),
        }
        return super().changelist_view(request, extra_context)

    # --- The queue --------------------------------------------------------------------------

    def queue_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        page, items = build_queue_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Report queue"),
            "subtitle": None,
            "page_obj": page,
            "items": items,
            "episodes": episode_choices(),
            "can_act": request.user.has_perm("moderation.change_report"),
            "can_moderate_members": request.user.has_perm("moderation.moderate_members"),
            "changelist_url": reverse("admin:moderation_report_changelist"),
        }
        return TemplateResponse(request, "admin/moderation/report/queue.html", context)

    def _queue_item(self, kind, pk):
        models = {"comment": Comment, "thread": Thread, "member": get_user_model()}
        if kind not in models:
            raise Http404
        return get_object_or_404(models[kind], pk=pk)

    def queue_act_view(self, request, kind, pk):
        item = self._queue_item(kind, pk)
        back = HttpResponseRedirect(reverse("admin:moderation_report_queue"))
        form = QueueActionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return back
        try:
            message = self._act(request.user, item, form.cleaned_data)
        except (PermissionDenied, ValidationError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(
                request, text or gettext("You do not have permission to do this."), messages.ERROR
            )
            return back
        self.message_user(request, message, messages.SUCCESS)
        return back

    def _act(self, moderator, item, data):
        """Carry out one queue button; every path closes the item's open reports."""
        action = data["action"]
        reason = data["reason"].strip()
        label = services.target_repr(item)
        is_content = isinstance(item, Comment | Thread)
        if action == QueueActionForm.HIDE:
            if not is_content:
                raise ValidationError(gettext("Profiles cannot be hidden."))
            services.hide_item(item=item, moderator=moderator, reason=reason)
            resolution = gettext("Hidden.")
            done = gettext("Hid %(item)s.")
        elif action == QueueActionForm.RESPOIL:
            if not is_content:
                raise ValidationError(gettext("Profiles have no spoiler episode."))
            episode = data["episode"]
            services.respoil_item(
                item=item,
                episode_position=episode,
                moderator=moderator,
                # The author is told why (moderation.notices).
                reason=reason or gettext("Members reported it as a spoiler without a tag."),
            )
            # Re-tagging replaces hiding: content hidden automatically comes back,
            # now behind the right spoiler gate.
            if item.is_hidden:
                services.restore_item(
                    item=item,
                    moderator=moderator,
                    reason=gettext("Re-tagged as a spoiler instead of hidden."),
                )
            resolution = gettext("Marked as a spoiler for episode %(n)s.") % {"n": episode}
            done = gettext("Marked %(item)s as a spoiler for episode %(n)s.")
        elif action == QueueActionForm.DISMISS:
            # Reports found unfounded: content hidden automatically comes back.
            if is_content and item.is_hidden:
                services.restore_item(
                    item=item,
                    moderator=moderator,
                    reason=gettext("Reports dismissed."),
                )
            services.dismiss_reports(item=item, moderator=moderator, reason=reason)
            return gettext("Dismissed the reports about %(item)s.") % {"item": label}
        else:
            author = services.item_author(item)
            if author is None:
                raise ValidationError(gettext("The author's account no longer exists."))
            if action == QueueActionForm.WARN:
                services.warn_member(member=author, moderator=moderator, reason=reason)
                resolution = gettext("Warned the author.")
                done = gettext("Warned the author of %(item)s.")
            elif data["until"]:
                services.suspend_member(
                    member=author,
                    until=start_of_day(data["until"]),
                    moderator=moderator,
                    reason=reason,
                )
                resolution = gettext("Suspended the author until %(date)s.") % {
                    "date": data["until"].isoformat()
                }
                done = gettext("Suspended the author of %(item)s.")
            else:
                services.ban_member(member=author, moderator=moderator, reason=reason)
                resolution = gettext("Banned the author permanently.")
                done = gettext("Banned the author of %(item)s.")
            if is_content and data["also_hide"]:
                services.hide_item(item=item, moderator=moderator, reason=reason)
                resolution += " " + gettext("Hidden.")
        if reason:
            resolution += " " + reason
        services.resolve_reports(item=item, moderator=moderator, resolution=resolution)
        return done % {"item": label, "n": data["episode"]}


class PrettyJSONMixin:
    @staticmethod
    def _json(value):
        if value is None:
            return "—"
        text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)


@admin.register(ModerationLog)
class ModerationLogAdmin(PrettyJSONMixin, ReadOnlyAdmin):
    list_display = ["created_at", "moderator_name", "action", "target_repr", "reason"]
    # Only the people who appear in the log, not every member of the site.
    list_filter = [
        ("moderator", admin.RelatedOnlyFieldListFilter),
        "action",
        "target_type",
        "created_at",
    ]
    list_select_related = ["moderator"]
    search_fields = ["target_repr", "reason", "moderator__username"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "moderator_name",
        "action",
        "target_type",
        "target_id",
        "target_link",
        "reason",
        "before_json",
        "after_json",
    ]
    readonly_fields = fields
    actions = ["undo_guard_raises"]

    # Append-only, for everyone including superusers: entries are written by
    # fansite.moderation.services and can only be read here (ReadOnlyAdmin). Undoing
    # a spoiler guard's change writes a new entry; it never edits the old one.

    def has_undo_permission(self, request):
        return request.user.has_perms(["comments.change_comment", "threads.change_thread"])

    @admin.action(
        description=_("Undo the selected spoiler guard changes…"),
        permissions=["undo"],
        location=ON_LIST_AND_FORM,
    )
    def undo_guard_raises(self, request, queryset):
        entries = queryset.filter(action=ModerationLog.Action.GUARD_RAISE)

        def perform(data):
            run_for_each(
                self,
                request,
                entries,
                lambda entry: services.undo_guard_raise(
                    entry=entry, moderator=request.user, reason=data["reason"]
                ),
                done_message=ngettext_lazy(
                    "Undid %(count)d spoiler guard change.",
                    "Undid %(count)d spoiler guard changes.",
                    "count",
                ),
            )

        return action_form_response(
            self,
            request,
            entries,
            form_class=OptionalReasonForm,
            title=gettext("Undo spoiler guard changes"),
            description=gettext(
                "Each post goes back to the spoiler episode it had before the guard raised "
                "it, and so do the comments that rose with a thread (unless they changed "
                "since). The authors are told, with your reason. Only entries of the action "
                "“Spoiler guard raised spoiler episode” are undone."
            ),
            submit_label=gettext("Undo"),
            perform=perform,
        )

    @admin.display(description=_("moderator"), ordering="moderator__username")
    def moderator_name(self, entry):
        return entry.moderator.username if entry.moderator_id else gettext("(automatic)")

    @admin.display(description=_("target"))
    def target_link(self, entry):
        app_model = {
            "comment": "comments_comment",
            "thread": "threads_thread",
            "member": "users_user",
            "report": "moderation_report",
        }.get(entry.target_type)
        if app_model is None:
            return entry.target_repr
        url = reverse(f"admin:{app_model}_change", args=[entry.target_id])
        return format_html('<a href="{}">{}</a>', url, entry.target_repr)

    @admin.display(description=_("before"))
    def before_json(self, entry):
        return self._json(entry.before)

    @admin.display(description=_("after"))
    def after_json(self, entry):
        return self._json(entry.after)
