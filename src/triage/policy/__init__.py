"""Council policy profiles and the pure rules engine (DESIGN.md s3). No I/O beyond reading
profile files, no torch, no SQLAlchemy."""

from triage.policy.engine import decide
from triage.policy.profile import Profile, ProfileError, load_profile, shipped_profiles

__all__ = ["Profile", "ProfileError", "decide", "load_profile", "shipped_profiles"]
