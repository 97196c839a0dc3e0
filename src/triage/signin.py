"""Signing people in and out: throttled per account and per address, every failure audited
(without the password, the name typed or the address), a server-side session on success."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from triage.shared_state import SignInThrottle
from triage.storage import repo
from triage.storage.accounts import Account, authenticate, find_user
from triage.storage.sessions import end_session, open_session

log = logging.getLogger("triage.signin")


@dataclass(frozen=True)
class SignInOutcome:
    user: Account | None = None
    token: str | None = None  # the new session's, for the signed cookie
    retry_after: int | None = None  # set when a throttle refused the attempt unchecked


def sign_in(
    session: Session, *, username: str, password: str, address: str, throttle: SignInThrottle, now: datetime
) -> SignInOutcome:
    """Check the password unless a throttle holds; on success open a session (committed)."""
    held = throttle.retry_after(account=username, address=address)
    if held is not None:
        _audit_failure(session, username, reason=f"throttled_by_{held[0]}", now=now)
        return SignInOutcome(retry_after=held[1])
    user = authenticate(session, username=username, password=password)
    if user is None:
        throttle.failed(account=username, address=address)
        _audit_failure(session, username, reason="bad_credentials", now=now)
        return SignInOutcome()
    throttle.succeeded(account=username)
    token = open_session(session, user_id=user.id, now=now)
    actor = f"user:{user.id}"
    repo.audit(session, actor=actor, kind="sign_in", subject=actor, council=None, detail={}, now=now)
    session.commit()
    return SignInOutcome(user=user, token=token)


def _audit_failure(session: Session, username: str, *, reason: str, now: datetime) -> None:
    # The name typed is not kept: people type passwords into the name field. An account that
    # exists is named by its id; a disabled one fails like a wrong password.
    known = find_user(session, username=username)
    subject = f"user:{known.id}" if known is not None else "unknown_account"
    detail = {"reason": reason}
    repo.audit(session, actor="anonymous", kind="sign_in_failed", subject=subject, council=None, detail=detail, now=now)
    session.commit()
    log.warning("sign-in refused (%s) for %s", reason, subject)


def sign_out(session: Session, *, token: str | None, now: datetime) -> None:
    if token:
        end_session(session, token=token, now=now)
        session.commit()
