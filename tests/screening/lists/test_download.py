"""Downloading the official lists, with a fake opener (no network in tests)."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from email.message import Message

import pytest

from chipwatch.errors import InvalidInput
from chipwatch.screening.lists import EXTRA_FILES, FORMATS, parse_list
from chipwatch.screening.lists.download import (
    OFFICIAL_SOURCES,
    USER_AGENT,
    DownloadFailed,
    fetch,
)
from tests.screening.lists import fixture


class FakeOpener:
    """Answers each URL from a table; an exception in the table is raised instead."""

    def __init__(self, answers: dict[str, bytes | Exception]) -> None:
        self.answers = answers
        self.requests: list[tuple[urllib.request.Request, float]] = []

    def open(self, fullurl: urllib.request.Request, /, *, timeout: float) -> io.BytesIO:
        self.requests.append((fullurl, timeout))
        answer = self.answers[fullurl.full_url]
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer)


@pytest.mark.parametrize("name", list(OFFICIAL_SOURCES))
def test_official_sources_are_consistent(name: str) -> None:
    source = OFFICIAL_SOURCES[name]
    assert source.name == name
    assert source.fmt in FORMATS
    assert set(source.extra_urls) <= set(EXTRA_FILES.get(source.fmt, ()))
    assert all(url.startswith("https://") for url in (source.url, *source.extra_urls.values()))


def test_official_urls() -> None:
    assert OFFICIAL_SOURCES["csl"].url == (
        "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
    )
    sdn = OFFICIAL_SOURCES["ofac-sdn"]
    assert sdn.url == (
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.CSV"
    )
    assert sdn.extra_urls["alt"].endswith("/ALT.CSV")
    assert OFFICIAL_SOURCES["ofac-cons"].url.endswith("/CONS_PRIM.CSV")


def test_fetch_gets_the_main_and_extra_files() -> None:
    sdn = OFFICIAL_SOURCES["ofac-sdn"]
    opener = FakeOpener(
        {
            sdn.url: fixture("ofac_sdn.csv"),
            sdn.extra_urls["alt"]: fixture("ofac_alt.csv"),
            sdn.extra_urls["add"]: fixture("ofac_add.csv"),
        }
    )
    main, extra = fetch("ofac-sdn", timeout=5, opener=opener)
    assert main == fixture("ofac_sdn.csv")
    assert extra == {"alt": fixture("ofac_alt.csv"), "add": fixture("ofac_add.csv")}
    assert [timeout for _, timeout in opener.requests] == [5, 5, 5]
    assert all(r.get_header("User-agent") == USER_AGENT for r, _ in opener.requests)
    assert len(parse_list(main, sdn.fmt, extra=extra).entries) == 5


def test_fetch_csl() -> None:
    csl = OFFICIAL_SOURCES["csl"]
    main, extra = fetch("csl", opener=FakeOpener({csl.url: fixture("csl_current.csv")}))
    assert (main, extra) == (fixture("csl_current.csv"), {})


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (urllib.error.URLError("[Errno -2] Name or service not known"), "Name or service"),
        (
            urllib.error.HTTPError("u", 503, "Service Unavailable", Message(), None),
            "HTTP 503 Service Unavailable",
        ),
        (TimeoutError(), "no answer within 60 s"),
        (ConnectionResetError("reset by peer"), "reset by peer"),
        (b"", "empty file"),
    ],
    ids=["dns", "http 503", "timeout", "reset", "empty"],
)
def test_failures_say_what_failed_and_what_to_do(failure: bytes | Exception, reason: str) -> None:
    sdn = OFFICIAL_SOURCES["ofac-sdn"]
    opener = FakeOpener({sdn.url: fixture("ofac_sdn.csv"), sdn.extra_urls["alt"]: failure})
    with pytest.raises(DownloadFailed) as caught:
        fetch("ofac-sdn", opener=opener)
    message = str(caught.value)
    assert message.startswith(f"could not download ofac-sdn (alt) from {sdn.extra_urls['alt']}")
    assert reason in message
    assert "chipwatch lists import FILE --format ofac-sdn" in message
    assert caught.value.status == 502


def test_unknown_source() -> None:
    with pytest.raises(InvalidInput, match="no official source 'sdn'") as caught:
        fetch("sdn", opener=FakeOpener({}))
    assert caught.value.field == "source"
