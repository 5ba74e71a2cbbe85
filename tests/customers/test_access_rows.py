"""Walk the customers rows of the access matrix with the matrix's own test."""

from __future__ import annotations

import pytest

from tests import test_access_matrix as matrix

from .access_rows import CUSTOMER_ROWS


@pytest.fixture
def personas(officer, officer_b, supervisor, supervisor_b, admin_user):
    return {"anon": None, "officer": officer, "officer_b": officer_b, "supervisor": supervisor,
            "supervisor_b": supervisor_b, "admin": admin_user}


@pytest.mark.parametrize("row", CUSTOMER_ROWS, ids=lambda r: r.name)
def test_customers_access(row, personas, db):
    matrix.test_access(row, personas, db)
