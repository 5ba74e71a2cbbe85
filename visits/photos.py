"""A photo's time and place, and whether a visit's photos were taken where and when it happened.

The time and GPS position come from the photo's EXIF data where the phone wrote them; otherwise
from the phone's position at capture, which the page sends only when the officer agreed to it.
The customer's place is the one set on the customer, or else where the photos of an earlier
on-site visit were taken. An iPhone's HEIC photo is read through pillow-heif and given a JPEG
preview that every browser shows.
"""

from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from .models import EvidenceFile, PositionSource, Visit

if TYPE_CHECKING:
    from customers.models import Customer

pillow_heif.register_heif_opener()

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME = 306
DATETIME_ORIGINAL = 36867
OFFSET_TIME_ORIGINAL = 36881
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
EARTH_RADIUS_KM = 6371.0088
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Facts:
    taken_at: datetime.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _degrees(value, ref) -> Decimal | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() in ("S", "W"):
        degrees = -degrees
    if not math.isfinite(degrees):
        return None
    return Decimal(str(degrees)).quantize(SIX_PLACES)


def _when(text, offset) -> datetime.datetime | None:
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    try:
        moment = datetime.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if offset:
        try:
            stamp = datetime.datetime.strptime(str(offset).strip("\x00 "), "%z")
            return moment.replace(tzinfo=stamp.tzinfo)
        except ValueError:
            pass
    # A camera's clock is local time without a zone: the bank's time zone.
    return timezone.make_aware(moment, timezone.get_default_timezone())


def read(upload) -> Facts:
    """The EXIF time and position of a photo (JPEG, PNG or HEIC); empty facts for anything else
    or a photo without them."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return Facts()
    finally:
        upload.seek(0)
    sub = exif.get_ifd(EXIF_IFD)
    taken_at = _when(sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME),
                     sub.get(OFFSET_TIME_ORIGINAL))
    gps = exif.get_ifd(GPS_IFD)
    latitude = longitude = None
    if GPS_LAT in gps and GPS_LON in gps:
        latitude = _degrees(gps[GPS_LAT], gps.get(GPS_LAT_REF, "N"))
        longitude = _degrees(gps[GPS_LON], gps.get(GPS_LON_REF, "E"))
        if (latitude is None or longitude is None or abs(latitude) > 90
                or abs(longitude) > 180):
            latitude = longitude = None
    return Facts(taken_at=taken_at, latitude=latitude, longitude=longitude)


def jpeg_preview(upload, *, longest: int = 1600) -> ContentFile | None:
    """A JPEG of the photo, at most `longest` pixels a side, for a format browsers do not show."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.thumbnail((longest, longest))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="preview.jpg")


def place_facts(facts: Facts, *, browser: tuple[Decimal, Decimal] | None,
                browser_at: datetime.datetime | None) -> dict:
    """The model fields for a photo: its EXIF position first, the phone's otherwise."""
    if facts.latitude is not None and facts.longitude is not None:
        return {"taken_at": facts.taken_at, "latitude": facts.latitude,
                "longitude": facts.longitude, "position_source": PositionSource.EXIF}
    if browser is not None:
        return {"taken_at": facts.taken_at or browser_at, "latitude": browser[0],
                "longitude": browser[1], "position_source": PositionSource.BROWSER}
    return {"taken_at": facts.taken_at, "latitude": None, "longitude": None,
            "position_source": PositionSource.NONE}


def distance_km(a: tuple[Decimal, Decimal], b: tuple[Decimal, Decimal]) -> float:
    """The great-circle (haversine) distance between two WGS 84 positions, in km."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    latitude: Decimal
    longitude: Decimal
    # "customer" (set on the customer) or "visit" (an earlier on-site visit's photos)
    source: str
    visit: Visit | None = None

    @property
    def point(self) -> tuple[Decimal, Decimal]:
        return (self.latitude, self.longitude)


def customer_place(*, customer: Customer, before: Visit | None = None) -> Place | None:
    """Where the customer is met: set on the customer, or where the photos of the latest earlier
    submitted on-site visit were taken (its first positioned photo)."""
    if customer.latitude is not None and customer.longitude is not None:
        return Place(customer.latitude, customer.longitude, "customer")
    earlier = EvidenceFile.objects.filter(
        visit__customer_id=customer.pk, visit__status=Visit.Status.SUBMITTED,
        visit__method=Visit.Method.ON_SITE, latitude__isnull=False, longitude__isnull=False)
    if before is not None:
        earlier = earlier.exclude(visit_id=before.pk)
        if before.amends_id is not None:
            earlier = earlier.exclude(visit_id=before.amends_id)
        if before.visited_on:
            earlier = earlier.filter(visit__visited_on__lte=before.visited_on)
    photo = (earlier.select_related("visit").order_by("-visit__visited_on", "-visit_id", "pk")
             .first())
    if photo is None or photo.latitude is None or photo.longitude is None:
        return None
    return Place(photo.latitude, photo.longitude, "visit", photo.visit)


@dataclass(frozen=True)
class PhotoRow:
    evidence: EvidenceFile
    distance_km: float | None
    far: bool
    other_day: bool


def photo_rows(*, visit: Visit, files: list[EvidenceFile], place: Place | None
               ) -> list[PhotoRow]:
    """Each photo of the visit with its distance from the customer's place and whether it was
    taken far away or on another day than the visit."""
    limit = settings.PHOTO_FAR_KM
    local = timezone.get_default_timezone()
    rows = []
    for file in files:
        if file.position_source == PositionSource.NONE and file.taken_at is None:
            continue
        distance = None
        if place is not None and file.latitude is not None and file.longitude is not None:
            distance = distance_km(place.point, (file.latitude, file.longitude))
        other_day = (file.taken_at is not None and visit.visited_on is not None
                     and file.taken_at.astimezone(local).date() != visit.visited_on)
        rows.append(PhotoRow(file, distance, distance is not None and distance > limit,
                             other_day))
    return rows


def photo_check(*, visit: Visit) -> str:
    """The flag an on-site visit gets at submission: "" when at least one photo fits the visit
    (or no photo says anything), else far / other_day / far_other_day."""
    if visit.method != Visit.Method.ON_SITE:
        return ""
    files = list(EvidenceFile.objects.filter(visit_id=visit.pk))
    rows = photo_rows(visit=visit, files=files,
                      place=customer_place(customer=visit.customer, before=visit))
    if not rows:
        return ""
    judged_far = [r for r in rows if r.distance_km is not None]
    dated = [r for r in rows if r.evidence.taken_at is not None]
    all_far = bool(judged_far) and all(r.far for r in judged_far)
    all_other_day = bool(dated) and all(r.other_day for r in dated)
    if all_far and all_other_day:
        return "far_other_day"
    if all_far:
        return "far"
    if all_other_day:
        return "other_day"
    return ""
