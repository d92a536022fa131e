from django.core.management.base import BaseCommand
from django.db import transaction

from fansite.search.indexing import reindex_all


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database. Not needed in normal running "
        "(every save updates it); for recovery, or after loading data in bulk."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = reindex_all(say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} documents."))
