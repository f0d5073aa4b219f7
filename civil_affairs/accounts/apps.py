from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civil_affairs.accounts"
    label = "accounts"
