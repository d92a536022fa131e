from django.core.management.base import BaseCommand

from fansite.articles.services import rerender_articles


class Command(BaseCommand):
    help = "Render every article's Markdown body to HTML again, e.g. after a renderer upgrade."

    def handle(self, *args, **options):
        changed = rerender_articles()
        self.stdout.write(self.style.SUCCESS(f"Re-rendered articles: {changed} changed."))
