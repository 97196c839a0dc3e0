"""Which language a comment is in, and whether the model can read it (it reads English only).

Welsh councils must treat Welsh no less favourably than English (Welsh Language Standards): a comment
the model cannot read is never removed automatically and goes to an officer with the deadline an
English question would get. py3langid (a maintained fork of langid.py, trained on 97 languages)
tells the language; it is restricted to English, Welsh and the languages most spoken in UK homes
after English (Census 2021), so a short English comment is not taken for one of 90 unlikely ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

CANDIDATES = ("en", "cy", "pl", "ro", "pa", "ur", "pt", "es", "ar", "bn", "gu", "it", "lt", "fr", "de", "tr", "so")
# At or above this probability of English the model's reading is trusted as usual.
ENGLISH_CONFIDENT = 0.9
# Below this probability of English the comment is taken to be in another language.
ENGLISH_UNLIKELY = 0.5
MIN_LETTERS = 10  # fewer letters than this ("ok", "👍👍", "you idiot"): too little to tell a language by
# Short texts are guessed badly ("brilliant news" reads as Welsh): below this many words and letters
# a non-English guess only stops automatic removal, it does not take the comment from the model.
SURE_WORDS, SURE_LETTERS = 3, 15


@dataclass(frozen=True)
class Language:
    code: str
    english: float
    long_enough: bool = True

    @property
    def readable(self) -> bool:
        """The model can read it: English, or too short or too unsure to say it is not."""
        return self.english >= ENGLISH_UNLIKELY or not self.long_enough

    @property
    def unsure(self) -> bool:
        """Readable, but guessed to be another language: the model's reading may not remove it alone."""
        return self.readable and self.code not in ("en", "und") and self.english < ENGLISH_CONFIDENT


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(CANDIDATES))
    return identifier


def load() -> None:
    """Load the identifier now (at start-up) rather than on the first comment."""
    _identifier()


def identify(text: str) -> Language:
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return Language("und", 1.0)
    ranked = dict(_identifier().rank(text))
    code = max(ranked, key=ranked.__getitem__)
    letters = sum(character.isalpha() for character in text)
    long_enough = len(text.split()) >= SURE_WORDS and letters >= SURE_LETTERS
    return Language(code, float(ranked.get("en", 0.0)), long_enough)


def context_fields(text: str) -> dict[str, str | bool]:
    """The language fields of the rules' Context for this text."""
    language = identify(text)
    return {"language": language.code, "language_readable": language.readable, "language_unsure": language.unsure}
