"""What users send about custody, validated: inspections, sites, landmarks. Every problem
names its field (and, for files of many records, the record's line or index)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from chipwatch.countries import is_country
from chipwatch.errors import InvalidInput
from chipwatch.orders import decode_document

M = TypeVar("M", bound=BaseModel)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def ed25519_key(value: str) -> str:
    """A raw 32-byte Ed25519 public key as 64 hex digits (lower-cased), that loads."""
    text = value.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ValueError("an Ed25519 public key is 32 bytes as 64 hex digits")
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))
    except ValueError as exc:
        raise ValueError(f"not a valid Ed25519 public key: {exc}") from None
    return text


def _country(value: str) -> str:
    code = value.strip().upper()
    if not is_country(code):
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
    return code


def _slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError("an id is 1–64 lower-case letters, digits, '-' or '_' (e.g. kul-1)")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("give a timezone (e.g. 2026-03-01T10:00:00Z)")
    return value.astimezone(dt.UTC)


PublicKey = Annotated[str, AfterValidator(ed25519_key)]
Country = Annotated[str, AfterValidator(_country)]
Slug = Annotated[str, AfterValidator(_slug)]
Instant = Annotated[dt.datetime, AfterValidator(_aware)]
Text = Annotated[str, Field(min_length=1, max_length=300)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InspectionDoc(_Doc):
    """One pre-export inspection as the tester reports it."""

    serial_seen: str = Field(min_length=1, max_length=100)
    model_seen: Text
    firmware: str = Field(min_length=1, max_length=100)
    tamper_seal_id: str = Field(min_length=1, max_length=100)
    tester: Text
    lab: Text
    result: Literal["pass", "fail"]
    notes: str = ""
    at: Instant | None = None
    public_key: PublicKey | None = None


class SiteDoc(_Doc):
    id: Slug
    name: Text
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    country: Country
    operator: Text
    licence: str | None = Field(default=None, max_length=100)
    end_user: str | None = Field(default=None, max_length=300)
    radius_km: float = Field(gt=0)
    check_in_hours: float = Field(default=24, gt=0)
    declared_mw: float | None = Field(default=None, gt=0)


class LandmarkDoc(_Doc):
    id: Slug
    name: Text
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    country: Country
    public_key: PublicKey
    vetting: Literal["vetted", "provisional", "revoked"] = "provisional"
    vetted_by: str | None = Field(default=None, max_length=200)
    vetted_at: Instant | None = None


def validate(model: type[M], data: Any, *, source: str | None = None, where: str = "") -> M:
    """``data`` as a ``model``; every problem reported, each naming ``where`` and its field."""
    if not isinstance(data, dict):
        raise InvalidInput(
            "expected a mapping (YAML/JSON object)", field=where or None, source=source
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": ": ".join(
                    p for p in (where, ".".join(str(part) for part in err["loc"])) if p
                ),
                "problem": str(err["msg"]).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        raise InvalidInput.from_errors(errors, source=source) from None


def read_records(path: Path, model: type[M], key: str) -> list[M]:
    """Every record of a YAML/JSON file (a list, or ``{key: [...]}``) or a CSV file (a header
    row); the whole file is rejected if any record is bad, each problem naming its record."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read the file: {exc.strerror}", source=source) from None
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", source=source) from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        records = [
            ({k: v for k, v in row.items() if v not in ("", None)}, f"line {n}")
            for n, row in enumerate(rows, start=2)
        ]
    else:
        data = decode_document(text, source=source)
        if isinstance(data, dict) and key in data:
            data = data[key]
        if not isinstance(data, list):
            raise InvalidInput(
                f"expected a list of {key} (or a mapping with '{key}')", source=source
            )
        records = [(item, f"{key}[{i}]") for i, item in enumerate(data)]
    parsed: list[M] = []
    errors: list[dict[str, str]] = []
    for item, where in records:
        try:
            parsed.append(validate(model, item, where=where))
        except InvalidInput as exc:
            errors.extend(exc.errors or [{"field": where, "problem": exc.problem}])
    ids = [getattr(p, "id", None) for p in parsed]
    for dup in sorted({i for i in ids if i is not None and ids.count(i) > 1}):
        errors.append({"field": "id", "problem": f"'{dup}' appears more than once"})
    if errors:
        raise InvalidInput.from_errors(errors, source=source)
    if not parsed:
        raise InvalidInput(f"the file has no {key}", source=source)
    return parsed
