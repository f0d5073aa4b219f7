"""Screenshots of the portal's main screens at an office screen's width and a phone's (issue 14).

Run it against a portal with the demo data (``make run`` in another terminal, or any address):

    .venv/bin/python docs/screenshots.py                       # http://127.0.0.1:8000 → docs/screenshots/
    .venv/bin/python docs/screenshots.py --base-url http://127.0.0.1:8013

It signs in as the demo accounts (civil_affairs/demo.py), opens each screen in Debian's Chromium (Playwright,
as the browser tests do; $CHROMIUM_PATH overrides /usr/bin/chromium) at 1366×768 and 390×844, and writes
``<screen>-desktop.png`` and ``<screen>-phone.png``: the first screenful of each page, so the files stay small.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, sync_playwright

DEMO_PASSWORD = "demo-pass-2024"  # noqa: S105 - the documented demo credential (SPEC §1)
SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844},
}


def first_link(list_path: str, pattern: str) -> Callable[[Page], str]:
    """The address of the first link on a list page whose address matches ``pattern`` (a detail page)."""

    def find(page: Page) -> str:
        page.goto(list_path)
        for href in page.locator("main a").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        ):
            if href and re.fullmatch(pattern, href):
                return href
        raise SystemExit(f"no link matching {pattern} on {list_path}: is the demo data loaded?")

    return find


# (file name, demo account or "" for nobody, address or a function finding it)
PAGES: list[tuple[str, str, Any]] = [
    ("login", "", "/login/"),
    ("caseworker-home", "mingshui_caseworker", "/"),
    ("people-list", "mingshui_caseworker", "/people/"),
    ("assistance-review-queue", "district_reviewer", "/assistance/review/"),
    ("assistance-enrollments", "mingshui_caseworker", "/assistance/enrollments/"),
    ("marriage-registrations", "marriage_registrar", "/marriage/registrations/"),
    (
        "eldercare-facility",
        "mingshui_caseworker",
        first_link("/eldercare/alerts/", r"/eldercare/facilities/\d+/"),
    ),
    ("funeral-deaths", "funeral_officer", "/funeral/deaths/"),
    ("community-staffing", "community_officer", "/community/staffing/"),
    ("audit-log", "admin", "/audit/"),
]


def sign_in(page: Page, username: str) -> None:
    page.context.clear_cookies()
    if not username:
        return
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--lang=zh-CN"]
        )
        for screen, viewport in SCREENS.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport, base_url=args.base_url)
            page = context.new_page()
            for name, username, address in PAGES:
                sign_in(page, username)
                path = address(page) if callable(address) else address
                page.goto(path)
                target = args.out / f"{name}-{screen}.png"
                page.screenshot(path=str(target))
                print(f"{target}  ({username or 'signed out'}, {path})")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
