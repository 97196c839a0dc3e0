"""The profile schema: a versioned TOML file per council, validated on load with clear errors."""

from __future__ import annotations

import importlib.resources
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from triage.labels import ACTIONS, FLAGS, INTENTS, LABELS

SCHEMA_VERSION = 1
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ProfileError(ValueError):
    """A profile that cannot be used, naming the file, the key and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_flags(flags: list[str]) -> list[str]:
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown flags {sorted(unknown)}; allowed: {list(FLAGS)}")
    return flags


class Rule(_Strict):
    """What a category, intent or situation leads to, and the clause that says so."""

    action: Literal["allow", "respond", "refer", "remove"]
    flags: list[str] = Field(default_factory=list)
    clause: str
    priority: int = 0
    requires_human: bool = False

    _flags = field_validator("flags")(_check_flags)


class CategoryRule(Rule):
    threshold: float = Field(ge=0.0, le=1.0)


class Deadline(_Strict):
    amount: float = Field(gt=0)
    # "minutes" are clock minutes: safeguarding and emergencies are not held until the office opens.
    unit: Literal["minutes", "working_minutes", "working_hours", "working_days"]
    clause: str


REVIEW_DEADLINE = Deadline(
    amount=4,
    unit="working_hours",
    clause="Service standard: an item waiting for a person is seen within half a working day",
)


class Review(_Strict):
    band: float = Field(ge=0.0, le=0.5, description="scores this far below a threshold go to review")
    automatic_actions: list[str]
    clause: str
    # Every item a person must look at has a deadline: its intent's, else this one.
    deadline: Deadline = REVIEW_DEADLINE

    @field_validator("automatic_actions")
    @classmethod
    def _actions(cls, actions: list[str]) -> list[str]:
        unknown = set(actions) - set(ACTIONS)
        if unknown:
            raise ValueError(f"unknown actions {sorted(unknown)}; allowed: {list(ACTIONS)}")
        return actions


class Escalation(_Strict):
    warnings_before_block: int = Field(ge=0)
    block_appeal_months: int | None = Field(default=None, ge=0)
    block_requires_human: bool = True
    clause: str


class Elections(_Strict):
    dates: list[date] = Field(default_factory=list)
    pre_election_weeks: int = Field(default=6, ge=0)
    in_period: Rule
    clause: str


class Duplicates(_Strict):
    min_repeats: int = Field(ge=1, description="earlier copies that make a repeat")
    rule: Rule


class PlatformActions(_Strict):
    """What a removal means on the platform: hide (reversible) or hide then delete where the
    platform allows it (X lets an account hide replies to it, never delete them)."""

    remove: Literal["hide", "delete"] = "hide"
    clause: str = "hide, never delete: reversible, and the default of the tools councils use"


class Profile(_Strict):
    schema_version: int
    id: str
    name: str
    version: str
    seed: str
    nation: Literal["ENG", "WLS", "SCT", "NIR"] = "ENG"
    published_contacts: list[str] = Field(default_factory=list)
    hours: dict[str, tuple[time, time]]
    review: Review
    categories: dict[str, CategoryRule]
    intents: dict[str, Rule] = Field(default_factory=dict)
    deadlines: dict[str, Deadline] = Field(default_factory=dict)
    escalation: Escalation
    elections: Elections | None = None
    duplicates: Duplicates | None = None
    # UK GDPR storage limitation: comment text, handles and notes are purged after this many days.
    retention_days: int = Field(default=365, ge=1, le=3650)
    platform: PlatformActions = Field(default_factory=PlatformActions)
    notes: str = ""

    @field_validator("schema_version")
    @classmethod
    def _schema(cls, version: int) -> int:
        if version != SCHEMA_VERSION:
            raise ValueError(f"schema_version {version} is not supported (this code reads {SCHEMA_VERSION})")
        return version

    @field_validator("hours")
    @classmethod
    def _hours(cls, hours: dict[str, tuple[time, time]]) -> dict[str, tuple[time, time]]:
        for day, (start, end) in hours.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            if end <= start:
                raise ValueError(f"{day}: closing time {end} is not after opening time {start}")
        if not hours:
            raise ValueError("at least one monitored weekday is needed")
        return hours

    @model_validator(mode="after")
    def _labels_and_intents(self) -> Profile:
        unknown = set(self.categories) - set(LABELS)
        if unknown:
            raise ValueError(f"categories: unknown labels {sorted(unknown)}; labels are {list(LABELS)}")
        missing = set(LABELS) - set(self.categories)
        if missing:
            raise ValueError(f"categories: missing labels {sorted(missing)}: every label needs a rule")
        for group in (self.intents, self.deadlines):
            bad = set(group) - set(INTENTS)
            if bad:
                raise ValueError(f"intents/deadlines: unknown intents {sorted(bad)}; intents are {list(INTENTS)}")
        return self


def _explain(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid profile"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_profile(path: Path) -> Profile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such profile; shipped ones: {', '.join(shipped_profiles())}") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: not valid TOML: {error}") from error
    try:
        return Profile.model_validate(raw)
    except ValidationError as error:
        raise ProfileError(_explain(path, error)) from None


def _profiles_dir() -> Path:
    return Path(str(importlib.resources.files("triage.policy") / "profiles"))


def shipped_profiles() -> dict[str, Path]:
    """The profiles in the package, by id (file stem)."""
    return {path.stem: path for path in sorted(_profiles_dir().glob("*.toml"))}


def known_councils(council_profiles: dict[str, str]) -> list[str]:
    """Every council this installation serves: a shipped profile's id or a configured council."""
    return sorted(set(shipped_profiles()) - {"default"} | set(council_profiles))


def published_contacts() -> list[str]:
    """Every shipped council's own published numbers and addresses: never personal information."""
    return [contact for path in shipped_profiles().values() for contact in load_profile(path).published_contacts]


def profile_by_name(name: str) -> Profile:
    """A shipped profile id, or a path to a profile file."""
    shipped = shipped_profiles()
    return load_profile(shipped[name] if name in shipped else Path(name))
