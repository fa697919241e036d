"""GA and PA exactly as BENCHMARKS.md §2 defines them, and the Loghub-2k reader, on hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from forewarn.core.errors import ValidationFailed
from forewarn.evaluation.loghub import (
    SystemScore,
    discover_systems,
    grouping_accuracy,
    load_system,
    mean_scores,
    normalise_template,
    parsing_accuracy,
)


def test_ga_counts_a_line_only_when_its_group_is_exactly_its_true_group():
    truth = ["A", "A", "B", "B", "C"]
    assert grouping_accuracy([7, 7, 8, 8, 9], truth) == 1.0  # group names are arbitrary
    assert grouping_accuracy([1, 1, 2, 3, 4], truth) == pytest.approx(3 / 5)  # B split in two
    assert grouping_accuracy([1, 1, 1, 1, 4], truth) == pytest.approx(1 / 5)  # A and B merged
    assert grouping_accuracy([1, 1, 2, 2, 2], truth) == pytest.approx(2 / 5)  # C absorbed into B


def test_ga_groups_truth_by_template_text_whitespace_normalised():
    assert grouping_accuracy([1, 1, 2], ["a <*>", "a  <*> ", "b"]) == 1.0


def test_pa_compares_template_strings_after_whitespace_normalisation():
    truth = ["Failed password for <*> from <*>", "Accepted  <*>", "x"]
    predicted = ["Failed password for <*>  from <*> ", "Accepted <*>", "y"]
    assert parsing_accuracy(predicted, truth) == pytest.approx(2 / 3)
    assert normalise_template("  a \t b\n") == "a b"


def test_pa_does_not_care_about_grouping_and_ga_not_about_text():
    truth = ["a <*>", "a <*>"]
    assert parsing_accuracy(["a <*>", "a <*>"], truth) == 1.0
    assert grouping_accuracy([1, 2], truth) == 0.0
    assert grouping_accuracy([1, 1], truth) == 1.0
    assert parsing_accuracy(["a b", "a c"], truth) == 0.0


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="2 predictions for 1"):
        grouping_accuracy([1, 2], ["a"])
    with pytest.raises(ValueError):
        parsing_accuracy(["a"], [])


def test_mean_is_unweighted_over_systems():
    scores = [SystemScore("A", 2000, 1.0, 0.5), SystemScore("B", 10, 0.5, 0.0)]
    assert mean_scores(scores) == (0.75, 0.25)
    assert mean_scores([]) == (0.0, 0.0)


def write_system(root: Path, name: str, body: str | bytes) -> Path:
    path = root / name / f"{name}_2k.log_structured_corrected.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(body if isinstance(body, bytes) else body.encode())
    return path


def test_reader_takes_the_three_columns_whatever_else_is_there(tmp_path):
    write_system(tmp_path, "Tiny", 'LineId,Level,Content,EventId,EventTemplate\n'
                                   '1,INFO,"Registered signal handlers for [TERM, HUP]",E1,"Registered <*>"\n'
                                   '2,INFO,job 7 done,E2,job <*> done\n')
    (path,) = discover_systems(tmp_path)
    system = load_system(path)
    assert system.name == "Tiny"
    assert system.line_ids == (1, 2)
    assert system.contents == ("Registered signal handlers for [TERM, HUP]", "job 7 done")
    assert system.templates == ("Registered <*>", "job <*> done")


@pytest.mark.parametrize(("body", "message"), [
    ("LineId,Content\n1,x\n", "lacks column(s) EventTemplate"),
    ("LineId,Content,EventTemplate\n1,x\n", ":2: has 2 fields where the header has 3"),
    ("LineId,Content,EventTemplate\none,x,y\n", ":2: LineId 'one' is not an integer"),
    ('LineId,Content,EventTemplate\n1,"x"y,z\n', "is not valid CSV"),
    ("", "is empty"),
    (b"LineId,Content,EventTemplate\n1,caf\xe9,x\n", "is not UTF-8 text"),
])
def test_reader_rejects_malformed_files_naming_them(tmp_path, body, message):
    path = write_system(tmp_path, "Bad", body)
    with pytest.raises(ValidationFailed) as caught:
        load_system(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_discovery_needs_a_directory_with_system_folders(tmp_path):
    with pytest.raises(ValidationFailed, match="is not a directory"):
        discover_systems(tmp_path / "missing")
    (tmp_path / "Empty").mkdir()
    with pytest.raises(ValidationFailed, match="holds no"):
        discover_systems(tmp_path)
