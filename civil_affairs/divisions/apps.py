from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "civil_affairs.divisions"
    label = "divisions"
