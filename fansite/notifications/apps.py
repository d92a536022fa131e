from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "fansite.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from fansite.comments.services import comment_posted
        from fansite.web import markdown

        from . import mail, mentions, tasks  # noqa: F401 (mail registers its digest part)

        # "@name" in posts links to members' profiles (fansite.web.markdown).
        markdown.set_mention_resolver(mentions.profile_urls)
        # Each post's notifications are written by a task, after its transaction commits.
        comment_posted.connect(tasks.fan_out_on_commit, dispatch_uid="notifications_fan_out")
