from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "civil_affairs.api"
    label = "api"
