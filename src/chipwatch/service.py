"""The shell's one entry point for checking orders: load reference data once, then
classify items, screen parties, build facts and decide."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from chipwatch.catalog.classify import Classification, classify_chip, classify_system
from chipwatch.catalog.loader import Catalog, load_catalog
from chipwatch.catalog.model import ChipModel
from chipwatch.errors import InvalidInput, NotFound
from chipwatch.orders import Order
from chipwatch.rules.decide import decide
from chipwatch.rules.decision import Decision
from chipwatch.rules.facts import build_facts
from chipwatch.rules.loader import load_rulebook
from chipwatch.rules.model import Rulebook
from chipwatch.screening import DeclaredListings, Screener
from chipwatch.settings import get_settings


@dataclass(slots=True)
class Chipwatch:
    """Reference data plus the operations on it. Cheap to call, expensive to build."""

    catalog: Catalog
    rulebook: Rulebook
    screener: Screener = field(default_factory=DeclaredListings)
    _classified: dict[tuple[str, str | None], Classification] = field(
        default_factory=dict, repr=False
    )

    def classify(self, model: ChipModel | str, on: dt.date) -> Classification:
        """The model's class on a day. Pure, so memoised per model and schedule version."""
        chip = self.catalog.resolve(model) if isinstance(model, str) else model
        schedule = self.rulebook.schedule
        version = schedule.version_on(on)
        key = (chip.id, None if version is None else version.id)
        known = self._classified.get(key)
        if known is not None:
            return known if known.on == on else replace(known, on=on)
        if chip.kind == "system":
            inner = [self.catalog.models[c.model] for c in chip.contains]
            result = classify_system(chip, inner, on, schedule)
        else:
            result = classify_chip(chip, on, schedule)
        if version is not None:
            self._classified[key] = result
        return result

    def check(self, order: Order) -> Decision:
        models = []
        for i, line in enumerate(order.items):
            try:
                models.append(self.catalog.resolve(line.model))
            except NotFound as exc:
                raise InvalidInput(exc.problem, field=f"items.{i}.model") from None
        self.rulebook.version_for(order.date)  # fail on the date before classifying
        classifications = [self.classify(model, order.date) for model in models]
        screening = self.screener.screen(order.parties, order.date)
        facts = build_facts(order, models, classifications, screening, self.rulebook.groups)
        return decide(order, facts, self.rulebook)

    def rules_listing(self, on: dt.date | None = None) -> dict[str, Any]:
        """The rulebook's rules (those in force ``on`` a day, if given), citations included."""
        book = self.rulebook
        chosen = book.rules
        if on is not None:
            version = book.version_on(on)
            chosen = version.rules if version else ()
        return {
            "rulebook": book.name,
            "digest": book.digest,
            "reviewed_through": book.reviewed_through.isoformat(),
            "rules": [rule.to_dict() for rule in chosen],
        }

    def versions_listing(self) -> dict[str, Any]:
        book = self.rulebook
        return {
            "rulebook": book.name,
            "digest": book.digest,
            "reviewed_through": book.reviewed_through.isoformat(),
            "versions": [
                {
                    "id": v.id,
                    "from": v.start.isoformat(),
                    "to": v.end.isoformat() if v.end else None,
                    "rules": [r.id for r in v.rules],
                }
                for v in book.versions
            ],
        }

    def catalog_listing(self, on: dt.date) -> dict[str, Any]:
        """Every model with its specs, sources and its class ``on`` a day."""
        models = []
        for m in self.catalog.models.values():
            cls = self.classify(m, on)
            models.append(
                {
                    "id": m.id,
                    "name": m.name,
                    "vendor": m.vendor,
                    "family": m.family,
                    "kind": m.kind,
                    "market": m.market,
                    "designer_country": m.designer_country,
                    "fab_country": m.fab_country,
                    "aliases": list(m.aliases),
                    "dense_tops": m.dense_tops,
                    "die_area_mm2": m.die_area_mm2,
                    "memory_bandwidth_gbs": m.memory_bandwidth_gbs,
                    "interconnect_gbs": m.interconnect_gbs,
                    "tpp": cls.metrics.tpp,
                    "pd": cls.metrics.pd,
                    "eccn": cls.eccn,
                    "confidence": m.confidence,
                    "sources": {k: list(v) for k, v in m.sources.items()},
                    "unknown": m.unknown,
                    "contains": [{"model": c.model, "count": c.count} for c in m.contains],
                }
            )
        return {
            "version": self.catalog.version,
            "digest": self.catalog.digest,
            "classified_on": on.isoformat(),
            "models": models,
        }

    def timeline(self, order: Order) -> list[dict[str, Any]]:
        """The order re-decided under every rulebook version (only its date is replaced),
        with consecutive versions that decide it alike merged into one stretch: how its
        outcome moved as the rules swung."""
        self.check(order)  # the order itself must be decidable (models known, date covered)
        rows: list[dict[str, Any]] = []
        for version in self.rulebook.versions:
            decision = self.check(order.model_copy(update={"date": version.start}))
            row = {
                "from": version.start.isoformat(),
                "to": version.end.isoformat() if version.end else None,
                "versions": [version.id],
                "outcome": decision.outcome,
                "jurisdictions": {c: j.outcome for c, j in decision.jurisdictions.items()},
                "fee_usd": decision.fee_usd,
                "rules": sorted({r.rule_id for r in decision.reasons if r.superseded_by is None}),
            }
            last = rows[-1] if rows else None
            if last and all(
                last[k] == row[k] for k in ("outcome", "jurisdictions", "fee_usd", "rules")
            ):
                last["to"] = row["to"]
                last["versions"].append(version.id)
            else:
                rows.append(row)
        for row in rows:
            start = dt.date.fromisoformat(str(row["from"]))
            end = None if row["to"] is None else dt.date.fromisoformat(str(row["to"]))
            row["includes_order_date"] = start <= order.date and (end is None or order.date <= end)
        return rows


@lru_cache(maxsize=1)
def default() -> Chipwatch:
    """The bundled (or ``CHIPWATCH_*``-configured) catalog and rulebook."""
    settings = get_settings()
    return Chipwatch(load_catalog(settings.catalog_file), load_rulebook(settings.rulebook_dir))
