"""The one skeleton of every file import: read, match headers, parse each row, report, apply.

An import declares a `Spec` — its columns with their English and Chinese headers, which ones
are required, how each cell is parsed, the file kinds it takes and its row limit — and an
`Importer` that turns the parsed rows into a plan and writes the plan. The skeleton keeps the
contract every import shares:

- CSV (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, as Chinese Excel writes it),
  .xlsx (read only, never evaluated) and JSON lines, or a reader the spec adds for its own kind;
- a header is found by its key, English or Chinese name, both as the template writes them, or
  an alias, ignoring case, spaces and underscores;
- every bad cell of every row is collected as (row, column, reason), the reason in the user's
  language; the model fields' own limits are applied (`validation.field_errors`), so that a
  preview that passes is a confirmation that writes;
- nothing is written unless every row is good: the confirmation checks again and writes in one
  transaction, and any problem found while writing undoes all of it.

Rows travel between the preview and the confirmation in the session, so a row is a plain dict:
{"_row": n, key: text}, n being the row number a spreadsheet shows (the line of a JSON-lines
file).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .validation import field_errors

Row = dict[str, Any]
Parser = Callable[[str], Any]
# A spec's own file kind: the raw bytes in, rows ({"_row": n, key: text}) out.
Reader = Callable[[bytes], list[Row]]

DEFAULT_MAX_ROWS = 5000


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole; 1: the header row
    column: str
    reason: str


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def normal_header(text: str) -> str:
    """A header as compared: no BOM, case folded, runs of spaces and underscores as one space."""
    return " ".join(text.replace("\ufeff", "").replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False  # the header must be there and the cell filled
    hint: str | Promise = ""  # for the template's notes
    parse: Parser | None = None  # cell text → typed value; raises ValueError(reason)
    aliases: tuple[str, ...] = ()  # other headers banks use for this column

    @property
    def header(self) -> str:
        """The header the template writes and problems name: both languages."""
        return f"{self.zh} {self.en}"

    @property
    def names(self) -> set[str]:
        return {normal_header(n) for n in (self.key, self.zh, self.en, self.header,
                                           f"{self.en} {self.zh}", *self.aliases)}


@dataclass(frozen=True)
class Spec:
    columns: tuple[Column, ...]
    suffixes: tuple[str, ...] = (".csv", ".xlsx", ".jsonl")
    max_rows: int = DEFAULT_MAX_ROWS
    readers: Mapping[str, Reader] = field(default_factory=dict)  # suffix → the spec's own kind
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        by_name: dict[str, str] = {}
        for column in self.columns:
            for name in column.names:
                if by_name.setdefault(name, column.key) != column.key:
                    raise ValueError(f"header {name!r} names two columns")
        object.__setattr__(self, "_by_name", by_name)

    def match(self, header: str) -> str | None:
        """The key of the column a header names, or None for a column the import ignores."""
        return self._by_name.get(normal_header(header))

    def name(self, key: str) -> str:
        """How a problem names a column: its header, or the key of what has no column."""
        column = self.by_key.get(key)
        return column.header if column else key


# --- Reading ----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell of a spreadsheet or a value of a JSON line, as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _csv_table(raw: bytes) -> Iterator[list[str]]:
    for values in csv.reader(io.StringIO(decode_text(raw))):
        yield [v.strip() for v in values]


def _xlsx_table(raw: bytes) -> Iterator[list[str]]:
    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        for values in book.active.iter_rows(values_only=True):
            yield [cell_text(v) for v in values]
    finally:
        book.close()


def _rows_of_table(table: Iterator[list[str]], spec: Spec) -> Iterator[Row]:
    headers = next(table, None)
    if not headers or not any(headers):
        raise ImportRejected([Problem(0, "", _("The file is empty."))])
    keys = [spec.match(h) for h in headers]
    problems = [Problem(1, c.header, _("This column is missing."))
                for c in spec.columns if c.required and c.key not in keys]
    seen: set[str] = set()
    for key in keys:
        if key and key in seen:
            problems.append(Problem(1, spec.name(key), _("This column appears twice.")))
        seen.add(key or "")
    if problems:
        raise ImportRejected(problems)
    for number, values in enumerate(table, start=2):
        if any(values):
            yield {"_row": number, **{k: v for k, v in zip(keys, values, strict=False) if k}}


def _rows_of_json_lines(raw: bytes, spec: Spec) -> Iterator[Row]:
    for number, line in enumerate(decode_text(raw).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            raise ImportRejected([Problem(number, "", _("Not a JSON object."))]) from error
        if not isinstance(item, dict):
            raise ImportRejected([Problem(number, "", _("Not a JSON object."))])
        row: Row = {"_row": number}
        for name, value in item.items():
            key = spec.match(str(name))
            if key:
                row[key] = cell_text(value)
        yield row


def _shown(text: str) -> str:
    # A cell quoted in an error message: enough to find it, never a page of it.
    return text if len(text) <= 40 else text[:40] + "…"


def read_rows(upload: Any, *, spec: Spec) -> list[Row]:
    """Every non-empty row of an uploaded file, or ImportRejected naming what is wrong with it.

    Reading stops at the first row past the limit, so a huge file costs no more than the limit.
    """
    name = (getattr(upload, "name", "") or "").lower()
    suffix = next((s for s in spec.suffixes if name.endswith(s)), None)
    if suffix is None:
        raise ImportRejected([Problem(0, "", _("Upload a file of one of these kinds: "
                                               "%(kinds)s.") % {
            "kinds": ", ".join(spec.suffixes)})])
    rows: list[Row] = []
    try:
        upload.seek(0)  # from the start, though the file was read before
        raw = upload.read()
        source: Iterable[Row]
        if suffix in spec.readers:
            source = spec.readers[suffix](raw)
        elif suffix == ".jsonl":
            source = _rows_of_json_lines(raw, spec)
        elif suffix == ".xlsx":
            source = _rows_of_table(_xlsx_table(raw), spec)
        else:
            source = _rows_of_table(_csv_table(raw), spec)
        for row in source:
            rows.append(row)
            if len(rows) > spec.max_rows:
                raise ImportRejected([Problem(0, "", _("At most %(n)d rows per file.") % {
                    "n": spec.max_rows})])
    except ImportRejected:
        raise
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError, TypeError,
            AttributeError, zipfile.BadZipFile, InvalidFileException) as error:
        raise ImportRejected([Problem(0, "", _("The file cannot be read: %(error)s") % {
            "error": _shown(str(error))})]) from error
    if not rows:
        raise ImportRejected([Problem(0, "", _("The file has no rows to import."))])
    return rows


# --- Parsing cells ----------------------------------------------------------------------------
# Each parser takes a cell's non-empty text and returns its value, or raises ValueError with the
# reason a user reads.


def decimal_number(text: str) -> Decimal:
    """An amount of money: thousands separators allowed, two decimals kept."""
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation as error:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": _shown(text)}) from error
    if not value.is_finite():
        raise ValueError(_("“%(text)s” is not a number.") % {"text": _shown(text)})
    # The columns hold 16 digits, two after the point; checked before rounding, which would
    # fail on a number too long for the decimal context.
    if value.adjusted() >= 14:
        raise ValueError(_("“%(text)s” is too large.") % {"text": _shown(text)})
    return value.quantize(Decimal("0.01"))


def day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": _shown(text)})


def whole_number(text: str) -> int:
    if text.isascii() and text.isdigit():  # isdigit() alone admits "²", which int() refuses
        return int(text)
    raise ValueError(_("Write a whole number."))


YES = frozenset({"是", "yes", "y", "true", "1", "有"})
NO = frozenset({"否", "no", "n", "false", "0", "无"})


def yes_no(text: str) -> bool:
    value = text.casefold()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(_("Write 是/yes or 否/no."))


def choice_lookup(choices: Iterable[tuple[str, Any]],
                  words: Mapping[str, str] | None = None) -> dict[str, str]:
    """A choice's code, its English label and its Chinese label (and `words`), to its code."""
    lookup = {k.casefold(): v for k, v in (words or {}).items()}
    for value, label in choices:
        lookup[value.casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    return lookup


class Choice:
    """A parser for one of a model's choices, by code, label in either language or `words`."""

    def __init__(self, choices: Iterable[tuple[str, Any]], *,
                 words: Mapping[str, str] | None = None, message: str | Promise) -> None:
        self.choices = list(choices)
        self.words = dict(words or {})
        self.message = message
        self._lookup: dict[str, str] | None = None

    def __call__(self, text: str) -> str:
        if self._lookup is None:  # built on first use: the labels need the translations loaded
            self._lookup = choice_lookup(self.choices, self.words)
        value = self._lookup.get(text.casefold())
        if value is None:
            raise ValueError(str(self.message))
        return value


# --- Checking and applying --------------------------------------------------------------------

PlanT = TypeVar("PlanT")


class Importer(ABC, Generic[PlanT]):
    """One import: `plan` turns checked rows into what `write` saves.

    `plan` reports every problem through `problem` (or `cells`, `fields`) and goes on to the
    next row; `check` raises ImportRejected with all of them, sorted by row. `apply` checks
    again — the data may have changed since the preview — and writes in one transaction.
    """

    spec: ClassVar[Spec]

    def __init__(self, *, acting_user: Any) -> None:
        self.acting_user = acting_user
        self.problems: list[Problem] = []

    @classmethod
    def read(cls, upload: Any) -> list[Row]:
        return read_rows(upload, spec=cls.spec)

    def problem(self, row: Row, key: str, reason: Any) -> None:
        self.problems.append(Problem(row["_row"], self.spec.name(key), str(reason)))

    def problems_of(self, row: Row, error: ValidationError) -> None:
        """A service's ValidationError, field by field, as problems of the row."""
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                for message in messages:
                    self.problem(row, key, message)
        else:
            for message in error.messages:
                self.problem(row, "", message)

    def cells(self, row: Row, keys: Sequence[str] | None = None) -> dict[str, Any]:
        """The row's cells parsed by their columns; None for an empty or a bad cell.

        A bad cell is reported; so is a required column's empty cell, and a cell with NUL
        before any parser sees it (PostgreSQL stores no NUL, and a lookup with one fails).
        Compare `len(self.problems)` before and after to know whether all were good.
        """
        values: dict[str, Any] = {}
        for key in keys if keys is not None else self.spec.by_key:
            column = self.spec.by_key[key]
            text = (row.get(key) or "").strip()
            values[key] = None
            if "\x00" in text:
                self.problem(row, key, ProhibitNullCharactersValidator.message)
            elif not text:
                if column.required:
                    self.problem(row, key, _("This field is required."))
            elif column.parse is None:
                values[key] = text
            else:
                try:
                    values[key] = column.parse(text)
                except ValueError as error:
                    self.problem(row, key, error.args[0])
        return values

    def fields(self, row: Row, *, model: type[models.Model], values: Mapping[str, Any],
               columns: Mapping[str, str] | None = None) -> bool:
        """The model fields' own checks on `values` (by field name); True if all pass.

        `columns` maps a field to the column a problem names, where the two names differ.
        """
        errors = field_errors(model=model, values=values)
        for name, messages in errors.items():
            for message in messages:
                self.problem(row, (columns or {}).get(name, name), message)
        return not errors

    @abstractmethod
    def plan(self, rows: list[Row]) -> PlanT:
        """What the rows would write; every problem reported through `problem`."""

    @abstractmethod
    def write(self, plan: PlanT) -> dict[str, int]:
        """Write the plan (inside the transaction `apply` opens); counts for the message."""

    def check(self, rows: list[Row]) -> PlanT:
        self.problems = []
        plan = self.plan(rows)
        if self.problems:
            raise ImportRejected(sorted(self.problems, key=lambda p: p.row))
        return plan

    def apply(self, rows: list[Row]) -> dict[str, int]:
        """All or nothing: an ImportRejected raised by the check or the write undoes it all."""
        with transaction.atomic():
            return self.write(self.check(rows))
