"""Which profile decides for a council: the configured one, or the default when it cannot be loaded."""

from __future__ import annotations

import logging

from triage.config import Settings
from triage.policy import Profile
from triage.policy.profile import ProfileError, profile_by_name

log = logging.getLogger("triage.service")


class Profiles:
    """Profiles by council, loaded once; callable as `profiles(council)`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: dict[str, Profile] = {}

    def __call__(self, council: str) -> Profile:
        name = self.settings.profile_for(council)
        if name not in self._loaded:
            try:
                self._loaded[name] = profile_by_name(name)
            except ProfileError:
                log.error("profile %s cannot be loaded: using %s", name, self.settings.default_profile)
                self._loaded[name] = profile_by_name(self.settings.default_profile)
        return self._loaded[name]
