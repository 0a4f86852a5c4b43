"""Orders: the public YAML/JSON document a compliance officer asks chipwatch about.

See ``docs/orders.md`` for the format. Extra fields (ERP references and the like) are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from chipwatch.countries import is_country
from chipwatch.errors import InvalidInput
from chipwatch.vocabulary import EndUse, ListCode, Role, Sector
from chipwatch.yamlio import YAMLError, load_yaml


def _country(code: str) -> str:
    code = code.strip().upper()
    if not is_country(code):
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[str, AfterValidator(_country)]


MAX_UNIT_PRICE_USD = 1e12  # a trillion dollars a unit: anything above is a typo or an attack


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Destination(_Open):
    country: CountryCode
    city: str | None = None


class Item(_Open):
    model: str = Field(min_length=1, examples=["NVIDIA H200"])
    quantity: int = Field(gt=0, examples=[1000])
    unit_price_usd: float | None = Field(
        default=None, ge=0, le=MAX_UNIT_PRICE_USD, allow_inf_nan=False, examples=[31000]
    )

    @property
    def value_usd(self) -> float | None:
        return None if self.unit_price_usd is None else self.quantity * self.unit_price_usd


class Owner(_Open):
    """A declared owner of a party, with its share; owners may have owners of their own."""

    name: str = Field(min_length=1, max_length=300)
    share: float = Field(gt=0, le=100, description="Percent of the owned party held (0-100].")
    country: CountryCode | None = None
    lists: list[ListCode] = Field(
        default_factory=list, description="Lists the owner is known to be on."
    )
    owners: list[Owner] | None = Field(default=None, description="This owner's own owners.")

    @model_validator(mode="after")
    def _shares_add_up(self) -> Owner:
        _check_shares(self.owners)
        return self


def _check_shares(owners: list[Owner] | None) -> None:
    if owners and sum(o.share for o in owners) > 100.0001:
        raise ValueError(f"owners' shares add up to {sum(o.share for o in owners):g} % (> 100 %)")


class Party(_Open):
    role: Role
    name: str = Field(min_length=1, max_length=300)
    country: CountryCode
    headquarters: CountryCode | None = None
    sector: Sector | None = None
    lists: list[ListCode] = Field(
        default_factory=list,
        description="Restricted-party lists the party is known to be on (until screening runs).",
    )
    owned_50pct_by: list[ListCode] = Field(
        default_factory=list,
        description="Lists on which owners holding 50 % or more (together) of the party appear.",
    )
    owners: list[Owner] | None = Field(
        default=None,
        description=(
            "Declared owners with their shares, screened like the party; leave out when "
            "ownership is not known (an empty list declares no owner of note)."
        ),
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> Party:
        _check_shares(self.owners)
        return self


class Order(_Open):
    """An order (transaction) to decide."""

    id: str = Field(min_length=1, max_length=200, examples=["PO-2026-0042"])
    date: dt.date = Field(description="Picks the rulebook version in force.")
    ship_from: CountryCode = Field(description="Where the items leave from: US = export.")
    ship_to: Destination
    end_use: EndUse = "unknown"
    items: list[Item] = Field(min_length=1)
    parties: list[Party] = Field(min_length=1)

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)


def parse_order(data: Any, *, source: str | None = None) -> Order:
    """Validate a decoded document; every problem is reported with its field."""
    if not isinstance(data, dict):
        raise InvalidInput("an order must be a mapping (YAML/JSON object)", source=source)
    try:
        return Order.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join(str(part) for part in err["loc"]) or "order",
                "problem": str(err["msg"]).removeprefix("Value error, "),
            }
            for err in exc.errors()
        ]
        raise InvalidInput.from_errors(errors, source=source) from None


def load_order(path: Path) -> Order:
    """Read an order from a YAML or JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read the order: {exc.strerror}", source=str(path)) from exc
    except UnicodeDecodeError:
        raise InvalidInput("the order is not UTF-8 text", source=str(path)) from None
    return parse_order(decode_document(text, source=str(path)), source=str(path))


def decode_document(text: str, *, source: str | None = None) -> Any:
    try:
        if text.lstrip().startswith(("{", "[")):
            return json.loads(text)
        return load_yaml(text)
    except (json.JSONDecodeError, YAMLError) as exc:
        raise InvalidInput(f"not valid YAML or JSON: {exc}", source=source) from None
