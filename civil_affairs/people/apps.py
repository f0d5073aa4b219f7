from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "civil_affairs.people"
    label = "people"
