"""The written council corpus' tooling: near-duplicates, language, leak-free splits, the council suite."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import FakeScorer
from training import council
from training.council_eval import council_metrics
from triage import neardup
from triage.labels import LABELS
from triage.language import identify

ADVERT = "Earn £300 a day from home!! Message me for details, limited spaces left 💰"


def row(identifier: str, text: str, **labels: int) -> dict:
    return (
        {
            "id": identifier,
            "text": text,
            "platform": "facebook",
            "post_topic": "bins",
            "intent": labels.pop("intent", "none"),
            "hard_case": None,
            "dup_group": None,
            "language": "en",
        }
        | dict.fromkeys(LABELS, 0)
        | labels
    )


def test_small_edits_of_a_spam_advert_are_copies_and_other_comments_on_the_post_are_not() -> None:
    edits = [ADVERT.replace("£300", "£350"), ADVERT + " 💰💰", ADVERT.replace("Message me", "Msg me")]
    others = [
        "When is the brown bin collection on Alder Close back to normal?",
        "Earn your keep, council, empty the bins",
    ]
    grouping = neardup.group([ADVERT, *others, *edits])
    assert grouping.first == (0, 1, 2, 0, 0, 0)
    assert neardup.count_copies(edits[0], [ADVERT, *others]) == 1


def test_counting_copies_at_once_agrees_with_comparing_one_by_one() -> None:
    edits = [ADVERT.replace("£300", "£350"), ADVERT + " 💰💰", ADVERT.replace("Message me", "Msg me"), ADVERT]
    others = ["Thanks!", "thanks", "When is the brown bin collection on Alder Close back to normal?", ""]
    earlier = [*edits, *others, *edits]
    for text in (ADVERT, "Thanks!", others[2], "Earn your keep, council, empty the bins", ""):
        one_by_one = sum(neardup.similar(text, other) for other in earlier)
        assert neardup.count_copies(text, earlier) == one_by_one
    assert neardup.count_copies(ADVERT, earlier) == 8
    assert neardup.count_copies("Thanks!", earlier) == 2


def test_short_texts_are_copies_only_when_identical() -> None:
    assert neardup.group(["Thanks!", "thanks :)", "Thanks all"]).first == (0, 0, 2)


def test_welsh_is_not_read_as_english_and_short_guesses_are_unsure() -> None:
    welsh = identify("Pryd fydd y bin yn cael ei gasglu? Mae hi wedi bod dros wythnos bellach")
    assert welsh.code == "cy" and not welsh.readable
    english = identify("When will the bin be collected? It has been over a week now")
    assert english.readable and not english.unsure
    short = identify("Diolch yn fawr")
    assert short.readable and short.unsure
    assert identify("👍👍").readable


def write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_a_near_copy_of_a_test_row_leaves_the_training_split(tmp_path: Path) -> None:
    write(tmp_path / "test", "t.jsonl", [row("T-1", ADVERT, spam=1)])
    write(tmp_path / "dev", "d.jsonl", [row("D-1", "Lovely to see the park tidied up, thank you all")])
    write(
        tmp_path / "train",
        "a.jsonl",
        [row("A-1", ADVERT.replace("£300", "£320"), spam=1), row("A-2", "Bins missed again on Tanner St?")],
    )
    splits, dropped = council.assemble(tmp_path)
    assert [r["id"] for r in splits["train"]] == ["A-2"]
    assert dropped == {"train": 1}
    assert {r["split"] for r in council.table_rows(tmp_path)} == {"train", "val", "test"}


def test_the_second_test_split_is_measured_only_and_outranks_dev_and_train(tmp_path: Path) -> None:
    write(tmp_path / "test", "t.jsonl", [row("T-1", "Bins missed again on Tanner St?")])
    write(tmp_path / "test_b", "g.jsonl", [row("G-1", ADVERT, spam=1), row("G-2", "Bins missed again on Tanner St?")])
    write(tmp_path / "dev", "d.jsonl", [row("D-1", ADVERT.replace("day", "week"), spam=1)])
    write(tmp_path / "train", "a.jsonl", [row("A-1", "Lovely to see the park tidied up, thank you all")])
    splits, dropped = council.assemble(tmp_path)
    assert [r["id"] for r in splits["test_b"]] == ["G-1"] and splits["dev"] == []
    assert dropped == {"test_b": 1, "dev": 1}
    table = {r["text"]: r["split"] for r in council.table_rows(tmp_path)}
    assert table[ADVERT] == "test" and "val" not in table.values()


def test_adjudicated_labels_replace_the_writers_and_agreement_is_measured_before(tmp_path: Path) -> None:
    write(
        tmp_path / "dev",
        "d.jsonl",
        [row("D-1", "you idiot"), row("D-2", "is the tip open?", needs_response=1, intent="question")],
    )
    write(
        tmp_path / "second_labelling",
        "dev.jsonl",
        [row("D-1", "you idiot", abuse=1), row("D-2", "x", needs_response=1, intent="question")],
    )
    write(tmp_path / "adjudication", "dev.jsonl", [{"id": "D-1", "abuse": 1}])
    assert council.read_split(tmp_path, "dev")[0]["abuse"] == 1
    agreement = council.agreement(tmp_path, "dev")
    assert agreement is not None and agreement["kappa"]["abuse"] == 0.0 and agreement["intent_agreement"] == 1.0


def test_council_suite_reads_labels_intents_and_profiles() -> None:
    rows = [
        row("1", "you idiot", abuse=1),
        row("2", "Lovely park"),
        row("3", "Is the tip open?", needs_response=1, intent="question"),
        row("4", "Nice flowers, idiot gardeners"),
    ]
    result = council_metrics(FakeScorer(), rows)
    assert result["per_label"]["abuse"]["precision"] == 0.5 and result["per_label"]["abuse"]["recall"] == 1.0
    assert result["intent_accuracy_needs_response"] == 1.0
    assert result["clean_false_flag_rate"] == 0.5
    for figures in result["profiles"].values():
        assert figures["needs_response_routed"] == 1.0 and figures["harmful"] == 1
