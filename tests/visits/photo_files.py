"""Real photo files for tests: JPEGs with EXIF time and GPS written by Pillow, and HEIC."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image, TiffImagePlugin


def _dms(value: float) -> tuple:
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = round((minutes_full - minutes) * 60, 4)
    return tuple(TiffImagePlugin.IFDRational(part) for part in (degrees, minutes, seconds))


def _exif(lat: float | None, lon: float | None, taken: str | None) -> Image.Exif:
    exif = Image.Exif()
    if taken:
        exif[0x0132] = taken
        exif.get_ifd(0x8769)[36867] = taken
    if lat is not None and lon is not None:
        gps = exif.get_ifd(0x8825)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _dms(abs(lat))
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _dms(abs(lon))
    return exif


def jpeg(*, lat: float | None = None, lon: float | None = None,
         taken: str | None = "2026:06:30 10:15:00", size: tuple[int, int] = (48, 32)) -> bytes:
    """A small JPEG photo with EXIF DateTimeOriginal `taken` ("YYYY:MM:DD HH:MM:SS", local time)
    and, when given, a GPS position."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(out, "JPEG", exif=_exif(lat, lon, taken))
    return out.getvalue()


def heic(*, lat: float | None = None, lon: float | None = None,
         taken: str | None = "2026:06:30 10:15:00") -> bytes:
    """An iPhone-style HEIC photo with the same EXIF data."""
    image = Image.new("RGB", (64, 48), (40, 120, 180))
    out = io.BytesIO()
    heif = pillow_heif.from_pillow(image)
    heif.save(out, format="HEIF", quality=60, exif=_exif(lat, lon, taken).tobytes())
    return out.getvalue()
