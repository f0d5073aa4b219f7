from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "civil_affairs.audit"
    label = "audit"
