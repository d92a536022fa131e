from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fansite.core"
    verbose_name = "Core"

    def ready(self):
        from . import signals

        signals.connect()
