"""Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python, so no GNU gettext is needed on the machine."""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the portal's translation catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args: object, **options: object) -> None:
        # The project's catalogue and each app's own (<app>/locale), which Django also reads.
        app_dirs = [Path(config.path) / "locale" for config in apps.get_app_configs()]
        project_root = Path(settings.BASE_DIR)
        own_app_dirs = [d for d in app_dirs if d.is_dir() and project_root in d.parents]
        for locale_dir in [*settings.LOCALE_PATHS, *own_app_dirs]:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                self.stdout.write(f"compiled {po_path}")
