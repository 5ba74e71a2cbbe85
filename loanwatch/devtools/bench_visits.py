"""The benchmark's write load: officers logging and submitting visits at the same time, through
the same HTTP pages a browser uses (CSRF token, the draft, then the form with every answer).

Each simulated officer works on their own corporate customers, one visit after another, for a
fixed time. Afterwards the database is asked how many visits those officers submitted during
the run: every submission the server acknowledged must be there, none twice ("no lost visit").
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.utils import timezone

# Every answer a corporate visit needs, and some it may have; written as a browser posts them.
ANSWERS = {
    "method": "on_site", "place": "客户办公室", "address_changed": "false",
    "business_changed": "false", "employees_total": "48", "employees_on_site": "40",
    "monthly_wage": "7200.50", "wages_on_time": "true", "office_area_m2": "1200.25",
    "monthly_rent": "36000.00", "liquid_funds": "1500000.00", "receivables": "2600000.00",
    "receivable_terms_days": "90", "receivables_makeup": "两家国企客户，账龄三个月内",
    "collection_cost": "15000.00", "payables": "1200000.00", "payable_terms_days": "60",
    "inventory": "800000.00", "inventory_turnover_days": "45", "main_suppliers": "宝钢",
    "main_customers": "中车", "revenue_last_year": "9000000.00", "revenue_ytd": "4000000.00",
    "gross_margin_pct": "18.75", "loan_use": "as_declared", "total_assets": "20000000.00",
    "total_liabilities": "9000000.00", "high_risk_investment": "false",
    "repayment_source": "经营回款", "repayment_pressure": "low", "customer_needs": "希望续贷",
    "summary": "经营基本稳定", "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0",
    "iv-MIN_NUM_FORMS": "0", "iv-MAX_NUM_FORMS": "1000", "iv-0-role": "finance_head",
    "iv-0-name": "王会计", "iv-0-statement": "回款正常", "iv-0-topics": "3",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
COLLATERAL = re.compile(r'name="(col-\d+)-current_value"')
# What the form asks this visit to bring up, and the loans awaiting their first check.
BRIEFING = re.compile(r'name="(bf-[a-z]+-\d+)-answer"')
LOAN_USE = re.compile(r'name="(lu-\d+)-use"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 is the answer we read
        return None


@dataclass
class WriteResult:
    submitted: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, ms: float) -> None:
        with self.lock:
            self.submitted += 1
            self.latencies_ms.append(ms)

    def fail(self, what: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(what)

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


class _Officer:
    """One signed-in officer's browser: a cookie jar and the form pages' tokens."""

    def __init__(self, base: str, session_cookie: str) -> None:
        self.base = base
        # Cookies are sent by hand: the session's, and the CSRF cookie the forms set.
        self.opener = urllib.request.build_opener(_NoRedirect)
        self.session_cookie = session_cookie
        self.csrf_cookie = ""

    def _open(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # The base is the benchmark's own server on 127.0.0.1, never a user-given URL.
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        cookie = self.session_cookie + (f"; csrftoken={self.csrf_cookie}"
                                        if self.csrf_cookie else "")
        request.add_header("Cookie", cookie)
        try:
            response = self.opener.open(request, timeout=30)  # noqa: S310
        except urllib.error.HTTPError as answer:  # 302 and errors arrive here
            response = answer
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("csrftoken="):
                self.csrf_cookie = header.split(";", 1)[0].split("=", 1)[1]
        return response.status, response.headers.get("Location", ""), response.read().decode()

    def submit_visit(self, customer_id: int) -> tuple[bool, str]:
        status, _where, page = self._open(f"/visits/customer/{customer_id}/new/")
        token = CSRF.search(page)
        if status != 200 or not token:
            return False, f"start page {status}"
        day = timezone.localdate().isoformat()
        status, where, _page = self._open(f"/visits/customer/{customer_id}/new/", {
            "csrfmiddlewaretoken": token.group(1), "visited_on": day, "method": "on_site"})
        if status != 302 or "/edit/" not in where:
            return False, f"create {status}"
        edit = urllib.parse.urlsplit(where).path
        status, _where, page = self._open(edit)
        token, version = CSRF.search(page), VERSION.search(page)
        if status != 200 or not token or not version:
            return False, f"form {status}"
        data = dict(ANSWERS, visited_on=day, version=version.group(1), action="submit",
                    csrfmiddlewaretoken=token.group(1))
        for item in set(COLLATERAL.findall(page)):
            data.update({f"{item}-condition": "good", f"{item}-current_value": "1000000.00"})
        for item in set(BRIEFING.findall(page)):
            data[f"{item}-answer"] = "已了解，情况正常"
        for loan in set(LOAN_USE.findall(page)):
            data[f"{loan}-use"] = "as_declared"
        status, where, page = self._open(edit, data)
        if status != 302 or "/edit/" in where:
            return False, f"submit {status}"
        return True, ""


def run(*, base: str, officers: list[tuple[str, list[int]]], seconds: float) -> WriteResult:
    """`officers`: (session cookie, the officer's corporate customer ids) per simulated officer."""
    result = WriteResult()
    deadline = time.monotonic() + seconds

    def work(cookie: str, customers: list[int]) -> None:
        browser = _Officer(base, cookie)
        n = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                done, why = browser.submit_visit(customers[n % len(customers)])
            except Exception as error:  # a reset connection is an error the table shows
                done, why = False, repr(error)[:120]
            if done:
                result.ok((time.perf_counter() - started) * 1000)
            else:
                result.fail(why)
            n += 1

    threads = [threading.Thread(target=work, args=officer) for officer in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
