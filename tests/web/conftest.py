"""Fixtures of the kernel's page tests."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def compiled_catalogue(settings):
    """The .mo files are git-ignored: compile them as `make test` does, then have Django reload its catalogues."""
    call_command("compile_translations", stdout=io.StringIO())
    # Assigning LOCALE_PATHS, even unchanged, clears Django's cached catalogues.
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
