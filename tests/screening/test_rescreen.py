"""A new list version re-screens the parties chipwatch has seen; unscreened parties are shown."""

from __future__ import annotations

from sqlalchemy import func, select

from chipwatch.screening import DeclaredListings
from chipwatch.screening.cases import dispose, get_case, record_screening, unscreened_parties
from chipwatch.screening.matching import ScreeningIndex
from chipwatch.screening.records import ScreenedParty, ScreeningCase
from chipwatch.screening.rescreen import rescreen
from chipwatch.screening.screener import ListScreener
from chipwatch.store import Database
from chipwatch.workflow import check_order
from tests.screening.fixtures import (
    HIT_ID,
    RED_VALLEY_ID,
    V1,
    V2,
    YUANHANG_ID,
    load,
    order,
    party,
)

HIT_HK = party("Harbin Institute of Technology", "HK")  # possible match, entry changes in v2
RED_VALLEY = party("Red Valley Aero Institute")  # possible match, entry unchanged in v2
YUANHANG = party("Yuanhang Microelectronics")  # resembles an entry v2 adds
YUANHANG_ZH = party("深圳远航微电子有限公司")  # exactly the entry v2 adds, in Chinese
ALIBABA = party("Alibaba Cloud Computing Co., Ltd.")  # on no list


def cases_of(db: Database) -> list[tuple[str, str, str]]:
    """(party name, source, entry id) of every case, oldest first."""
    with db.session() as session:
        rows = session.execute(
            select(ScreeningCase.party_name, ScreeningCase.source, ScreeningCase.entry_id).order_by(
                ScreeningCase.id
            )
        )
        return [(n, s, e) for n, s, e in rows]


def test_a_new_version_rescreens_stored_parties_against_changed_entries_only(
    database: Database,
) -> None:
    load(database, V1)
    seen = check_order(database, order(HIT_HK, RED_VALLEY, YUANHANG, ALIBABA), actor="sales")
    hit_case, red_valley_case = seen.case_ids
    with database.transaction() as session:
        dispose(session, hit_case, "cleared", "a different firm in Hong Kong", "officer.kim")

    v2 = load(database, V2)
    opened = rescreen(database, v2.id, actor="lists.bot")

    cases = cases_of(database)
    assert cases[:2] == [
        ("Harbin Institute of Technology", "EL", HIT_ID),
        ("Red Valley Aero Institute", "MEU", RED_VALLEY_ID),
    ]
    # the new version: HIT's entry changed, Yuanhang's was added; Red Valley's is unchanged
    assert sorted(cases[2:]) == [
        ("Harbin Institute of Technology", "EL", HIT_ID),
        ("Yuanhang Microelectronics", "EL", YUANHANG_ID),
    ]
    assert len(opened) == 2 and red_valley_case not in opened and hit_case not in opened
    with database.session() as session:
        views = {get_case(session, i).case.party_name: get_case(session, i) for i in opened}
        new_hit, yuanhang = views["Harbin Institute of Technology"], views[YUANHANG["name"]]
        assert yuanhang.case.order_id is None and yuanhang.case.list_version == "csl-csv#2"
        assert new_hit.case.explanation["previous_disposition"]["status"] == "cleared"
        parties = session.scalars(select(ScreenedParty)).all()
        assert len(parties) == 4
        assert all(p.list_versions["EL"] == "csl-csv#2" for p in parties)
    assert rescreen(database, v2.id, actor="lists.bot") == opened  # idempotent


def test_a_party_now_listed_exactly_gets_a_case(database: Database) -> None:
    load(database, V1)
    assert check_order(database, order(YUANHANG_ZH), actor="sales").case_ids == ()
    v2 = load(database, V2)
    (opened,) = rescreen(database, v2.id, actor="lists.bot")
    with database.session() as session:
        case = get_case(session, opened).case
    assert (case.party_name, case.source, case.entry_id) == (YUANHANG_ZH["name"], "EL", YUANHANG_ID)
    decided = check_order(database, order(YUANHANG_ZH), actor="sales").decision
    assert decided.screening.parties[0].lists == {"entity_list"}  # exact: treated as listed


def test_nothing_to_rescreen(sqlite_database: Database) -> None:
    v1 = load(sqlite_database, V1)
    assert rescreen(sqlite_database, v1.id, actor="lists.bot") == []  # no party seen yet
    check_order(sqlite_database, order(ALIBABA), actor="sales")
    assert rescreen(sqlite_database, v1.id, actor="lists.bot") == []  # seen, matches nothing


def record_unscreened(db: Database, *parties: dict[str, str]) -> None:
    """Remember parties without screening them (a report that searched no list)."""
    the_order = order(*parties)
    report = DeclaredListings().screen(the_order.parties, the_order.date)
    with db.transaction() as session:
        screener = ListScreener(ScreeningIndex(()))
        assert (
            record_screening(
                session, screener, the_order.parties, report, order_id=None, actor="sales"
            )
            == []
        )


def test_a_party_never_screened_is_shown_as_not_screened(database: Database) -> None:
    load(database, V1)
    record_unscreened(database, ALIBABA, party("Zhongxing Lanyun Data Co., Ltd."))
    with database.session() as session:
        names = [p.name for p in unscreened_parties(session)]
    assert names == ["Alibaba Cloud Computing Co., Ltd.", "Zhongxing Lanyun Data Co., Ltd."]
    check_order(database, order(ALIBABA), actor="sales")
    with database.session() as session:
        assert [p.name for p in unscreened_parties(session)] == ["Zhongxing Lanyun Data Co., Ltd."]
        assert session.scalar(select(func.count()).select_from(ScreenedParty)) == 2


def test_a_rescreen_screens_never_screened_parties_against_every_entry(
    database: Database,
) -> None:
    load(database, V1)
    record_unscreened(database, RED_VALLEY)
    v2 = load(database, V2)  # Red Valley's entry is unchanged, but the party was never screened
    (opened,) = rescreen(database, v2.id, actor="lists.bot")
    with database.session() as session:
        assert get_case(session, opened).case.entry_id == RED_VALLEY_ID
        assert unscreened_parties(session) == []
