"""ISO 3166 country codes, checked with pycountry."""

from __future__ import annotations

import pycountry


def is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return code if country is None else str(getattr(country, "common_name", country.name))


def all_codes() -> frozenset[str]:
    return frozenset(str(c.alpha_2) for c in pycountry.countries)
