"""Fill in Comment.reaction_total, Comment.top_score and Thread.reaction_total from
the reactions already given."""

from django.db import migrations
from django.db.models import Count

from fansite.reactions.scoring import top_score


def fill_totals(apps, schema_editor):
    Reaction = apps.get_model("reactions", "Reaction")
    Comment = apps.get_model("comments", "Comment")
    Thread = apps.get_model("threads", "Thread")
    totals = dict(
        Reaction.objects.values_list("comment_id").annotate(n=Count("pk")).order_by()
    )
    threads = {}
    for comment in Comment.objects.filter(pk__in=list(totals)).only("pk", "created_at", "thread_id"):
        n = totals[comment.pk]
        comment.reaction_total = n
        comment.top_score = top_score(n, comment.created_at)
        comment.save(update_fields=["reaction_total", "top_score"])
        if comment.thread_id:
            threads[comment.thread_id] = threads.get(comment.thread_id, 0) + n
    for pk, n in threads.items():
        Thread.objects.filter(pk=pk).update(reaction_total=n)


class Migration(migrations.Migration):
    dependencies = [
        ("reactions", "0002_reaction_kinds"),
        ("comments", "0004_reaction_totals"),
        ("threads", "0005_reaction_totals"),
    ]

    operations = [migrations.RunPython(fill_totals, migrations.RunPython.noop)]
