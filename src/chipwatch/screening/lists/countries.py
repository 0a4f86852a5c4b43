"""Country names and codes as the lists write them, to ISO 3166-1 alpha-2."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Spellings pycountry does not know (OFAC, eCFR and CSL usage), case-folded.
SPELLINGS: dict[str, str] = {
    "burma": "MM",
    "korea, north": "KP",
    "north korea": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "turkey": "TR",
    "turkiye": "TR",
    "laos": "LA",
    "macau": "MO",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "cote d ivoire": "CI",
    "man, isle of": "IM",
    "north macedonia, the republic of": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "palestinian": "PS",
    "prc": "CN",
    "uk": "GB",
    "kosovo": "XK",
}
# Regions the lists name instead of a country; Address.country keeps them as written.
REGIONS: dict[str, str] = {
    "west bank": "PS",
    "gaza": "PS",
    "north gaza": "PS",
    "northern gaza": "PS",
    "northern mali": "ML",
    "crimea": "UA",
    "crimea (occupied)": "UA",
    "crimea region of ukraine": "UA",
}
# Codes outside ISO 3166-1 that the lists use anyway (Kosovo, as the CSL writes it).
EXTRA_CODES = frozenset({"XK"})


def is_code(text: str) -> bool:
    """An ISO alpha-2 code as written (upper case), or one of EXTRA_CODES."""
    return (
        len(text) == 2
        and text.isupper()
        and (text in EXTRA_CODES or pycountry.countries.get(alpha_2=text) is not None)
    )


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """The ISO alpha-2 code for a code or a country name as the lists write it, else None.

    No fuzzy matching: exact names (pycountry name, official or common name, any case) or
    the SPELLINGS and REGIONS tables. ``Region: X`` counts as X.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if is_code(text):
        return text
    if text.casefold().startswith("region:"):
        text = text.split(":", 1)[1].strip()
    key = text.casefold()
    if key in SPELLINGS or key in REGIONS:
        return SPELLINGS.get(key) or REGIONS[key]
    countries = pycountry.countries
    country = (
        countries.get(name=text)
        or countries.get(official_name=text)
        or countries.get(common_name=text)
    )
    return None if country is None else str(country.alpha_2)


def is_region(text: str) -> bool:
    key = " ".join(text.split()).casefold()
    return key.startswith("region:") or key in REGIONS


def country_or_written(text: str) -> str:
    """For Address.country: the ISO code of a country, else (regions too) the text as written."""
    text = text.strip()
    return text if is_region(text) else country_code(text) or text
