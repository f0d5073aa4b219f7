"""Chinese copy on every page (issue 14 #3): full-width punctuation in Chinese text, the role shown once in the
top bar, a refusal shown once, field errors that say which field, and a skip-to-content link."""

import re
from pathlib import Path

import polib
import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.shortcuts import render
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from civil_affairs.accounts.models import Role
from civil_affairs.people.models import Person
from civil_affairs.web.actions import errors_as_messages

ROOT = Path(__file__).resolve().parents[2]
# The portal's own catalogues: the project's and each app's (not the packages' under .venv).
CATALOGUES = sorted(
    path
    for pattern in ("locale", "*/locale", "civil_affairs/*/locale")
    for path in ROOT.glob(f"{pattern}/zh_Hans/LC_MESSAGES/django.po")
)
CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
# A half-width , : ; ? ! ( or ) touching Chinese text.
HALF_WIDTH_IN_CHINESE = re.compile(rf"{CJK}\s*[,:;?!()]|[,:;?!()]\s*{CJK}")


class ApplicantForm(forms.Form):
    name = forms.CharField(label="申请人姓名")
    village = forms.ChoiceField(label="村（社区）", choices=[("", "---"), ("1", "明水村")])
    born = forms.DateField(label="出生日期", required=False)
    agrees = forms.BooleanField(label="本人承诺所填属实")


def render_fields(form):
    return Template('{% for field in form %}{% include "_field.html" %}{% endfor %}').render(
        Context({"form": form})
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_chinese_translations_use_full_width_punctuation(path):
    offending = [
        entry.msgstr or next(iter(entry.msgstr_plural.values()), "")
        for entry in polib.pofile(str(path))
        if any(HALF_WIDTH_IN_CHINESE.search(text) for text in [entry.msgstr, *entry.msgstr_plural.values()])
    ]

    assert offending == []


def test_a_required_field_left_empty_says_which_field(compiled_catalogue):
    with translation.override("zh-hans"):
        html = render_fields(ApplicantForm({"born": "2026-13-45"}))

    assert "请填写申请人姓名" in html
    assert "请选择村（社区）" in html
    assert "请勾选“本人承诺所填属实”" in html
    assert "出生日期：输入一个有效的日期。" in html
    assert "该字段是必填项" not in html


def test_a_rules_own_message_is_shown_as_it_is(compiled_catalogue):
    form = ApplicantForm({"name": "张三", "village": "1", "agrees": "on"})
    form.is_valid()
    form.add_error("name", "此人已在本户登记。")

    html = render_fields(form)

    assert '<p class="field-error" id="id_name_error" role="alert">此人已在本户登记。</p>' in html


def test_errors_shown_above_a_page_name_their_field(rf, compiled_catalogue):
    request = rf.post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    form = ApplicantForm({"village": "1", "agrees": "on"})
    form.is_valid()

    with translation.override("zh-hans"):
        errors_as_messages(request, form)

    assert [str(message) for message in get_messages(request)] == ["请填写申请人姓名"]


def test_a_refusal_beside_its_field_is_not_repeated_above_the_page(db, compiled_catalogue):
    request = RequestFactory().get("/people/new/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    form = ApplicantForm({"name": "张三", "village": "1", "agrees": "on"})
    form.is_valid()
    form.add_error("name", "此人已在本户登记。")
    request._messages.add(constants.ERROR, "此人已在本户登记。")
    request._messages.add(constants.SUCCESS, "另一条消息。")

    html = render(request, "people/form.html", {"form": form, "title": "登记"}).content.decode()

    assert html.count("此人已在本户登记。") == 1
    assert "另一条消息。" in html


def test_the_top_bar_names_the_role_once(client, make_user, compiled_catalogue):
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114", "district_reviewer")
    reviewer.first_name = "区级审核员"
    reviewer.save()
    town_caseworker = make_user(Role.CASEWORKER, "370114001", "mingshui_caseworker")
    town_caseworker.first_name = "明水街道经办人"
    town_caseworker.save()

    client.force_login(reviewer)
    reviewer_bar = re.search(r'<span class="who">(.*?)</span>', client.get("/").content.decode()).group(1)
    client.force_login(town_caseworker)
    caseworker_bar = re.search(r'<span class="who">(.*?)</span>', client.get("/").content.decode()).group(1)

    assert reviewer_bar == "区级审核员 · 章丘区"
    assert caseworker_bar == "明水街道经办人"


def test_brackets_and_colons_are_full_width_in_chinese_only(compiled_catalogue):
    template = Template(
        '{% load i18n portal %}已办结{{ on|paren }}，{% translate "Balance" %}{% colon %}¥1.00{{ none|paren }}'
    )

    with translation.override("zh-hans"):
        chinese = template.render(Context({"on": "2026-03-01", "none": None}))
    with translation.override("en"):
        english = template.render(Context({"on": "2026-03-01", "none": None}))

    assert chinese.endswith("已办结（2026-03-01），余额：¥1.00")
    assert english.endswith("已办结 (2026-03-01)，Balance: ¥1.00")


def test_a_person_reads_with_the_masked_number_in_full_width_brackets():
    person = Person(name="张秀英", id_number="11010519491231002X")

    assert str(person) == "张秀英（110105********002X）"


def test_every_page_starts_with_a_link_to_its_content(client, db, compiled_catalogue):
    html = client.get("/login/").content.decode()

    body = html[html.index("<body>") :]
    assert body.index('<a class="skip-link" href="#content">跳到正文</a>') < body.index("<header")
    assert '<main id="content" tabindex="-1">' in html
