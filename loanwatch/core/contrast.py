"""Colour contrast as WCAG 2.x measures it: the relative luminance of an sRGB colour and the
ratio of two luminances, from 1:1 (the same colour) to 21:1 (black on white).

Text needs 4.5:1 against what is behind it (3:1 when large: 24 px, or 18.66 px bold); a chart's
bars, lines and points need 3:1 against the chart's background (WCAG 1.4.11, non-text contrast).
The browser test that measures every page (tests/browser/test_contrast.py) computes the same
formula in the page.
"""

from __future__ import annotations

TEXT = 4.5
LARGE_TEXT = 3.0
NON_TEXT = 3.0

Rgb = tuple[int, int, int]


def parse(colour: str) -> Rgb:
    """`#rgb`, `#rrggbb` (an alpha part, `#rrggbbaa`, is refused: blend it first)."""
    digits = colour.strip().removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) != 6:
        raise ValueError(f"not an opaque hex colour: {colour!r}")
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str | Rgb) -> float:
    r, g, b = parse(colour) if isinstance(colour, str) else colour
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def ratio(first: str | Rgb, second: str | Rgb) -> float:
    """The contrast ratio of two colours, the lighter's luminance over the darker's (each plus
    0.05 for the glare of a screen); the order of the two does not matter."""
    a, b = luminance(first), luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def blend(colour: str | Rgb, alpha: float, over: str | Rgb) -> Rgb:
    """A colour drawn with opacity `alpha` over an opaque `over`, as the screen shows it."""
    top = parse(colour) if isinstance(colour, str) else colour
    base = parse(over) if isinstance(over, str) else over
    r, g, b = (round(t * alpha + u * (1 - alpha)) for t, u in zip(top, base, strict=True))
    return (r, g, b)
