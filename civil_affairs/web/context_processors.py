from typing import Any

from django.conf import settings
from django.http import HttpRequest

from civil_affairs.accounts.permissions import may


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The lines of work the user serves, for the navigation bar, and which one the page belongs to."""
    first_segment = request.path.strip("/").split("/", 1)[0]
    user = getattr(request, "user", None)
    return {
        # Only the lines whose pages the user may read: a viewer reads them on the dashboard instead.
        "portal_sections": [
            (slug, title) for slug, title in settings.PORTAL_SECTIONS if may(user, f"read_{slug}")
        ],
        "current_section": first_segment,
    }
