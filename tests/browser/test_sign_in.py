"""Each role signs in, lands on its home page in the browser's language, and signs out."""

from __future__ import annotations

import pytest

from ..factories import TEST_PASSWORD
from .conftest import sign_in

HOME = {"officer": "#officer-home", "supervisor": "#supervisor-home", "admin_user": "#admin-home"}
SIGN_IN = {"zh": "登录", "en": "Sign in"}
SIGN_OUT = {"zh": "退出登录", "en": "Sign out"}


@pytest.mark.parametrize("persona", sorted(HOME))
def test_role_signs_in_to_its_home_and_out(page, request, persona, language, viewport):
    user = request.getfixturevalue(persona)
    page.goto("/")
    assert SIGN_IN[language] in page.title()
    sign_in(page, user.username, TEST_PASSWORD)
    assert page.locator(HOME[persona]).is_visible()
    if viewport == "phone":  # the menu folds behind the toggler on a phone
        page.click(".navbar-toggler")
        # The menu slides open; a click during the slide can land before the items are there.
        page.locator(".navbar-collapse.show").wait_for()
    page.click("#user-menu")
    page.locator("#sign-out").wait_for(state="visible")
    assert page.locator("#sign-out").inner_text() == SIGN_OUT[language]
    page.click("#sign-out")
    page.wait_for_url("**/accounts/login/**")


def test_language_switcher_overrides_the_browser(page, officer, language, viewport):
    sign_in(page, officer.username, TEST_PASSWORD)
    other = "en" if language == "zh" else "zh-hans"
    if viewport == "phone":
        page.click(".navbar-toggler")
        page.locator(".navbar-collapse.show").wait_for()
    page.click("#language-menu")
    page.click(f"button[name=language][value={other}]")
    page.wait_for_load_state()
    expected = "My work" if other == "en" else "我的工作"
    assert expected in page.title()
