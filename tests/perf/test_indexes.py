"""Only the indexes a query needs (issue 15): every index on the assistance tables is named in the README
with the query it serves, and the README names no index that is not there."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"


def indexes_in_readme():
    text = README.read_text(encoding="utf-8")
    section = text.split("### Indexes on the assistance tables", 1)[1].split("\n###", 1)[0]
    names = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            assert cells[2], f"no query named for {cells[1]}"
            names.update(re.findall(r"`([a-z0-9_]+)`", cells[1]))
    return names


def indexes_in_database():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'assistance\\_%'"
        )
        return {name for (name,) in cursor.fetchall()}


def test_every_index_on_the_assistance_tables_is_named_in_the_readme_with_its_query():
    assert indexes_in_database() == indexes_in_readme()


def test_the_enrollments_keep_one_index_on_their_division_and_room_for_hot_updates():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'assistance_enrollment' AND indexdef LIKE '%%division_id%%'"
        )
        on_division = [definition for (definition,) in cursor.fetchall()]
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'assistance_enrollment'")
        (options,) = cursor.fetchone()

    assert len(on_division) == 1 and "varchar_pattern_ops" in on_division[0]
    assert options == ["fillfactor=50"]
