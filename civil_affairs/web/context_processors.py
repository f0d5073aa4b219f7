from typing import Any

from django.conf import settings
from django.http import HttpRequest

from civil_affairs.accounts.lines import serves


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The lines of work the user serves, for the navigation bar, and which one the page belongs to."""
    first_segment = request.path.strip("/").split("/", 1)[0]
    user = getattr(request, "user", None)
    return {
        "portal_sections": [(slug, title) for slug, title in settings.PORTAL_SECTIONS if serves(user, slug)],
        "current_section": first_segment,
    }
