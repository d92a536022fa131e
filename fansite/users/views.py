from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm
from .services import update_profile

User = get_user_model()

# How many of a member's articles their profile lists.
PROFILE_ARTICLE_COUNT = 10


def published_articles_by(member):
    """The member's latest published articles, or None while there is no Article model.

    The articles app is built alongside this one; looking the model up lazily
    keeps profiles working before (and without) it.
    """
    try:
        article_model = apps.get_model("articles", "Article")
    except LookupError:
        return None
    return list(article_model.objects.published().filter(author=member)[:PROFILE_ARTICLE_COUNT])


def profile_detail(request, username):
    member = get_object_or_404(User.objects.filter(is_active=True), username__iexact=username)
    if member.username != username:
        # One address per member: /members/ALICE/ redirects to /members/alice/.
        return redirect(member, permanent=True)
    return render(
        request,
        "users/profile_detail.html",
        {"member": member, "articles": published_articles_by(member)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    member = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            update_profile(
                member=member,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data.get("remove_avatar", False),
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect(member)
    else:
        form = ProfileForm(member=member)
    return render(request, "users/profile_edit.html", {"form": form, "member": member})
