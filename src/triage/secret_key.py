"""The key that signs session cookies: refused when known or weak, generated and kept on first run."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from triage.storage.urls import sqlite_file

# Placeholders this project or its examples ever used, and the usual suspects: known to everyone.
KNOWN_SECRETS = frozenset({"change-me-in-production", "changeme", "change-me", "secret", "secret-key", "dev", "test"})
MIN_SECRET_LENGTH = 32
# zxcvbn's estimate of guesses (log10): a random 32-character token scores 32; repeated or
# sequential text ("abcd" * 8, "0123456789abcdef" * 2) scores under 5.
MIN_SECRET_GUESSES_LOG10 = 20
SECRET_FILE_NAME = "triage-secret.key"
HOW_TO_FIX = (
    "set TRIAGE_SECRET_KEY to a random value, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
)


class SecretRefused(ValueError):
    """A secret that someone else knows or could guess."""


def check_secret(secret: str, source: str = "TRIAGE_SECRET_KEY") -> None:
    """Refuse placeholder, short and repetitive secrets, saying what to do instead."""
    from zxcvbn import zxcvbn

    if secret.strip().lower() in KNOWN_SECRETS:
        raise SecretRefused(f"{source} is a published placeholder that anyone can sign cookies with; {HOW_TO_FIX}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretRefused(f"{source} has {len(secret)} characters, fewer than {MIN_SECRET_LENGTH}; {HOW_TO_FIX}")
    if zxcvbn(secret[:72])["guesses_log10"] < MIN_SECRET_GUESSES_LOG10:
        raise SecretRefused(f"{source} is repetitive or predictable (words, sequences, repeats); {HOW_TO_FIX}")


def default_secret_file(database_url: str) -> Path:
    """Beside the SQLite database (as its first-run admin account is kept), else the working folder."""
    database = sqlite_file(database_url)
    folder = database.resolve().parent if database is not None else Path.cwd()
    return folder / SECRET_FILE_NAME


def read_secret_file(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretRefused(f"{path} can be read by other users; make it the owner's only: chmod 600 {path}")
    secret = path.read_text(encoding="utf-8").strip()
    check_secret(secret, source=str(path))
    return secret


def create_secret_file(path: Path) -> str:
    """A new random secret in a file only the owner can read. Exclusive create: when several
    server processes start together, one writes it and the others read the same one."""
    secret = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_secret_file(path)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def resolve_secret(*, secret_key: str, secret_file: Path | None, database_url: str, environment: str) -> str:
    """The signing secret: TRIAGE_SECRET_KEY if set (checked), else the kept secret file, else
    (outside production) a new one written there on first run. Production never invents one:
    several replicas must share a secret, so it is refused with what to do."""
    if secret_key:
        check_secret(secret_key)
        return secret_key
    if environment == "test" and secret_file is None:
        return secrets.token_urlsafe(48)  # a throwaway per app: tests leave no files behind
    path = secret_file or default_secret_file(database_url)
    if path.exists():
        return read_secret_file(path)
    if environment == "production":
        raise SecretRefused(f"no secret in production: {HOW_TO_FIX}, or TRIAGE_SECRET_KEY_FILE to a file holding one")
    return create_secret_file(path)
