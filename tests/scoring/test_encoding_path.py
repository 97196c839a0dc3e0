"""One encode path: training tokenises and normalises exactly as serving does (no train/serve skew)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer

from training.fit import encode as training_encode
from triage.scoring.encoding import encode_batch, load_tokenizer

TOKENIZER = Path("models/minilm-policy/tokenizer.json")
TEXTS = [
    "When is my bin collected?",
    "Y0u are an 1d10t and a ＦＯＯＬ",  # leetspeak and full-width letters: normalised before tokenising
    "ring 07911 123456",
    "",
    "a very long comment " * 40,  # truncated to the same length
]


@pytest.mark.skipif(not TOKENIZER.exists(), reason="no shipped bundle")
def test_training_and_serving_encode_the_same_token_ids() -> None:
    served = encode_batch(load_tokenizer(TOKENIZER, max_length=64), TEXTS)
    ids, mask = training_encode(Tokenizer.from_file(str(TOKENIZER)), TEXTS, max_length=64)
    assert np.array_equal(ids.numpy(), served.ids) and np.array_equal(mask.numpy(), served.mask)
    assert served.ids.shape == (len(TEXTS), 64)
