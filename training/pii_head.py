"""The PII token head: trained after the fit on the frozen backbone's middle layer, then, per PII
type, the choice of where spans come from (recognisers, head, or both) on the validation split.

Why a second stage on a frozen backbone: the labels' logits, calibration and thresholds stay
exactly as fitted, and the head trains in minutes on a CPU (token features are computed once).
Why a choice per type: the recognisers are exact where a format can be validated (phone numbers
through `phonenumbers`, NI numbers, sort codes, emails); the head reads names and addresses that no
pattern can; which is better for a type is measured, not assumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from training.config import TrainConfig
from training.fit import load_tokenizer
from triage.evaluation import span_scores
from triage.labels import PII_TYPES
from triage.scoring.encoding import encode_batch
from triage.scoring.pii import PII_SOURCES, combine_spans, find_pii
from triage.scoring.pii_tags import gold_tags, predicted_spans

# Types whose recognisers check the format itself (phonenumbers' GB numbering plan, the NI number
# and sort-code rules, Luhn for cards, the email and postcode grammars).
VALIDATED_TYPES = ("phone", "email", "postcode", "ni_number", "bank_details")
# Sources with gold character spans; every other row is drawn as a negative (no PII spans).
SPAN_SOURCES = ("synthetic_pii_uk", "presidio_synth")


@dataclass
class TokenFeatures:
    """One text's middle-layer token states, gold tags and what maps tokens back to the text."""

    states: np.ndarray  # (tokens, hidden), padding removed
    tags: np.ndarray  # gold tag index per token, -100 where ignored (special tokens)
    text: str
    normalised: str
    offsets: list[tuple[int, int]]
    spans: list[dict[str, object]]


def pii_frame(table: pd.DataFrame, split: str, negatives: int, seed: int) -> pd.DataFrame:
    """A split's rows with gold spans, plus up to `negatives` other rows of that split."""
    rows = table[table["split"] == split]
    with_spans = rows[rows["source"].isin(SPAN_SOURCES)]
    # Negatives only where personal_info is known to be absent: a written council comment that
    # carries an address has no gold spans, and must not teach the head that addresses are not PII.
    others = rows[~rows["source"].isin(SPAN_SOURCES) & rows["personal_info_known"] & (rows["personal_info"] == 0)]
    others = others.sample(min(len(others), negatives), random_state=seed)
    return pd.concat([with_spans, others], ignore_index=True)


@torch.inference_mode()
def token_features(model, frame: pd.DataFrame, config: TrainConfig, batch: int = 64, log=print) -> list[TokenFeatures]:  # type: ignore[no-untyped-def]
    tokenizer = load_tokenizer(config.base_model)
    tokenizer.enable_truncation(config.max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    features: list[TokenFeatures] = []
    texts, spans = frame["text"].tolist(), [json.loads(v or "[]") for v in frame["pii_spans"]]
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        encoded = encode_batch(tokenizer, chunk)
        hidden = model.backbone(
            input_ids=torch.from_numpy(encoded.ids),
            attention_mask=torch.from_numpy(encoded.mask),
            output_hidden_states=True,
        ).hidden_states
        states = hidden[model.pii_layer].numpy()
        for index, text in enumerate(chunk):
            length = int(encoded.mask[index].sum())
            normalised, offsets = encoded.normalised[index], encoded.offsets[index][:length]
            tags = gold_tags(text, normalised, offsets, spans[start + index])
            features.append(
                TokenFeatures(states[index, :length], np.array(tags), text, normalised, offsets, spans[start + index])
            )
        if (start // batch) % 20 == 0:
            log(f"PII head features: {min(start + batch, len(texts))}/{len(texts)} texts")
    return features


def train_head(model, features: list[TokenFeatures], config: TrainConfig, log=print) -> float:  # type: ignore[no-untyped-def]
    """Fit `model.pii_head` in place on the token states (cross-entropy over tags); the final loss."""
    torch.manual_seed(config.seed)
    states = torch.from_numpy(np.concatenate([f.states for f in features]))
    tags = torch.from_numpy(np.concatenate([f.tags for f in features]))
    keep = tags >= 0
    states, tags = states[keep], tags[keep]
    head = model.pii_head.train()
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-4)
    generator = torch.Generator().manual_seed(config.seed)
    loss = torch.tensor(0.0)
    for epoch in range(config.pii_epochs):
        for batch in torch.randperm(len(tags), generator=generator).split(1024):
            loss = F.cross_entropy(head(states[batch]), tags[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        log(f"PII head epoch {epoch + 1}/{config.pii_epochs}: loss {loss.item():.4f}")
    head.eval()
    return float(loss.item())


@torch.inference_mode()
def head_spans(model, features: list[TokenFeatures]) -> list[list]:  # type: ignore[no-untyped-def]
    spans = []
    for f in features:
        tags = model.pii_head(torch.from_numpy(f.states)).argmax(-1).numpy()
        spans.append(predicted_spans(f.text, f.normalised, f.offsets, tags))
    return spans


def choose_sources(model, features: list[TokenFeatures], log=print) -> tuple[dict[str, str], dict[str, float]]:  # type: ignore[no-untyped-def]
    """Per PII type, the source with the best validation span F1 of that type (ties go to the
    recognisers, then to both: a validated pattern is easier to explain); and the span F1 of
    recognisers alone and of the chosen combination, over all types."""
    recognised = [find_pii(f.text) for f in features]
    from_model = head_spans(model, features)
    gold = [[(int(s["start"]), int(s["end"]), str(s["type"])) for s in f.spans] for f in features]  # type: ignore[call-overload]

    def f1(sources: dict[str, str], kind: str | None = None) -> float:
        predicted = [
            [(s.start, s.end, s.type) for s in combine_spans(f.text, r, m, sources) if kind in (None, s.type)]
            for f, r, m in zip(features, recognised, from_model, strict=True)
        ]
        wanted = [[g for g in spans if kind in (None, g[2])] for spans in gold]
        return span_scores(wanted, predicted)["f1"]

    chosen: dict[str, str] = {}
    for kind in PII_TYPES:
        # A validated format is never dropped for the model's reading: the head may only add to it.
        allowed = ("rules", "both") if kind in VALIDATED_TYPES else PII_SOURCES
        scores = {source: f1({kind: source}, kind) for source in allowed}
        chosen[kind] = max(allowed, key=lambda s: (scores[s], -PII_SOURCES.index(s)))
        log(
            f"PII {kind}: validation span F1 "
            + ", ".join(f"{s} {v:.3f}" for s, v in scores.items())
            + f" -> {chosen[kind]}"
        )
    metrics = {"val_pii_span_f1_rules": f1({}), "val_pii_span_f1": f1(chosen)}
    log(
        f"PII validation span F1: recognisers {metrics['val_pii_span_f1_rules']:.3f}, chosen {metrics['val_pii_span_f1']:.3f}"
    )
    return chosen, metrics


def fit_pii_head(model, table: pd.DataFrame, config: TrainConfig, log=print) -> tuple[dict[str, str], dict[str, float]]:  # type: ignore[no-untyped-def]
    """Train the head on the train split, choose the sources on validation; never on test."""
    train = pii_frame(table, "train", config.pii_negatives, config.seed)
    if not train["source"].isin(SPAN_SOURCES).any():
        log("no rows with PII spans in the table: the bundle keeps the recognisers alone")
        return {}, {}
    val = pii_frame(table, "val", config.pii_negatives // 4, config.seed)
    log(f"PII head: {len(train)} training texts, {len(val)} validation texts")
    train_head(model, token_features(model, train, config, log=log), config, log=log)
    return choose_sources(model, token_features(model, val, config, log=log), log=log)
