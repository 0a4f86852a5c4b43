"""Request and response models of the /v1 screening API, with examples for /docs."""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from chipwatch.countries import is_country
from chipwatch.screening.matching import entity_kind

MAX_NAME = 500
MAX_BATCH = 1000
T = TypeVar("T")


def _country(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    code = code.strip().upper()
    if not is_country(code):
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code


def _entity_type(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if entity_kind(value) is None:
        raise ValueError("must be person or company (or individual, entity, organization)")
    return value.strip()


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
Country = Annotated[str | None, AfterValidator(_country)]
EntityType = Annotated[str | None, AfterValidator(_entity_type)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Actor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BatchQuery(_Closed):
    id: str | int | None = Field(None, description="Your reference, echoed (default: position)")
    name: Name
    country: Country = None
    entity_type: EntityType = None


class ScreenRequest(_Closed):
    """One name (``name``) or a batch (``queries``), not both."""

    name: Name | None = Field(None, examples=["浙江大华技术股份有限公司"])
    country: Country = Field(None, description="ISO 3166-1 alpha-2", examples=["CN"])
    entity_type: EntityType = Field(None, description="person or company", examples=["company"])
    limit: int = Field(5, ge=1, le=100, description="Most candidates to return")
    queries: list[BatchQuery] | None = Field(None, min_length=1, max_length=MAX_BATCH)


class Match(BaseModel):
    """A list entry the name may be: score in [0, 1], ``match`` at or above the threshold."""

    name: str
    aliases: list[str]
    source: str
    entry_id: str
    entity_type: str
    countries: list[str]
    programs: list[str]
    score: float
    match: bool
    explanation: dict[str, Any] = Field(
        description="Which query name matched which alias, token pairs, features, threshold, "
        "list and list version"
    )


class ScreenResponse(BaseModel):
    query: str
    country: str | None
    matches: list[Match]
    list_versions: dict[str, str]


class BatchResult(BaseModel):
    id: str | int
    query: str
    country: str | None
    best: Match | None


class BatchScreenResponse(BaseModel):
    results: list[BatchResult]
    list_versions: dict[str, str]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    total: int


class ListVersionOut(BaseModel):
    id: int
    label: str = Field(examples=["csl-csv#3"])
    format: str
    sources: list[str] = Field(examples=[["EL", "MEU", "SDN"]])
    origin: str
    file_sha256: str
    retrieved_at: str
    imported_at: str
    actor: str
    entry_count: int
    previous_id: int | None
    added: int
    changed: int
    removed: int
    current: bool = Field(description="The current version of at least one of its sources")


class ImportOut(ListVersionOut):
    created: bool = Field(description="False: the same file is already the latest version")
    cases_opened: list[int] = Field(description="Cases the re-screen of stored parties opened")
    ignored_rows: dict[str, int]
    notes: list[str]


class DiffRow(BaseModel):
    source: str
    entry_id: str
    name: str


class DiffOut(BaseModel):
    old: int | None
    new: int
    counts: dict[str, int] = Field(examples=[{"added": 1, "changed": 1, "removed": 1}])
    added: list[DiffRow]
    changed: list[DiffRow]
    removed: list[DiffRow]


class FormatOut(BaseModel):
    name: str = Field(examples=["csl-csv"])
    description: str
    extra_files: list[str] = Field(description="Files the CLI takes besides the main one")


class FormatsOut(BaseModel):
    formats: list[FormatOut]


class CaseParty(BaseModel):
    name: str
    country: str
    key: str


class CaseEntry(BaseModel):
    source: str
    entry_id: str
    name: str
    content_hash: str


class DispositionOut(BaseModel):
    status: str
    reason: str
    actor: str
    at: str


class CaseOut(BaseModel):
    id: int
    status: Literal["open", "cleared", "confirmed"]
    opened_at: str
    party: CaseParty
    subject: str
    order_id: str | None
    list_entry: CaseEntry
    score: float
    explanation: dict[str, Any]
    list_version: str
    dispositions: list[DispositionOut]


class DispositionRequest(_Closed):
    reason: Text = Field(examples=["different company: registered in Hefei, not Hangzhou"])
    actor: Actor | None = Field(
        None, description="Who decides (else the X-Chipwatch-Actor header, else 'api')"
    )


class UnscreenedParty(BaseModel):
    name: str
    country: str
    party_key: str
    first_seen_at: str
    status: Literal["not screened"] = "not screened"
