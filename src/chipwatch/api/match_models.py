"""The request and response shapes of yente's match API, as chipwatch fills them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chipwatch.screening.matching import MatchConfig

ALGORITHM = "chipwatch-v1"
#: Query schemas → the entity kind the index scores with (None: either).
SCHEMA_KINDS: dict[str, str | None] = {
    "Person": "person",
    "Company": "company",
    "Organization": "company",
    "LegalEntity": None,
}
_CONFIG = MatchConfig()
FEATURES: dict[str, dict[str, Any]] = {
    "name": {
        "description": "Weighted token alignment of the query name with the entry's best alias "
        "(Latin, Chinese script via pinyin and the glossary; legal forms set aside).",
        "coefficient": 1.0,
        "url": "docs/api.md#post-matchdataset",
    },
    "country": {
        "description": f"+{_CONFIG.country_match} when the query's country is one of the "
        f"entry's, -{_CONFIG.country_mismatch} when the entry names others.",
        "coefficient": 1.0,
        "url": "docs/api.md#post-matchdataset",
    },
    "entity_type": {
        "description": f"-{_CONFIG.type_mismatch} when a Person query meets an entity or an "
        "organisation query meets an individual.",
        "coefficient": 1.0,
        "url": "docs/api.md#post-matchdataset",
    },
}


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["q1"])
    schema_: Literal["Person", "Company", "Organization", "LegalEntity"] = Field(
        alias="schema", examples=["Company"]
    )
    properties: dict[str, str | list[Any]] = Field(
        examples=[{"name": ["浙江大华技术股份有限公司"], "country": ["cn"]}]
    )


class MatchQuery(BaseModel):
    queries: dict[str, EntityExample]
    weights: dict[str, float] = Field(default_factory=dict, description="Accepted, ignored")
    config: dict[str, Any] = Field(default_factory=dict, description="Accepted, ignored")


class FeatureResult(BaseModel):
    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None


class ScoredEntity(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(examples=["EL:e9a2c05bc3ad225e"], description="<list code>:<entry id>")
    caption: str = Field(examples=["Zhejiang Dahua Technology Co., Ltd."])
    schema_: str = Field(alias="schema", examples=["Company"])
    properties: dict[str, list[str]]
    datasets: list[str] = Field(examples=[["EL"]])
    referents: list[str] = Field(default_factory=list)
    target: bool = True
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None
    score: float
    match: bool = Field(description="At or above the threshold (never on a weak alias alone)")
    features: dict[str, float]
    explanations: dict[str, FeatureResult]


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntity]
    total: TotalSpec
    query: EntityExample


class FeatureDoc(BaseModel):
    description: str
    coefficient: float
    url: str


class MatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: dict[str, FeatureDoc]
    limit: int
    algorithm: dict[str, str] = Field(examples=[{"requested": "logic-v2", "used": ALGORITHM}])


class Algorithm(BaseModel):
    name: str
    description: str
    features: dict[str, FeatureDoc]


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str
    best: str


class DatasetModel(BaseModel):
    name: str
    title: str
    version: str
    load: bool = True
    index_current: bool = True
    children: list[str]


class CatalogResponse(BaseModel):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False
