from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "civil_affairs.audit"
    label = "audit"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
