from django.apps import AppConfig


class FuneralConfig(AppConfig):
    name = "funeral"
