"""The rulebook as data, its loader, and the pure ``decide`` function."""

from chipwatch.rules.decide import decide
from chipwatch.rules.decision import Decision
from chipwatch.rules.loader import load_rulebook
from chipwatch.rules.model import Rulebook

__all__ = ["Decision", "Rulebook", "decide", "load_rulebook"]
