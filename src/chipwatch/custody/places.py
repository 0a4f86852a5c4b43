"""Sites (data centres) and landmarks (timing servers): created or replaced from files,
listed, removed. Each import is one transaction with one audit record."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chipwatch.custody.documents import LandmarkDoc, SiteDoc, read_records
from chipwatch.custody.model import Chip, Landmark, Site
from chipwatch.errors import Conflict, InvalidInput, NotFound
from chipwatch.store import audit


def read_sites(path: Path) -> list[SiteDoc]:
    return read_records(path, SiteDoc, "sites")


def read_landmarks(path: Path) -> list[LandmarkDoc]:
    return read_records(path, LandmarkDoc, "landmarks")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put_sites(
    session: Session, docs: Sequence[SiteDoc], actor: str, *, source: str = ""
) -> tuple[list[str], list[str]]:
    """Create or replace sites by id; the ids (created, replaced)."""
    _require_actor(actor)
    now = dt.datetime.now(dt.UTC)
    created: list[str] = []
    replaced: list[str] = []
    for doc in docs:
        site = session.get(Site, doc.id)
        (replaced if site is not None else created).append(doc.id)
        if site is None:
            site = Site(id=doc.id)
            session.add(site)
        site.name, site.lat, site.lon, site.country = doc.name, doc.lat, doc.lon, doc.country
        site.operator, site.licence_number, site.end_user = doc.operator, doc.licence, doc.end_user
        site.radius_km, site.check_in_hours = doc.radius_km, doc.check_in_hours
        site.declared_mw, site.updated_at = doc.declared_mw, now
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="custody.sites.import",
        subject=source or "sites",
        payload={
            "created": created,
            "replaced": replaced,
            "sites": [d.model_dump(mode="json") for d in docs],
        },
    )
    return created, replaced


def put_landmarks(
    session: Session, docs: Sequence[LandmarkDoc], actor: str, *, source: str = ""
) -> tuple[list[str], list[str]]:
    """Create or replace landmarks by id; the ids (created, replaced)."""
    _require_actor(actor)
    now = dt.datetime.now(dt.UTC)
    created: list[str] = []
    replaced: list[str] = []
    for doc in docs:
        mark = session.get(Landmark, doc.id)
        (replaced if mark is not None else created).append(doc.id)
        if mark is None:
            mark = Landmark(id=doc.id)
            session.add(mark)
        mark.name, mark.lat, mark.lon, mark.country = doc.name, doc.lat, doc.lon, doc.country
        mark.public_key, mark.vetting = doc.public_key, doc.vetting
        mark.vetted_by, mark.vetted_at, mark.updated_at = doc.vetted_by, doc.vetted_at, now
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="custody.landmarks.import",
        subject=source or "landmarks",
        payload={
            "created": created,
            "replaced": replaced,
            "landmarks": [d.model_dump(mode="json") for d in docs],
        },
    )
    return created, replaced


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.id)))


def list_landmarks(session: Session, *, vetting: str | None = None) -> list[Landmark]:
    query = select(Landmark).order_by(Landmark.id)
    if vetting is not None:
        if vetting not in ("vetted", "provisional", "revoked"):
            raise InvalidInput("must be vetted, provisional or revoked", field="vetting")
        query = query.where(Landmark.vetting == vetting)
    return list(session.scalars(query))


def get_site(session: Session, site_id: str) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"no site '{site_id}'", field="site")
    return site


def get_landmark(session: Session, landmark_id: str) -> Landmark:
    mark = session.get(Landmark, landmark_id)
    if mark is None:
        raise NotFound(f"no landmark '{landmark_id}'", field="landmark")
    return mark


def remove_site(session: Session, site_id: str, actor: str) -> None:
    """Delete a site no chip refers to."""
    _require_actor(actor)
    site = get_site(session, site_id)
    if session.scalar(select(Chip.id).where(Chip.site_id == site_id).limit(1)) is not None:
        raise Conflict(
            f"chips are recorded at site '{site_id}': it cannot be removed", field="site"
        )
    session.delete(site)
    audit.append(
        session,
        actor=actor,
        action="custody.sites.remove",
        subject=site_id,
        payload={"site": site_id},
    )


def remove_landmark(session: Session, landmark_id: str, actor: str) -> None:
    """Delete a landmark (to keep its history, re-import it with ``vetting: revoked``)."""
    _require_actor(actor)
    session.delete(get_landmark(session, landmark_id))
    audit.append(
        session,
        actor=actor,
        action="custody.landmarks.remove",
        subject=landmark_id,
        payload={"landmark": landmark_id},
    )


def _require_actor(actor: str) -> None:
    if not actor.strip():
        raise InvalidInput("an actor is required", field="actor")
