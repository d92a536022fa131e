from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from fansite.web import pagecache

PRIVATE_FIELDS = frozenset({"last_login", "time_zone"})


def _member_changed(sender, instance, update_fields=None, created=False, **kwargs):
    # A new member appears on no page yet (sign-ups must not empty the cache),
    # logging in only records last_login, which no page shows, and a member's
    # time zone is part of their pages' key (fansite.web.pagecache) already.
    if created or (update_fields is not None and set(update_fields) <= PRIVATE_FIELDS):
        return
    pagecache.bump(pagecache.SITE)


class UsersConfig(AppConfig):
    name = "fansite.users"
    verbose_name = _("Members")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .models import User

        post_save.connect(_member_changed, sender=User, dispatch_uid="pagecache-user")
        post_delete.connect(_member_changed, sender=User, dispatch_uid="pagecache-d-user")
