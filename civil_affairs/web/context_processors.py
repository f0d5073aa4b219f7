from typing import Any

from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The five lines of work for the navigation bar, and which one the page belongs to."""
    first_segment = request.path.strip("/").split("/", 1)[0]
    return {"portal_sections": settings.PORTAL_SECTIONS, "current_section": first_segment}
