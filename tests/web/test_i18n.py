"""Simplified Chinese by default, English on request (SPEC §2.5), and a complete zh_Hans catalogue."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
ZH_HANS_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_zh_hans_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(ZH_HANS_PO))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert catalogue.translated_entries(), f"{ZH_HANS_PO} has no translations"
    assert not untranslated, f"untranslated in {ZH_HANS_PO.name}: {untranslated}"
    assert not fuzzy, f"fuzzy in {ZH_HANS_PO.name}: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy, "the catalogue header is still marked fuzzy"


def test_login_page_is_in_simplified_chinese_by_default(client, db, compiled_catalogue):
    response = client.get("/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in html
    assert "用户名" in html
    assert "民政业务管理平台" in html  # only the portal's own catalogue has this one
    assert "Username" not in html


def test_choosing_english_shows_the_login_page_in_english(client, db, compiled_catalogue):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert switched.status_code == 302

    response = client.get("/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="en"' in html
    assert "Username" in html
    assert "Civil-affairs portal" in html
    assert "用户名" not in html
