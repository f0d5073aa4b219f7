from django.apps import AppConfig


class EldercareConfig(AppConfig):
    name = "eldercare"
