"""The Celery app: broker and results in Redis (REDIS_URL), schedule in the database (django-celery-beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")

app = Celery("civil_affairs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The kernel's apps live under civil_affairs/, whose tasks modules autodiscovery may not reach by label.
app.autodiscover_tasks(["civil_affairs.audit"])
