"""The licence document (YAML or JSON) an exporter files with chipwatch, validated whole.

Items are catalog models (any name or alias; stored as the catalog id) or control classes
such as ``3A090.a``; destinations are ISO 3166-1 alpha-2 codes. Extra fields are kept.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from chipwatch import service
from chipwatch.catalog.loader import name_key
from chipwatch.errors import InvalidInput
from chipwatch.orders import CountryCode, decode_document

_CONTROL_CLASS = re.compile(r"(\d)([A-Ea-e])(\d{3})((?:\.[A-Za-z0-9]+)*)")
_NUMBER = re.compile(r"[^\s/?#%\\]+")


def control_class(text: str) -> str | None:
    """``3a090.A`` -> ``3A090.a``; None if ``text`` is not an ECCN."""
    match = _CONTROL_CLASS.fullmatch(text.strip())
    if match is None:
        return None
    digit, category, number, paragraphs = match.groups()
    return f"{digit}{category.upper()}{number}{paragraphs.lower()}"


def _item(text: str) -> str:
    eccn = control_class(text)
    if eccn is not None:
        return eccn
    model = service.default().catalog.find(text)
    if model is None:
        raise ValueError(
            f"'{text}' is neither a catalog model nor a control class such as 3A090.a "
            "(see `chipwatch catalog`)"
        )
    return model.id


def _number(text: str) -> str:
    if not _NUMBER.fullmatch(text):
        raise ValueError("a licence number has no spaces, slashes or ?#%\\ characters")
    return text


def _money(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals (cents)")
    return value.quantize(Decimal("0.01"))


ItemName = Annotated[str, Field(min_length=1), AfterValidator(_item)]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class ApprovedCustomer(_Open):
    """A customer the licence names: a bare name, or ``{name, country}``."""

    name: str = Field(min_length=1, max_length=300)
    country: CountryCode | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"name": data}
        if not isinstance(data, dict):
            raise ValueError("give a customer name, or {name, country}")
        return data

    @property
    def key(self) -> str:
        return name_key(self.name)


class LicenceConditions(_Open):
    fee_rate: Decimal | None = Field(
        default=None, ge=0, le=1, description="Share of the sale owed to the government, 0–1."
    )
    max_share_of_us_shipments: Decimal | None = Field(
        default=None, ge=0, le=1, description="Aggregate cap: China/Macau share of US volumes."
    )
    third_party_testing: bool = False  # every chip tested by a US lab before export
    inspection_required: bool = False  # every chip inspected before export (implied by testing)
    reporting: str | None = None


class LicenceDocument(_Open):
    """A licence as issued: who may ship what, to whom, where, how much, until when."""

    number: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_number)]
    authority: str = Field(min_length=1, max_length=100, examples=["BIS"])
    licensee: str = Field(min_length=1, max_length=300)
    approved_customers: list[ApprovedCustomer] = Field(min_length=1)
    items: list[ItemName] = Field(min_length=1)
    destinations: list[CountryCode] = Field(min_length=1)
    quantity: int = Field(ge=1)
    value_usd: Annotated[Decimal, Field(ge=0), AfterValidator(_money)]
    valid_from: dt.date
    valid_to: dt.date
    review_basis: str = ""
    conditions: LicenceConditions = Field(default_factory=LicenceConditions)

    @field_validator("valid_to")
    @classmethod
    def _not_before_start(cls, valid_to: dt.date, info: ValidationInfo) -> dt.date:
        valid_from = info.data.get("valid_from")
        if valid_from is not None and valid_to < valid_from:
            raise ValueError(f"{valid_to} is before valid_from {valid_from}")
        return valid_to

    @field_validator("approved_customers")
    @classmethod
    def _distinct_customers(cls, customers: list[ApprovedCustomer]) -> list[ApprovedCustomer]:
        seen: set[str] = set()
        for customer in customers:
            if not customer.key:
                raise ValueError(f"customer name {customer.name!r} has no letters or digits")
            if customer.key in seen:
                raise ValueError(f"'{customer.name}' is listed twice")
            seen.add(customer.key)
        return customers

    def normalised(self) -> dict[str, Any]:
        """The content that decides identity: two documents are the same licence iff equal."""
        data = self.model_dump(mode="json")
        data["items"] = list(dict.fromkeys(self.items))
        data["destinations"] = list(dict.fromkeys(self.destinations))
        if data["conditions"]["max_share_of_us_shipments"] is None:
            # added later: unstated, it leaves the digest of licences filed before unchanged
            del data["conditions"]["max_share_of_us_shipments"]
        return data


def parse_licence_document(data: Any, *, source: str | None = None) -> LicenceDocument:
    """Validate a decoded licence document; every problem is reported, each naming its field."""
    if not isinstance(data, dict):
        raise InvalidInput("a licence must be a mapping (YAML/JSON object)", source=source)
    try:
        return LicenceDocument.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(part) for part in err["loc"]) or "licence",
                "problem": str(err["msg"]).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        raise InvalidInput.from_errors(errors, source=source) from None


def read_licence_file(path: Path) -> tuple[LicenceDocument, dict[str, Any]]:
    """The validated document and the decoded original (what the file said)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the licence: {exc.strerror}", source=str(path)) from exc
    except UnicodeDecodeError:
        raise InvalidInput("the licence is not UTF-8 text", source=str(path)) from None
    data = decode_document(text, source=str(path))
    return parse_licence_document(data, source=str(path)), data
