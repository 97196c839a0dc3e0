"""Profiles: every shipped one loads; broken ones are refused with the file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.policy import ProfileError, load_profile, shipped_profiles

SEEDS = {"swale": "000_", "district-001": "001_", "lewes-eastbourne": "002_", "ashfield": "004_"}


def test_every_seed_council_has_a_profile_that_loads() -> None:
    profiles = shipped_profiles()
    for profile_id, seed_prefix in SEEDS.items():
        profile = load_profile(profiles[profile_id])
        assert profile.seed.startswith(seed_prefix)
    assert "default" in profiles


@pytest.mark.parametrize("profile_id", sorted(shipped_profiles()))
def test_every_rule_cites_a_clause(profile_id: str) -> None:
    profile = load_profile(shipped_profiles()[profile_id])
    rules = list(profile.categories.values()) + list(profile.intents.values()) + list(profile.deadlines.values())
    assert all(rule.clause.strip() for rule in rules)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = shipped_profiles()["ashfield"].read_text().replace(old, new, 1)
    assert text != shipped_profiles()["ashfield"].read_text()
    path = tmp_path / "broken.toml"
    path.write_text(text)
    return path


def test_unknown_label_is_refused_with_its_name(tmp_path: Path) -> None:
    path = _broken(tmp_path, "[categories.spam]", "[categories.spamm]")
    with pytest.raises(ProfileError, match=r"(?s)broken\.toml.*categories: unknown labels \['spamm'\]"):
        load_profile(path)


def test_missing_key_is_refused_naming_the_key(tmp_path: Path) -> None:
    path = _broken(tmp_path, "clause = \"004 'Commenting on ...': promoting individual products or services\"\n", "")
    with pytest.raises(ProfileError, match=r"categories\.spam\.clause"):
        load_profile(path)


def test_bad_hours_are_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'monday = ["09:00", "17:00"]', 'monday = ["17:00", "09:00"]')
    with pytest.raises(ProfileError, match="closing time"):
        load_profile(path)


def test_unknown_flag_is_refused(tmp_path: Path) -> None:
    path = _broken(tmp_path, 'flags = ["report_to_police"]', 'flags = ["call_the_army"]')
    with pytest.raises(ProfileError, match="unknown flags"):
        load_profile(path)


def test_missing_file_says_which_profiles_exist(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="ashfield"):
        load_profile(tmp_path / "nope.toml")
