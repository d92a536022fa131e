from django.core.management.base import BaseCommand

from fansite.comments.services import rerender_comments


class Command(BaseCommand):
    help = (
        "Render every comment's Markdown body to HTML again, e.g. after a renderer change "
        "(comments that quote spoilers by reference are left as they are)."
    )

    def handle(self, *args, **options):
        changed, skipped = rerender_comments()
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-rendered comments: {changed} changed, {skipped} quoting spoilers left as "
                "they are."
            )
        )
