"""A form sent after the session idled out is kept for its user, offered after signing in again,
and applied once; nobody else can see it."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from loanwatch.core.models import HeldPost
from tests.customers.factories import CustomerFactory
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:login"), {"username": user.username,
                                                       "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _edit_data(customer, **changes) -> dict:
    return {"kind": customer.kind, "name": customer.name, "identifier": customer.identifier,
            "phone": "13900139000", "version": customer.version, **changes}


def test_a_post_after_an_idle_out_is_kept_and_sent_after_signing_in(officer):
    customer = CustomerFactory(officer=officer)
    client = _signed_in(officer)
    url = reverse("customers:customer_edit", args=[customer.pk])
    client.get(url)
    Session.objects.all().delete()  # the session idled out while the officer typed

    response = client.post(url, _edit_data(customer), follow=True)
    assert "what you just sent is kept" in response.content.decode()
    customer.refresh_from_db()
    assert customer.phone == ""
    held = HeldPost.objects.get()
    assert held.user == officer and held.data["phone"] == ["13900139000"]
    assert "csrfmiddlewaretoken" not in held.data

    next_url = reverse("core:held_post", args=[held.token])
    assert next_url in response.redirect_chain[-1][0].replace("%2F", "/")
    signed = client.post(reverse("accounts:login") + f"?next={next_url}",
                         {"username": officer.username, "password": TEST_PASSWORD}, follow=True)
    page = signed.content.decode()
    assert "13900139000" in page and 'id="held-send"' in page
    form = re.search(r'<form method="post" action="([^"]+)" id="held-form">(.*?)</form>', page,
                     re.S)
    assert form.group(1) == url
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    applied = client.post(url, fields)
    assert applied.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "13900139000"
    assert not HeldPost.objects.exists()  # applied: nothing left to offer


def test_a_held_post_is_its_users_alone(officer, officer_b):
    held = HeldPost.objects.create(user=officer, token="b" * 32, path="/customers/new/",
                                   data={"name": ["甲公司"]})
    client = _signed_in(officer_b)
    assert client.get(reverse("core:held_post", args=[held.token])).status_code == 404
    assert _signed_in(officer).get(reverse("core:held_post",
                                           args=[held.token])).status_code == 200


def test_a_browser_never_signed_in_keeps_nothing(client):
    response = client.post(reverse("customers:customer_create"), {"name": "乙公司"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not HeldPost.objects.exists()


def test_signing_out_on_purpose_ends_the_offer(officer):
    client = _signed_in(officer)
    client.post(reverse("accounts:logout"))
    client.post(reverse("customers:customer_create"), {"name": "丙公司"})
    assert not HeldPost.objects.exists()


def test_discarding_deletes_it(officer):
    held = HeldPost.objects.create(user=officer, token="c" * 32, path="/customers/new/",
                                   data={"name": ["丁公司"]})
    client = _signed_in(officer)
    assert client.post(reverse("core:held_post", args=[held.token])).status_code == 302
    assert not HeldPost.objects.exists()
    assert not Customer.objects.filter(name="丁公司").exists()


def test_stay_signed_in_pushes_the_expiry(officer_client):
    assert officer_client.get(reverse("core:keep_alive")).status_code == 405
    response = officer_client.post(reverse("core:keep_alive"))
    assert response.json()["remaining"] == 30 * 60
    page = officer_client.get(reverse("core:home")).content.decode()
    remaining = int(re.search(r'data-remaining="(\d+)"', page).group(1))
    assert 29 * 60 <= remaining <= 30 * 60
