"""Photos keep their time and place: EXIF time and GPS from real JPEG and HEIC files, the phone's
position (sent with consent) for a photo without GPS, the distance from the customer's place on
the visit page, and an on-site visit whose photos all lie far away or on another day flagged
for the supervisor."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.customers.factories import CustomerFactory
from visits import photos, services
from visits.models import EvidenceFile, PositionSource, Visit

from .factories import ready_visit
from .photo_files import heic, jpeg

pytestmark = pytest.mark.django_db
# The customer's place, and points about 0.5 km and about 11 km from it.
HOME = (31.230416, 121.473701)
NEAR = (31.2350, 121.4737)
FAR = (31.3300, 121.4737)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PHOTO_FAR_KM = 1.0
    return tmp_path


def _customer(officer, place=HOME):
    lat, lon = place if place else (None, None)
    return CustomerFactory(officer=officer,
                           latitude=Decimal(str(lat)) if lat is not None else None,
                           longitude=Decimal(str(lon)) if lon is not None else None)


def _photo(visit, officer, data: bytes, name="现场.jpg", **position) -> EvidenceFile:
    return services.evidence_add(visit=visit, acting_user=officer, kind="other",
                                 upload=SimpleUploadedFile(name, data), **position)


def test_a_jpeg_keeps_its_exif_time_and_gps(officer):
    visit = ready_visit(customer=_customer(officer))
    evidence = _photo(visit, officer, jpeg(lat=NEAR[0], lon=NEAR[1],
                                           taken="2026:06:30 10:15:00"))
    evidence.refresh_from_db()
    assert evidence.position_source == PositionSource.EXIF
    assert (evidence.latitude, evidence.longitude) == (Decimal("31.235000"),
                                                       Decimal("121.473700"))
    # The camera's local time, in the bank's time zone (Asia/Shanghai, UTC+8).
    assert evidence.taken_at == datetime.datetime(2026, 6, 30, 2, 15, tzinfo=datetime.UTC)
    assert photos.distance_km(HOME, NEAR) == pytest.approx(0.51, abs=0.01)


def test_without_gps_the_phones_position_is_used_only_when_sent(officer):
    visit = ready_visit(customer=_customer(officer))
    plain = _photo(visit, officer, jpeg(taken=None), name="a.jpg")
    assert plain.position_source == PositionSource.NONE and plain.latitude is None
    at = datetime.datetime(2026, 6, 30, 3, 0, tzinfo=datetime.UTC)
    sent = _photo(visit, officer, jpeg(taken=None), name="b.jpg",
                  position=(Decimal("31.230500"), Decimal("121.473800")), position_at=at)
    assert sent.position_source == PositionSource.BROWSER
    assert sent.latitude == Decimal("31.230500") and sent.taken_at == at
    # A photo with its own GPS keeps it, whatever the phone says.
    own = _photo(visit, officer, jpeg(lat=FAR[0], lon=FAR[1]), name="c.jpg",
                 position=(Decimal("31.230500"), Decimal("121.473800")), position_at=at)
    assert own.position_source == PositionSource.EXIF
    assert own.latitude == Decimal("31.330000")
    # A PDF has no place.
    pdf = _photo(visit, officer, b"%PDF-1.4\nx", name="d.pdf",
                 position=(Decimal("31.230500"), Decimal("121.473800")), position_at=at)
    assert pdf.position_source == PositionSource.NONE


def test_an_iphone_heic_photo_is_accepted_with_a_jpeg_preview(officer):
    visit = ready_visit(customer=_customer(officer))
    evidence = _photo(visit, officer, heic(lat=NEAR[0], lon=NEAR[1]), name="IMG_0001.HEIC")
    assert evidence.content_type == "image/heic"
    assert evidence.position_source == PositionSource.EXIF
    assert evidence.preview
    with evidence.preview.open("rb") as preview:
        assert preview.read(3) == b"\xff\xd8\xff"
    client = Client()
    client.force_login(officer)
    shown = client.get(reverse("visits:evidence_download", args=[evidence.pk]) + "?preview=1")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content)[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize(("where", "taken", "flag"), [
    (NEAR, "2026:06:30 10:15:00", ""),
    (FAR, "2026:06:30 10:15:00", "far"),
    (NEAR, "2026:06:12 10:15:00", "other_day"),
    (FAR, "2026:06:12 10:15:00", "far_other_day"),
])
def test_an_on_site_visit_whose_photos_do_not_fit_is_flagged(officer, where, taken, flag):
    visit = ready_visit(customer=_customer(officer), visited_on=date(2026, 6, 30))
    _photo(visit, officer, jpeg(lat=where[0], lon=where[1], taken=taken))
    services.visit_submit(visit=visit, acting_user=officer)
    assert Visit.objects.get(pk=visit.pk).photo_flag == flag


def test_one_fitting_photo_is_enough_and_a_phone_visit_is_not_judged(officer):
    visit = ready_visit(customer=_customer(officer), visited_on=date(2026, 6, 30))
    _photo(visit, officer, jpeg(lat=FAR[0], lon=FAR[1]), name="a.jpg")
    _photo(visit, officer, jpeg(lat=NEAR[0], lon=NEAR[1]), name="b.jpg")
    services.visit_submit(visit=visit, acting_user=officer)
    assert Visit.objects.get(pk=visit.pk).photo_flag == ""
    call = ready_visit(customer=_customer(officer), visited_on=date(2026, 6, 30),
                       method=Visit.Method.PHONE)
    _photo(call, officer, jpeg(lat=FAR[0], lon=FAR[1], taken="2026:01:01 10:00:00"))
    services.visit_submit(visit=call, acting_user=officer)
    assert Visit.objects.get(pk=call.pk).photo_flag == ""


def test_without_a_set_location_an_earlier_on_site_visit_gives_the_place(officer):
    customer = _customer(officer, place=None)
    earlier = ready_visit(customer=customer, visited_on=date(2026, 3, 1))
    _photo(earlier, officer, jpeg(lat=HOME[0], lon=HOME[1], taken="2026:03:01 09:00:00"))
    services.visit_submit(visit=earlier, acting_user=officer)
    assert Visit.objects.get(pk=earlier.pk).photo_flag == ""  # nothing to compare with then
    visit = ready_visit(customer=customer, visited_on=date(2026, 6, 30))
    _photo(visit, officer, jpeg(lat=FAR[0], lon=FAR[1]))
    place = photos.customer_place(customer=customer, before=visit)
    assert place is not None and place.source == "visit" and place.visit == earlier
    services.visit_submit(visit=visit, acting_user=officer)
    assert Visit.objects.get(pk=visit.pk).photo_flag == "far"


def test_the_visit_page_shows_when_and_where_and_how_far(officer, supervisor):
    visited_on = timezone.localdate() - datetime.timedelta(days=2)
    taken = (visited_on - datetime.timedelta(days=20)).strftime("%Y:%m:%d 10:15:00")
    visit = ready_visit(customer=_customer(officer), visited_on=visited_on)
    _photo(visit, officer, jpeg(lat=FAR[0], lon=FAR[1], taken=taken))
    services.visit_submit(visit=visit, acting_user=officer)
    client = Client(headers={"accept-language": "en"})
    client.force_login(supervisor)
    page = client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()
    assert "11.07 km from the customer" in page
    assert "not the visit&#x27;s day" in page or "not the visit's day" in page
    assert 'id="photo-flag"' in page
    # The supervisor's home lists it.
    home = client.get(reverse("core:home")).content.decode()
    assert 'id="work-photo-flags"' in home
    assert reverse("visits:visit_detail", args=[visit.pk]) in home


def test_the_officer_sets_the_customers_location(officer):
    customer = _customer(officer, place=None)
    client = Client()
    client.force_login(officer)
    form = client.get(reverse("customers:customer_edit", args=[customer.pk])).content.decode()
    assert 'name="latitude"' in form and 'name="longitude"' in form
