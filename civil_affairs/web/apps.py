from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civil_affairs.web"
    label = "web"
