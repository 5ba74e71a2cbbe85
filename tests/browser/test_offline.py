"""LoanWatch on a phone without a network: installable, the visit form opens offline with the
draft typed on the device, a submission made offline waits in a visible queue and is stored
exactly once when the network returns — even when an answer is lost and it is sent again — and
its photo shows how far from the customer it was taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.customers.factories import CustomerFactory
from tests.visits.factories import ready_visit
from tests.visits.photo_files import jpeg
from visits import services
from visits.models import EvidenceFile, Visit
from visits.schedule.services import task_raise

from ..factories import TEST_PASSWORD
from .conftest import sign_in

# Requests that fail for want of a network are reported on the console (the notification badge's
# by htmx); here they are expected.
NETWORK_NOTES = ("Failed to load resource", "net::ERR_", "htmx:sendError", "htmx:afterRequest")
expect.set_options(timeout=15_000)
WAITING = {"zh": "等待发送", "en": "waiting to send"}
# The first answer was lost: the second send is told the visit had already arrived.
ALREADY = {"zh": "此前已送达，只保存了一次", "en": "had already arrived; stored once"}
DISTANCE = {"zh": "公里", "en": "km from the customer"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _controlled(page) -> None:
    """Wait until the service worker controls the page."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("language", ["en"])
def test_the_app_is_installable(page, officer, viewport, language):
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert page.evaluate(f"fetch('{icon['src']}').then(r => r.ok && "
                             "r.headers.get('content-type'))") == "image/png"
    # Chromium's own verdict: nothing keeps the app from the home screen but the test
    # browser's private (incognito) context itself, and its manifest parses without a problem.
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
    parsed = cdp.send("Page.getAppManifest")
    assert parsed["errors"] == [], parsed["errors"]
    assert parsed["url"].endswith("/manifest.webmanifest")
    worker = page.evaluate("fetch('/sw.js').then(r => r.headers.get('service-worker-allowed'))")
    assert worker == "/"


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
def test_offline_the_form_opens_and_a_submission_is_stored_once(page, officer, viewport,
                                                                language, tmp_path):
    customer = CustomerFactory(officer=officer, latitude=Decimal("31.230416"),
                               longitude=Decimal("121.473701"))
    visit = ready_visit(customer=customer, visited_on=date.today())
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/visits/{visit.pk}/edit/")
    _controlled(page)
    # The page and its files are kept on the device for this officer.
    expect(page.locator("body")).to_have_attribute("data-offline-kept", "1")

    page.context.set_offline(True)
    page.click("button[data-bs-target='#sec-q10']")
    page.fill("[name=summary]", "离线填写：仓库满")
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "offline")
    page.reload()
    # The kept form, and the answers typed offline, restored from the device.
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#restore-offer")).to_be_visible()
    page.click("#restore-yes")
    page.click("button[data-bs-target='#sec-q10']")
    expect(page.locator("[name=summary]")).to_have_value("离线填写：仓库满")

    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg(lat=31.2350, lon=121.4737,
                           taken=date.today().strftime("%Y:%m:%d") + " 10:15:00"))
    page.click("button[data-bs-target='#sec-evidence']")
    page.set_input_files("#id_evidence_files", str(photo))
    page.click("button[name=action][value=submit]")
    queue = page.locator("#send-queue")
    expect(queue).to_be_visible()
    expect(page.locator("#send-queue-count")).to_have_attribute("data-count", "1")
    assert WAITING[language] in queue.inner_text()
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DRAFT

    # Back online, the first send reaches the server but its answer is lost: the queue tries
    # again with the same key, and the server recognises it.
    sends = []

    def lose_first_answer(route):
        sends.append(route.request.url)
        response = route.fetch()
        if len(sends) == 1:
            route.abort("connectionreset")
        else:
            route.fulfill(response=response)

    page.context.route("**/send/", lose_first_answer)
    page.context.set_offline(False)
    expect(page.locator(".queue-sent")).to_contain_text(ALREADY[language], timeout=30_000)
    expect(page.locator("#send-queue-count")).to_have_attribute("data-count", "0")
    assert len(sends) >= 2
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.summary == "离线填写：仓库满"
    assert EvidenceFile.objects.filter(visit=visit).count() == 1

    # The photo's EXIF position, measured against the customer's location.
    page.goto(f"/visits/{visit.pk}/")
    distance = page.locator(".photo-distance")
    expect(distance).to_contain_text(DISTANCE[language])
    assert "0.51" in distance.inner_text()


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("language", ["zh"])
def test_the_plans_customers_are_kept_for_the_day_without_network(page, officer, officer_b,
                                                                  viewport, language):
    customers = [CustomerFactory(officer=officer, name=f"计划客户{n}") for n in range(2)]
    for customer in customers:
        task_raise(customer=customer, reason="manual", due_on=date.today())
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/schedule/")
    _controlled(page)
    page.click("#offline-keep-links")
    expect(page.locator("#offline-keep-links")).to_have_attribute("data-state", "kept")
    page.context.set_offline(True)
    for customer in customers:
        page.goto(f"/customers/{customer.pk}/")
        expect(page.locator("h1")).to_contain_text(customer.name)
        expect(page.locator("#offline-banner")).to_be_visible()
    # A page never opened or kept is not there: a plain note, not another user's copy.
    page.goto("/customers/")
    expect(page.locator("#offline-missing")).to_be_visible()

    # Signed out and another officer signed in: the first officer's pages are gone.
    page.context.set_offline(False)
    page.goto("/")
    with page.expect_navigation():
        page.evaluate("document.getElementById('sign-out').closest('form').submit()")
    # The sign-in page, with nobody signed in, has the worker forget every kept page.
    page.wait_for_function("caches.keys().then(names => !names.some("
                           "name => name.startsWith('loanwatch-pages-')))")
    sign_in(page, officer_b.username, TEST_PASSWORD)
    page.goto("/")
    _controlled(page)
    gone = f"caches.keys().then(names => !names.includes('loanwatch-pages-{officer.pk}'))"
    page.wait_for_function(gone)
    page.context.set_offline(True)
    page.goto(f"/customers/{customers[0].pk}/")
    expect(page.locator("#offline-missing")).to_be_visible()


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.parametrize("language", ["en"])
def test_a_visit_changed_while_its_submission_waited_is_not_overwritten(page, officer, viewport,
                                                                        language):
    visit = ready_visit(customer=CustomerFactory(officer=officer), visited_on=date.today())
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/visits/{visit.pk}/edit/")
    _controlled(page)
    expect(page.locator("body")).to_have_attribute("data-offline-kept", "1")
    page.context.set_offline(True)
    page.click("button[data-bs-target='#sec-q10']")
    page.fill("[name=summary]", "phone: stock is low")
    page.click("button[name=action][value=submit]")
    expect(page.locator("#send-queue-count")).to_have_attribute("data-count", "1")
    # Meanwhile the draft is changed at the branch, on a computer.
    services.visit_save(visit=visit, acting_user=officer, data={"summary": "desk: stock is fine"},
                        expected_version=visit.version)
    page.context.set_offline(False)
    entry = page.locator(".queue-entry[data-state=conflict]")
    expect(entry).to_contain_text("Nothing was overwritten", timeout=30_000)
    expect(entry.locator("a", has_text="Open the form")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT
    assert visit.summary == "desk: stock is fine"
