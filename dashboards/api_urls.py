"""The dashboards' API routes under ``/api/v1/dashboards/`` (mounted by civil_affairs/api/urls.py)."""

from django.urls import path

from .api import SummaryView

urlpatterns = [path("summary/", SummaryView.as_view(), name="dashboards-summary")]
