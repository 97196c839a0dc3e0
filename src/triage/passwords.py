"""Which passwords people may choose: NCSC guidance, length plus a deny-list, no composition rules."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# zxcvbn score 3: at least 10^8 guesses against its frequency lists of the 30,000 most common
# passwords, names and English words, with keyboard walks, repeats, sequences, dates and l33t
# spellings of them ("aaaaaaaaaa", "1234567890", "password12", "P@ssw0rd123" all score 0 or 1).
MIN_ZXCVBN_SCORE = 3
ADVICE = "choose a longer passphrase, such as three or four random words"


class PasswordRefused(ValueError):
    """A password that is too short, too long, or common enough to be guessed."""


def check_password(password: str, *, username: str = "") -> None:
    """Refuse a password that NCSC guidance says to deny (never says why in more detail than needed)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(f"passwords need at least {MIN_PASSWORD_LENGTH} characters; {ADVICE}")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordRefused(f"passwords may have at most {MAX_PASSWORD_LENGTH} characters")
    # zxcvbn reads 72 characters at most; a longer password is judged by its start.
    if zxcvbn(password[:72], user_inputs=[username, "triage", "council"])["score"] < MIN_ZXCVBN_SCORE:
        raise PasswordRefused(f"that password is too common or too easy to guess; {ADVICE}")
