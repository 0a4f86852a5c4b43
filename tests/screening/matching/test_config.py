from __future__ import annotations

from pathlib import Path

import pytest

from chipwatch.errors import InvalidData
from chipwatch.screening.matching import DEFAULT_THRESHOLD, load_match_config


def test_packaged_configuration_loads() -> None:
    config = load_match_config()
    assert config.default_threshold == DEFAULT_THRESHOLD
    assert config.threshold("EL") == DEFAULT_THRESHOLD


def test_per_list_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "matching.yaml"
    path.write_text("default_threshold: 0.85\nthresholds: {EL: 0.8}\n")
    config = load_match_config(path)
    assert config.threshold("EL") == 0.8
    assert config.threshold("SDN") == 0.85


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("default_treshold: 0.8\n", "default_treshold"),
        ("default_threshold: high\n", "default_threshold"),
        ("thresholds: {EL: 1.5}\n", "thresholds"),
        ("- 0.8\n", None),
    ],
)
def test_bad_configuration_is_rejected(tmp_path: Path, text: str, field: str | None) -> None:
    path = tmp_path / "matching.yaml"
    path.write_text(text)
    with pytest.raises(InvalidData) as caught:
        load_match_config(path)
    if field:
        assert field in str(caught.value)


def test_environment_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "matching.yaml"
    path.write_text("default_threshold: 0.9\n")
    monkeypatch.setenv("CHIPWATCH_SCREENING_CONFIG", str(path))
    assert load_match_config().default_threshold == 0.9
