"""yente-compatible matching: ``POST /match/{dataset}``, ``GET /algorithms``, ``GET /catalog``.

Clients of OpenSanctions' yente can point at chipwatch: requests and responses have the shape
of yente's match API; the scores are chipwatch's (algorithm ``chipwatch-v1``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from chipwatch.api.deps import DatabaseDep
from chipwatch.api.match_models import (
    ALGORITHM,
    FEATURES,
    SCHEMA_KINDS,
    AlgorithmResponse,
    CatalogResponse,
    EntityExample,
    EntityMatches,
    MatchQuery,
    MatchResponse,
    ScoredEntity,
    TotalSpec,
)
from chipwatch.api.screening_models import MAX_BATCH, MAX_NAME
from chipwatch.api.screening_routes import PROBLEM, require_screener
from chipwatch.errors import InvalidInput, NotFound
from chipwatch.screening.entries import SOURCES, ListEntry
from chipwatch.screening.lists.countries import country_code
from chipwatch.screening.matching import Hit, ScreeningIndex
from chipwatch.screening.repository import current_versions

router = APIRouter(tags=["matching (yente-compatible)"])

#: Dataset names besides "default"/"all" and the list codes; the us_* names that OpenSanctions
#: also uses (us_trade_csl, us_ofac_sdn, us_ofac_cons, us_bis_denied, us_ddtc_debarred) cover
#: the same lists there.
DATASETS: dict[str, tuple[str, ...]] = {
    "us_trade_csl": tuple(SOURCES),
    "us_ofac_sdn": ("SDN",),
    "us_ofac_cons": ("NONSDN", "SSI", "FSE", "PLC", "CAP", "CMIC", "MBS"),
    "us_bis_denied": ("DPL",),
    "us_bis_entity_list": ("EL",),
    "us_bis_meu": ("MEU",),
    "us_bis_unverified": ("UVL",),
    "us_ddtc_debarred": ("DTC",),
    "us_state_isn": ("ISN",),
}
EVERYTHING = ("default", "all")
NAME_PROPERTIES = ("name", "alias", "previousName")
MAX_COUNTRIES = 10  # every name is searched with every country
COUNTRY_PROPERTIES = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")
MAX_NAMES = 20
SEARCH_DEPTH = 500  # candidates per name before the dataset filter (the index returns fewer)
EXAMPLE_MATCH: dict[str, Any] = {
    "queries": {
        "q1": {
            "schema": "Company",
            "properties": {"name": ["浙江大华技术股份有限公司"], "country": ["cn"]},
        },
        "q2": {"schema": "Person", "properties": {"name": ["Ivan Testov"], "nationality": ["ru"]}},
    }
}


def resolve_dataset(name: str, loaded: Iterable[str]) -> frozenset[str]:
    """The loaded list codes a dataset name stands for; NotFound for an unknown or unloaded one."""
    loaded = frozenset(loaded)
    if name.lower() in EVERYTHING:
        return loaded
    wanted = {name.upper()} if name.upper() in SOURCES else set(DATASETS.get(name.lower(), ()))
    if not wanted:
        known = ", ".join([*EVERYTHING, *DATASETS])
        raise NotFound(
            f"unknown dataset '{name}'; known: {known}, or a list code ({', '.join(SOURCES)})",
            field="dataset",
        )
    if not wanted & loaded:
        raise NotFound(
            f"dataset '{name}' is not loaded (loaded lists: {', '.join(sorted(loaded))})",
            field="dataset",
        )
    return frozenset(wanted & loaded)


@router.post(
    "/match/{dataset}",
    summary="Query-by-example matching with the request/response shape of yente",
    responses={404: PROBLEM, 409: PROBLEM, 422: PROBLEM},
)
def match(
    database: DatabaseDep,
    response: Response,
    dataset: str,
    body: Annotated[MatchQuery, Body(examples=[EXAMPLE_MATCH])],
    limit: Annotated[int, Query(ge=1, le=500, description="Results per query")] = 5,
    threshold: Annotated[
        float | None,
        Query(ge=0, le=1, description="`match` at or above this (default: each list's own)"),
    ] = None,
    cutoff: Annotated[float, Query(ge=0, le=1, description="Lowest score returned")] = 0.5,
    algorithm: Annotated[str, Query(description="Accepted and echoed; scoring is ours")] = (
        ALGORITHM
    ),
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies it)
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_entity_ids: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
) -> MatchResponse:
    """`dataset`: `default` or `all` (every loaded list), a list code (`EL`, `SDN`, ...) or one
    of the `us_*` names. Each query's names (`name`, `alias`, `previousName`) are searched
    with each of its countries (`country`, `jurisdiction`, `nationality`, ...); an entry keeps
    its best score. `weights` and `config` are accepted and ignored."""
    if not body.queries:
        raise InvalidInput("no queries given", field="queries")
    if len(body.queries) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} queries per request", field="queries")
    searches = {key: _search_terms(key, example) for key, example in body.queries.items()}
    screener = require_screener(database)
    loaded = set(screener.list_versions)
    sources = resolve_dataset(dataset, loaded)
    if include_dataset:
        sources &= frozenset().union(*(resolve_dataset(d, loaded) for d in include_dataset))
    for excluded in exclude_dataset:
        sources -= resolve_dataset(excluded, loaded)
    cutoff = min(cutoff, threshold) if threshold is not None else cutoff
    responses = {
        key: _match_one(
            screener.index,
            terms,
            sources,
            threshold,
            cutoff,
            limit,
            exclude_entity_ids,
            exclude_schema,
        )
        for key, terms in searches.items()
    }
    response.headers["x-batch-size"] = str(len(responses))
    return MatchResponse(
        responses=responses,
        matcher=FEATURES,
        limit=limit,
        algorithm={"requested": algorithm, "used": ALGORITHM},
    )


Terms = tuple[list[str], list[str], str | None, EntityExample]


def _match_one(
    index: ScreeningIndex,
    terms: Terms,
    sources: frozenset[str],
    threshold: float | None,
    cutoff: float,
    limit: int,
    exclude_ids: list[str],
    exclude_schemas: list[str],
) -> EntityMatches:
    """Search every name with every country; each entry keeps its best-scoring hit."""
    names, countries, kind, echo = terms
    best: dict[str, tuple[Hit, str | None]] = {}
    tried: list[str | None] = [*countries] or [None]
    for name in names:
        for country in tried:
            for hit in index.search(
                name, country=country, entity_type=kind, limit=SEARCH_DEPTH, min_score=cutoff
            ):
                entity_id = hit.entry.key
                if hit.entry.source not in sources or entity_id in exclude_ids:
                    continue
                if entity_id not in best or hit.score > best[entity_id][0].score:
                    best[entity_id] = (hit, country)
    ranked = sorted(best.values(), key=lambda found: (-found[0].score, found[0].entry.key))
    results = [_scored(index, hit, country, threshold) for hit, country in ranked]
    results = [r for r in results if r.schema_ not in exclude_schemas]
    return EntityMatches(
        status=200,
        results=results[:limit],
        total=TotalSpec(value=len(results)),
        query=echo,
    )


def _search_terms(key: str, example: EntityExample) -> Terms:
    """Names, countries and entity kind of one query, and its cleaned echo; 422 if unusable."""
    properties = {
        prop: [str(v).strip() for v in (values if isinstance(values, list) else [values])]
        for prop, values in example.properties.items()
    }
    properties = {prop: [v for v in values if v] for prop, values in properties.items()}
    field = f"queries.{key}.properties"
    names = list(dict.fromkeys(v for p in NAME_PROPERTIES for v in properties.get(p, [])))
    problems: list[dict[str, str]] = []
    if not properties.get("name"):
        problems.append({"field": f"{field}.name", "problem": "at least one name is required"})
    if len(names) > MAX_NAMES:
        problems.append({"field": f"{field}.name", "problem": f"more than {MAX_NAMES} names"})
    problems += [
        {"field": f"{field}.name", "problem": f"longer than {MAX_NAME} characters"}
        for n in names
        if len(n) > MAX_NAME
    ]
    countries: list[str] = []
    for prop in COUNTRY_PROPERTIES:
        for value in properties.get(prop, []):
            code = country_code(value.upper() if len(value) == 2 else value)
            if code is None:
                problems.append(
                    {"field": f"{field}.{prop}", "problem": f"unknown country {value!r}"}
                )
            elif code not in countries:
                countries.append(code)
    if len(countries) > MAX_COUNTRIES:
        problems.append({"field": f"{field}.country", "problem": f"more than {MAX_COUNTRIES}"})
    if problems:
        raise InvalidInput.from_errors(problems)
    echo = EntityExample.model_validate(
        {"id": example.id, "schema": example.schema_, "properties": properties}
    )
    return names, countries, SCHEMA_KINDS[example.schema_], echo


def _scored(
    index: ScreeningIndex, hit: Hit, country: str | None, threshold: float | None
) -> ScoredEntity:
    entry, exp = hit.entry, hit.explanation
    weak_only = exp["alias_kind"] == "weak_alias"
    is_match = hit.match if threshold is None else hit.score >= threshold and not weak_only
    features: dict[str, float] = dict(exp["features"])
    return ScoredEntity.model_validate(
        {
            "id": entry.key,
            "caption": entry.name,
            "schema": _schema(index, entry),
            "properties": _properties(entry),
            "datasets": [entry.source],
            "score": hit.score,
            "match": is_match,
            "features": features,
            "explanations": _explanations(hit, country),
        }
    )


def _schema(index: ScreeningIndex, entry: ListEntry) -> str:
    if entry.entity_type == "individual":
        return "Person"
    if entry.entity_type in ("vessel", "aircraft"):
        return "Vessel" if entry.entity_type == "vessel" else "Airplane"
    if index.normalizer.form(entry.name).legal_forms:
        return "Company"
    return "Organization" if entry.entity_type == "entity" else "LegalEntity"


def _properties(entry: ListEntry) -> dict[str, list[str]]:
    properties = {
        "name": [entry.name],
        "alias": list(entry.aliases),
        "country": [c.lower() for c in entry.countries],
        "program": list(entry.programs),
        "sourceUrl": [entry.source_url] if entry.source_url else [],
    }
    if entry.weak_aliases:
        properties["weakAlias"] = list(entry.weak_aliases)
    addresses = [
        ", ".join(p for p in (a.address, a.city, a.state, a.postal_code, a.country) if p)
        for a in entry.addresses
    ]
    if any(addresses):
        properties["address"] = [a for a in addresses if a]
    return properties


def _explanations(hit: Hit, country: str | None) -> dict[str, dict[str, Any]]:
    exp = hit.explanation
    features = exp["features"]
    pairs = ", ".join(f"{p['query']}≈{p['alias']} ({p['similarity']})" for p in exp["token_pairs"])
    unmatched = exp["unmatched_query_tokens"] + exp["unmatched_alias_tokens"]
    detail = f"'{exp['query']}' matched the {exp['alias_kind']} '{exp['matched_alias']}'"
    detail += f": {pairs}" if pairs else ""
    detail += f"; unmatched: {' '.join(unmatched)}" if unmatched else ""
    detail += "".join(f"; {note}" for note in exp.get("notes", ()))
    found: dict[str, dict[str, Any]] = {
        "name": {
            "score": features["name"],
            "detail": detail,
            "query": exp["query"],
            "candidate": exp["matched_alias"],
        }
    }
    entry_countries = ", ".join(hit.entry.countries)
    if "country" in features:
        agrees = features["country"] > 0
        found["country"] = {
            "score": features["country"],
            "detail": f"{country} {'is' if agrees else 'is not'} among the entry's countries "
            f"({entry_countries})",
            "query": country,
            "candidate": entry_countries,
        }
    if "entity_type" in features:
        found["entity_type"] = {
            "score": features["entity_type"],
            "detail": f"the query's schema does not fit the entry's type ({hit.entry.entity_type})",
            "query": None,
            "candidate": hit.entry.entity_type,
        }
    return found


@router.get("/algorithms", summary="The scoring algorithms (chipwatch has one)")
def algorithms() -> AlgorithmResponse:
    return AlgorithmResponse.model_validate(
        {
            "algorithms": [
                {
                    "name": ALGORITHM,
                    "description": "chipwatch's cross-script name matcher: weighted token "
                    "alignment over the best alias, with country and entity type",
                    "features": FEATURES,
                }
            ],
            "default": ALGORITHM,
            "best": ALGORITHM,
        }
    )


@router.get("/catalog", summary="The loaded lists as yente datasets")
def catalog(database: DatabaseDep) -> CatalogResponse:
    with database.session() as session:
        labels = {source: v.label for source, v in current_versions(session).items()}
    datasets = [
        {"name": code, "title": SOURCES.get(code, code), "version": label, "children": []}
        for code, label in sorted(labels.items())
    ]
    groups = {name: codes for name, codes in DATASETS.items() if len(codes) > 1}
    for name, codes in {"default": tuple(labels), **groups}.items():
        children = sorted(set(codes) & set(labels))
        if children:
            version = ",".join(sorted({labels[c] for c in children}))
            datasets.append({"name": name, "title": name, "version": version, "children": children})
    names = [d["name"] for d in datasets]
    return CatalogResponse.model_validate(
        {"datasets": datasets, "current": names, "outdated": [], "index_stale": False}
    )
