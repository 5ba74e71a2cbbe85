"""The administrator's menu, the longest of the roles', never wraps: what does not fit on one
line moves into a "More" drop-down, from where it still opens its page."""

from __future__ import annotations

from ..factories import TEST_PASSWORD
from .conftest import sign_in

ONE_LINE = """() => {
  const items = [...document.querySelectorAll("#main-menu > li:not(.d-none)")];
  return new Set(items.map((item) => item.offsetTop)).size === 1;
}"""


def test_the_administrators_menu_fits_or_folds_into_more(page, admin_user, viewport, language):
    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto("/")
    entries = page.locator("#main-menu a.nav-link, #main-menu a.dropdown-item").count()
    if viewport == "phone":
        # The phone's collapsed menu lists every entry; nothing is folded away.
        page.click(".navbar-toggler")
        assert page.locator("#main-menu-more").is_hidden()
        return
    assert page.evaluate(ONE_LINE)
    folded = page.locator("#main-menu-more li[data-moved] a")
    if folded.count():
        target = folded.last.get_attribute("href")
        page.click("#main-menu-more > a")
        with page.expect_navigation():
            folded.last.click()
        assert page.url.endswith(target)
    # Folding moves entries; it neither loses nor doubles one.
    page.goto("/")
    assert page.locator("#main-menu a.nav-link, #main-menu a.dropdown-item").count() == entries
