"""A known filter with an invalid value answers 400 on every line's lists (SPEC §3), not the unfiltered list."""

import pytest

from civil_affairs.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/eldercare/hazards/?overdue=maybe",
        "/api/v1/eldercare/alerts/?open=maybe",
        "/api/v1/eldercare/facilities/?has_escrow_account=maybe",
        "/api/v1/funeral/deaths/?cremated=maybe",
        "/api/v1/people/?is_deceased=maybe",
    ],
)
def test_an_invalid_boolean_filter_is_a_400(api_as, make_user, divisions, url):
    response = api_as(make_user(Role.ADMINISTRATOR, "370114")).get(url)

    assert response.status_code == 400, response.content
