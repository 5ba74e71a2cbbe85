"""Hypothesis strategies for hostile input, shared by every form's and import's tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),  # any Unicode, control characters and NUL included
    st.text(alphabet="贷后管理客户abcДЖ😀\u202e\u200b<>'\"&;--", max_size=50),
    st.just("x" * 100_000),
    st.just("<script>alert(1)</script>"),
    st.just("'; DROP TABLE accounts_team; --"),
)
HOSTILE_NUMBER = st.one_of(
    st.sampled_from(["", "-1", "-0.01", "0", "1e400", "NaN", "Infinity", "-Infinity",
                     "9" * 40, "1,000,000", "１２３", "0x1F", "1.005", "12.3.4", "五百万"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    HOSTILE_TEXT,
)
HOSTILE_DATE = st.one_of(
    st.sampled_from(["", "0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "1-1-1",
                     "2026/11/28", "28.11.2026", "today", "２０２６-０１-０１"]),
    st.dates().map(str),
    HOSTILE_TEXT,
)
HYPOTHESIS = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])

# For the walk over every URL (tests/test_hostile_urls.py): besides NUL, the values each parameter
# and each path argument receives in turn — impossible dates, a number no column holds, a
# negative number, and an id that is no number although str.isdigit() says it is.
NUL = "\x00"
URL_VALUES = ("2026-02-30", "2026-13-01", str(10**30), "-1", "²")


def some_fields(strategies: dict[str, st.SearchStrategy], *, min_size: int = 1,
                max_size: int = 3) -> st.SearchStrategy[dict[str, object]]:
    """A few of the named fields, each with a value from its strategy.

    Drawn as one argument of @given rather than with st.data() inside the test: Hypothesis then
    recognises a repeated choice before the test runs, instead of halfway through an example
    whose rows and requests were already made (about half of them, for a form of sampled
    choices)."""
    names = st.lists(st.sampled_from(sorted(strategies)), min_size=min_size, max_size=max_size,
                     unique=True)
    return names.flatmap(lambda chosen: st.fixed_dictionaries(
        {name: strategies[name] for name in chosen}))
