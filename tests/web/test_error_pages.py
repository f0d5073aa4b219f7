"""Browser error pages (SPEC §3): 400, 403, 404 and 500 are the portal's own, in its layout and the user's
language (Simplified Chinese by default), with a way home. DEBUG is off in the tests, as in production."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.urls import urlpatterns as portal_urlpatterns


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a forged request")


# The portal's URLs plus two that fail, for the 400 and 500 pages (pytest.mark.urls below).
urlpatterns = [path("fails/", _fails), path("suspicious/", _suspicious), *portal_urlpatterns]


def _in_the_layout_with_a_way_home(html: str) -> None:
    assert 'lang="zh-hans"' in html
    assert '<header class="topbar">' in html and "<footer>济南市章丘区民政局</footer>" in html
    assert '<a class="button primary" href="/">返回首页</a>' in html


def test_a_missing_page_is_the_portals_own_in_chinese_with_a_way_home(
    client, caseworker, compiled_catalogue, settings
):
    assert not settings.DEBUG
    client.force_login(caseworker)

    response = client.get("/assistance/applications/999999/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    _in_the_layout_with_a_way_home(html)
    assert '<nav class="sections"' in html  # the signed-in user keeps the navigation


def test_a_refused_page_is_the_portals_own_in_chinese_with_a_way_home(client, make_user, compiled_catalogue):
    client.force_login(make_user(Role.CASEWORKER, "370114", "registrar", lines=[Line.MARRIAGE]))

    response = client.get("/assistance/applications/new/")

    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html
    _in_the_layout_with_a_way_home(html)


def test_a_refusal_that_names_its_rule_shows_it(client, make_user, compiled_catalogue):
    # A reviewer's role may not take a caseworker's step: the engine's message, in Chinese, on the 403 page.
    from assistance import services
    from assistance.rules import Category
    from tests.assistance.factories import StandardFactory, household_with

    StandardFactory(category=Category.DIBAO_URBAN)
    caseworker = make_user(Role.CASEWORKER, "370114001")
    application = services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )
    client.force_login(make_user(Role.DISTRICT_REVIEWER, "370114"))

    response = client.post(f"/assistance/applications/{application.pk}/accept/")

    assert response.status_code == 403
    assert "您的角色无权执行此操作。" in response.content.decode()


def test_an_anonymous_visitor_gets_the_404_page_too(client, compiled_catalogue, db):
    response = client.get("/no-such-page/at-all/")

    assert response.status_code == 404
    _in_the_layout_with_a_way_home(response.content.decode())


@pytest.mark.urls("tests.web.test_error_pages")
def test_a_bad_request_is_the_portals_own_in_chinese(client, db, compiled_catalogue):
    response = client.get("/suspicious/")

    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html
    _in_the_layout_with_a_way_home(html)


@pytest.mark.urls("tests.web.test_error_pages")
def test_a_server_error_is_the_portals_own_in_chinese_without_the_database(client, db, compiled_catalogue):
    client.raise_request_exception = False

    response = client.get("/fails/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in html
    _in_the_layout_with_a_way_home(html)
