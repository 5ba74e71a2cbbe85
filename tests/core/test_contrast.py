"""The contrast maths against pairs whose ratio is published, and every colour a chart draws
with against the chart's background: 3:1 for bars, lines and points (WCAG 1.4.11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from customers.charts import CLASSIFICATION_COLOURS
from customers.models import WARNING_COLOURS
from loanwatch.core import contrast
from loanwatch.core.charts import CATEGORICAL, CHART_BACKGROUND

CHARTS_JS = Path(__file__).resolve().parents[2] / "static" / "loanwatch" / "charts.js"


@pytest.mark.parametrize(("text", "background", "expected"), [
    ("#000000", "#ffffff", 21.0),
    ("#777", "#fff", 4.48),        # the grey that famously just fails AA on white
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes
    ("#ffffff", "#ffffff", 1.0),
    ("#0d6efd", "#ffffff", 4.50),
    ("#ff0000", "#ffffff", 4.0),
])
def test_ratio_matches_the_published_figures(text, background, expected):
    assert round(contrast.ratio(text, background), 2) == expected


def test_ratio_does_not_depend_on_the_order():
    assert contrast.ratio("#212529", "#fd7e14") == contrast.ratio("#fd7e14", "#212529")


def test_luminance_ends():
    assert contrast.luminance("#000") == 0
    assert contrast.luminance("#fff") == pytest.approx(1)


def test_a_half_transparent_colour_is_blended_with_what_lies_under_it():
    assert contrast.blend("#000000", 0.5, "#ffffff") == (128, 128, 128)
    assert contrast.blend((13, 110, 253), 1, "#ffffff") == (13, 110, 253)


def test_what_is_not_an_opaque_hex_colour_is_refused():
    with pytest.raises(ValueError):
        contrast.parse("#0d6efd80")


def _js_palette() -> list[str]:
    source = CHARTS_JS.read_text(encoding="utf-8")
    line = re.search(r"var COLOURS = \[(.*?)\];", source)
    assert line, "charts.js has no COLOURS palette"
    return re.findall(r"#[0-9a-fA-F]{6}", line.group(1))


@pytest.mark.parametrize(("palette", "colours"), [
    ("warning levels", list(WARNING_COLOURS.values())),
    ("classifications", list(CLASSIFICATION_COLOURS.values())),
    ("categorical", CATEGORICAL),
    ("charts.js", _js_palette()),
])
def test_every_chart_colour_stands_out_from_the_chart(palette, colours):
    assert colours
    faint = {c: round(contrast.ratio(c, CHART_BACKGROUND), 2) for c in colours
             if contrast.ratio(c, CHART_BACKGROUND) < contrast.NON_TEXT}
    assert not faint, f"{palette}: below 3:1 against {CHART_BACKGROUND}: {faint}"


def test_orange_stays_apart_from_red_and_yellow():
    """The warning levels are told apart by hue as well: orange neither red nor yellow."""
    orange, red, yellow = (contrast.parse(WARNING_COLOURS[k]) for k in ("orange", "red", "yellow"))
    # Orange has clearly more green than red has, and clearly less than yellow.
    assert orange[1] - red[1] > 40
    assert yellow[1] - orange[1] > 10 and orange[0] > yellow[0]
