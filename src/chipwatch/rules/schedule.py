"""Load ``classification.yaml``: the 3A090 / 4A090 paragraphs of each version."""

from __future__ import annotations

import itertools
from typing import Any

from chipwatch.catalog.classify import (
    CHIP_FACTS,
    ClassificationSchedule,
    Paragraph,
    ScheduleVersion,
)
from chipwatch.conditions import compile_condition
from chipwatch.errors import InvalidData
from chipwatch.rules.validate import check_evidence, known_keys, mapping, need
from chipwatch.yamlio import as_date

SCHEDULE_KEYS = frozenset({"schema", "bit_lengths", "system_classes", "versions"})
SCHEDULE_VERSION_KEYS = frozenset(
    {"id", "effective_from", "effective_to", "citation", "evidence", "paragraphs", "otherwise"}
)
PARAGRAPH_KEYS = frozenset({"eccn", "paragraph", "text", "when"})


def load_schedule(raw: dict[str, Any]) -> ClassificationSchedule:
    where = "classification.yaml"
    known_keys(raw, SCHEDULE_KEYS, "the file", where)
    bits = mapping(raw, "bit_lengths", where)
    versions = []
    for i, body in enumerate(raw.get("versions") or []):
        at = f"versions[{i}]"
        if not isinstance(body, dict):
            raise InvalidData("must be a mapping", field=at, source=where)
        known_keys(body, SCHEDULE_VERSION_KEYS, at, where)
        for j, para in enumerate(body.get("paragraphs") or []):
            if not isinstance(para, dict):
                raise InvalidData("must be a mapping", field=f"{at}.paragraphs[{j}]", source=where)
            known_keys(para, PARAGRAPH_KEYS, f"{at}.paragraphs[{j}]", where)
        paragraphs = tuple(
            Paragraph(
                eccn=str(need(p, "eccn", f"{at}.paragraphs[{j}].eccn", where)),
                paragraph=str(p.get("paragraph", p["eccn"])),
                text=" ".join(str(need(p, "text", f"{at}.paragraphs[{j}].text", where)).split()),
                when=compile_condition(
                    p.get("when"), CHIP_FACTS, where=f"{where}: {at}.paragraphs[{j}].when"
                ),
            )
            for j, p in enumerate(body.get("paragraphs") or [])
        )
        end = body.get("effective_to")
        versions.append(
            ScheduleVersion(
                id=str(need(body, "id", f"{at}.id", where)),
                effective_from=as_date(body.get("effective_from"), f"{at}.effective_from", where),
                effective_to=None if end is None else as_date(end, f"{at}.effective_to", where),
                citation=str(need(body, "citation", f"{at}.citation", where)),
                evidence=check_evidence(body.get("evidence"), f"{at}.evidence", where),
                paragraphs=paragraphs,
                otherwise=" ".join(str(need(body, "otherwise", f"{at}.otherwise", where)).split()),
            )
        )
    if not versions:
        raise InvalidData("needs at least one version", field="versions", source=where)
    ordered = sorted(versions, key=lambda v: v.effective_from)
    for before, after in itertools.pairwise(ordered):
        if before.effective_to is None or before.effective_to >= after.effective_from:
            raise InvalidData(
                f"{before.id} overlaps {after.id}: a day has two classifications",
                field="versions",
                source=where,
            )
    return ClassificationSchedule(
        {str(k): int(v) for k, v in bits.items()},
        {str(k): str(v) for k, v in mapping(raw, "system_classes", where).items()},
        tuple(versions),
    )
