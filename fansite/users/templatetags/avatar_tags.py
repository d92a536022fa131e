from django import template

from fansite.users.avatars import avatar_html

register = template.Library()


@register.simple_tag
def avatar(member, size):
    """``{% avatar member 48 %}``: the uploaded avatar or the generated initials."""
    return avatar_html(member, int(size))


@register.filter
def avatar_url(member, size):
    """``{{ member|avatar_url:48 }}``: the rendition for ``size`` CSS pixels."""
    return member.avatar_url(int(size))


@register.filter
def avatar_srcset(member, size):
    """A ``srcset`` value offering a sharper rendition to high-density screens.

    Empty when no larger rendition exists, or the member has no uploaded avatar.
    """
    size = int(size)
    if not member.has_avatar:
        return ""
    standard, double = member.avatar_url(size), member.avatar_url(size * 2)
    if double == standard:
        return ""
    return f"{standard} 1x, {double} 2x"
