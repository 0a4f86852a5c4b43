"""Where the official list files are published, and fetching them with ``urllib``."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from chipwatch.errors import ChipwatchError, InvalidInput

CSL_BASE = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
# OFAC's Sanctions List Service. The files' older home, https://www.treasury.gov/ofac/downloads/
# (sdn.csv, alt.csv, add.csv), predates it.
OFAC_BASE = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
USER_AGENT = "chipwatch (restricted-party list update)"  # some hosts refuse urllib's default


@dataclass(frozen=True, slots=True)
class OfficialSource:
    """One downloadable list: its parser format, main file URL and extra files' URLs."""

    name: str
    fmt: str
    url: str
    extra_urls: dict[str, str] = field(default_factory=dict)
    description: str = ""


OFFICIAL_SOURCES: dict[str, OfficialSource] = {
    source.name: source
    for source in (
        OfficialSource(
            "csl",
            "csl-csv",
            CSL_BASE + "consolidated.csv",
            description="trade.gov Consolidated Screening List (all 12 lists), CSV",
        ),
        OfficialSource(
            "csl-json",
            "csl-json",
            CSL_BASE + "consolidated.json",
            description="trade.gov Consolidated Screening List (all 12 lists), JSON",
        ),
        OfficialSource(
            "ofac-sdn",
            "ofac-sdn",
            OFAC_BASE + "SDN.CSV",
            {"alt": OFAC_BASE + "ALT.CSV", "add": OFAC_BASE + "ADD.CSV"},
            description="OFAC Specially Designated Nationals list, with aliases and addresses",
        ),
        OfficialSource(
            "ofac-cons",
            "ofac-cons",
            OFAC_BASE + "CONS_PRIM.CSV",
            {"alt": OFAC_BASE + "CONS_ALT.CSV", "add": OFAC_BASE + "CONS_ADD.CSV"},
            description="OFAC non-SDN consolidated list (SSI, FSE, PLC, CAPTA, CMIC, NS-MBS)",
        ),
    )
}


class DownloadFailed(ChipwatchError):
    """An official list could not be fetched (network, HTTP error, empty reply)."""

    status = 502
    title = "List download failed"


class Opener(Protocol):
    """What ``fetch`` needs of an opener; ``urllib.request.build_opener()`` gives one."""

    def open(self, fullurl: urllib.request.Request, /, *, timeout: float) -> Any: ...


def fetch(
    source_name: str, *, timeout: float = 60.0, opener: Opener | None = None
) -> tuple[bytes, dict[str, bytes]]:
    """The main file's bytes and each extra file's, as ``parse_list`` takes them."""
    source = OFFICIAL_SOURCES.get(source_name)
    if source is None:
        known = ", ".join(OFFICIAL_SOURCES)
        raise InvalidInput(f"no official source {source_name!r} (known: {known})", field="source")
    http_opener: Opener = opener or urllib.request.build_opener()
    main = _download(source, source.name, source.url, http_opener, timeout)
    extra = {
        key: _download(source, f"{source.name} ({key})", url, http_opener, timeout)
        for key, url in source.extra_urls.items()
    }
    return main, extra


def _download(
    source: OfficialSource, label: str, url: str, opener: Opener, timeout: float
) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            body: bytes = response.read()
    except urllib.error.HTTPError as exc:
        reason = f"HTTP {exc.code} {exc.reason}"
    except urllib.error.URLError as exc:
        reason = str(exc.reason)
    except TimeoutError:
        reason = f"no answer within {timeout:g} s"
    except (OSError, http.client.HTTPException) as exc:
        reason = str(exc) or type(exc).__name__
    else:
        if body:
            return body
        reason = "the server sent an empty file"
    raise DownloadFailed(
        f"could not download {label} from {url}: {reason}; use `chipwatch lists import FILE "
        f"--format {source.fmt}` with a file you downloaded"
    )
