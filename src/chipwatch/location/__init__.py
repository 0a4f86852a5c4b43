"""Where a chip is, from signed round-trip times to landmarks (docs/location.md).

``verify_report`` judges one report (the CLI and API path); ``verify_batch`` judges arrays of
reports at once (the same geometric verdict, vectorised).
"""

from chipwatch.location.explain import LocationVerdict
from chipwatch.location.reference import Landmark, Reference, Site
from chipwatch.location.report import AttestationReport, Measurement, parse_report
from chipwatch.location.verdicts import VERDICTS, BatchVerdicts, verify_batch
from chipwatch.location.verify import Policy, verify_report

__all__ = [
    "VERDICTS",
    "AttestationReport",
    "BatchVerdicts",
    "Landmark",
    "LocationVerdict",
    "Measurement",
    "Policy",
    "Reference",
    "Site",
    "parse_report",
    "verify_batch",
    "verify_report",
]
