"""Check a batch file of written council comments against the corpus format and the guide's conventions.

Usage: python3 check_batch.py FILE.jsonl [FILE2.jsonl ...]   (prints problems and a count summary; exit 1 on problems)
"""

import json
import re
import sys
from collections import Counter

LABELS = ["abuse", "threat", "hate", "obscene", "spam", "political", "personal_info", "needs_response"]
INTENTS = ["none", "question", "service_request", "complaint", "foi_or_sar", "safeguarding", "press", "emergency", "compliment"]
PLATFORMS = ["facebook", "x", "instagram"]
HARD_CASES = [
    "idiom_violence", "safety_warning", "protest_not_threat", "criticism_no_insult", "swearing_at_things",
    "stance_label", "mild_words", "place_name", "described_swearing", "policy_complaint_no_slur",
    "party_mentioned_neutrally", "election_logistics", "councillor_insult_no_party", "contact_not_pii",
    "own_health", "community_not_spam", "opinion_not_complaint", "how_to_foi", "physical_hazard",
]
FIELDS = {"id", "text", "platform", "post_topic", *LABELS, "intent", "hard_case", "dup_group", "language"}
UK_MOBILE = re.compile(r"\b07\d{3}\s?\d{3}\s?\d{3}\b")
DRAMA_MOBILE = re.compile(r"\b07700\s?900\s?\d{3}\b")


def problems(row: dict) -> list[str]:
    out = []
    missing = FIELDS - row.keys()
    extra = row.keys() - FIELDS
    if missing or extra:
        out.append(f"fields missing {sorted(missing)} extra {sorted(extra)}")
        return out
    if not isinstance(row["text"], str) or not row["text"].strip():
        out.append("empty text")
    if row["platform"] not in PLATFORMS:
        out.append(f"platform {row['platform']!r}")
    if row["intent"] not in INTENTS:
        out.append(f"intent {row['intent']!r}")
    if any(row[label] not in (0, 1) for label in LABELS):
        out.append("labels must be 0 or 1")
    needs = row["intent"] not in ("none", "compliment")
    if row["needs_response"] != int(needs):
        out.append("convention 1: needs_response must be 1 exactly when intent is not none/compliment")
    if row["hate"] and not row["abuse"]:
        out.append("convention 5: hate implies abuse")
    if row["hard_case"] is not None and row["hard_case"] not in HARD_CASES:
        out.append(f"hard_case {row['hard_case']!r}")
    if row["language"] not in ("en", "cy"):
        out.append("language must be en or cy")
    for number in UK_MOBILE.findall(row["text"]):
        if not DRAMA_MOBILE.fullmatch(number):
            out.append(f"mobile {number} outside Ofcom's drama range 07700 900000-900999")
    for domain in re.findall(r"@([\w.-]+\.\w+)", row["text"]) + re.findall(r"https?://([\w.-]+)", row["text"]):
        if not re.search(r"(^|\.)example\.(com|org|net)$|\.example$|(^|\.)gov\.uk$", domain):
            out.append(f"domain {domain} is not an example domain")
    return out


def main(paths: list[str]) -> int:
    rows, bad = [], 0
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    print(f"{path}:{number}: not JSON ({error})")
                    bad += 1
                    continue
                for problem in problems(row):
                    print(f"{path}:{number} {row.get('id')}: {problem}")
                    bad += 1
                rows.append(row)
    ids = Counter(row.get("id") for row in rows)
    for duplicate in [i for i, n in ids.items() if n > 1]:
        print(f"duplicate id {duplicate}")
        bad += 1
    texts = Counter(" ".join(str(row.get("text", "")).lower().split()) for row in rows)
    print(f"rows {len(rows)}; identical texts repeated: {sum(n - 1 for n in texts.values() if n > 1)}")
    print("labels:", {label: sum(row.get(label, 0) for row in rows) for label in LABELS})
    print("intents:", dict(Counter(row.get("intent") for row in rows)))
    clean = sum(1 for row in rows if not any(row.get(label) for label in LABELS))
    multi = sum(1 for row in rows if sum(row.get(label, 0) for label in LABELS) >= 2)
    print(f"clean (no label) {clean} ({clean / max(len(rows), 1):.0%}); multi-label {multi} ({multi / max(len(rows), 1):.0%})")
    print("platforms:", dict(Counter(row.get("platform") for row in rows)))
    print("hard cases:", dict(Counter(row.get("hard_case") for row in rows if row.get("hard_case"))))
    print("dup groups:", len({row["dup_group"] for row in rows if row.get("dup_group")}))
    print("topics:", len({row.get("post_topic") for row in rows}))
    print(f"problems: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
