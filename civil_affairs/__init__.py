"""The civil-affairs case-management portal: project package and shared kernel."""

from .celery import app as celery_app

__all__ = ["celery_app"]
