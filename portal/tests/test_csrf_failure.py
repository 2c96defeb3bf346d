"""A form posted from a stale page (the CSRF token changed since it was opened) gets a portal page, not Django's."""

import re

import pytest
from django.conf import settings
from django.test import Client

from cases.tests.factories import draft_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(catalog):
    return draft_case(contact_name="Pat Office")


@pytest.fixture
def stale_tab(signed_in_client, case):
    """A tab showing the case's contact step, whose token went stale when the user signed out and in again in
    another tab of the same browser (the two clients share one cookie jar). Returns (tab, path, token)."""
    user = case.created_by
    browser = signed_in_client(user)
    tab = Client(enforce_csrf_checks=True)
    tab.cookies = browser.cookies
    path = f"/cases/{case.request_id}/step/contact/"
    page = tab.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    browser.post("/accounts/logout/")
    login = browser.post("/accounts/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert login.status_code == 302
    signed_in_client(user, client=browser)
    return tab, path, token


def post_stale(stale_tab, referer):
    tab, path, token = stale_tab
    return tab.post(
        path, {"csrfmiddlewaretoken": token, "contact_name": "Dana Wright"}, HTTP_REFERER=referer, follow=False
    )


def test_a_stale_token_gets_the_portal_page_with_navigation_and_a_link_back(stale_tab, case):
    tab, path, _ = stale_tab
    response = post_stale(stale_tab, f"http://testserver{path}")
    assert response.status_code == 403
    assert response.templates[0].name == "csrf_failure.html"
    page = response.content.decode()
    assert "CSRF verification failed" not in page
    assert '<nav class="upx-nav" aria-label="Main">' in page
    assert "signed out and in again" in page
    assert "already saved are kept" in page
    assert f'<a href="{path}">Go back to the page</a>' in page

    # Nothing was saved from the stale post; following the link shows the step as it was saved.
    case.refresh_from_db()
    assert case.contact_name == "Pat Office"
    step = tab.get(path)
    assert step.status_code == 200 and 'value="Pat Office"' in step.content.decode()


def test_the_link_back_keeps_the_query_string_of_the_page(stale_tab):
    _, path, _ = stale_tab
    page = post_stale(stale_tab, f"http://testserver{path}?filter=Ok").content.decode()
    assert f'<a href="{path}?filter=Ok">Go back to the page</a>' in page


@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/cases/",
        "//evil.example/cases/",
        "http://testserver//evil.example/cases/",
        "http://testserver/\\evil.example/cases/",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_referer_from_another_site_is_not_linked(stale_tab, referer):
    response = post_stale(stale_tab, referer)
    assert response.status_code == 403
    page = response.content.decode()
    assert "evil.example" not in page and "javascript:" not in page
    assert '<a href="/">Go to the home page</a>' in page
    assert "Go back to the page" not in page


def test_a_signed_out_visitor_gets_the_same_page():
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(
        "/accounts/login/", {"username": "nobody", "password": "x"}, HTTP_REFERER="http://testserver/accounts/login/"
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert '<a href="/accounts/login/">Go back to the page</a>' in page
    assert 'class="upx-nav__login"' in page
