import pytest


@pytest.fixture(autouse=True)
def audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain in its own file: the events of a rolled-back test are gone, and
    anchors of them would read as a cut tail in the next test."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit-anchors.log"
    return settings.AUDIT_ANCHOR_PATH
