"""Load the demo data of every app, idempotently (SPEC §1: `make run` runs it on each start)."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

from civil_affairs import demo
from civil_affairs.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create the demo divisions, accounts and records; running it again creates nothing twice."

    def handle(self, *args: object, **options: object) -> None:
        demo.load(self.stdout)
        # Each line of work may ship a demo module of its own (<app>/demo.py with load(out)); the reports
        # that read every line (dashboards) come after them.
        for app in [*(section for section, _title in settings.PORTAL_SECTIONS), *settings.REPORT_APPS]:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.load(self.stdout)
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for username, role, code, _name, _lines in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<24} {role.label!s:<20} {code}")
