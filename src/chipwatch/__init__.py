"""chipwatch: export control for AI accelerators.

classify chips from their specs, decide orders under the rulebook in force on their date,
with reasons and citations. ``chipwatch.service.default()`` loads the bundled data.
"""

__version__ = "0.1.0"
