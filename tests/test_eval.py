"""`briefer eval`: scoring briefs against an editor's labels, in the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefer.core import Briefer
from briefer.errors import InputError
from briefer.inputs import load_article
from briefer.verify.evaluation import METRICS
from briefer.verify.labels import (
    Labels,
    Ratio,
    article_path,
    count_words,
    label_files,
    load_labels,
    names_match,
    score_brief,
)

from .conftest import ARTICLES
from .exchanges import FIXTURES

LABELS = FIXTURES / "labels"


def _brief(name: str):  # type: ignore[no-untyped-def]
    article = load_article(ARTICLES / name)
    return article, Briefer(engine="offline").brief(article)


def test_key_fact_recall_counts_a_fact_whose_quote_a_brief_fact_holds():
    article, envelope = _brief("business.txt")
    first = envelope.brief.key_facts[0].evidence
    labels = Labels(
        article="business.txt",
        key_facts=[
            {"fact": "held", "quote": first},
            {"fact": "not held", "quote": "Seventeen giraffes escaped from a zoo in Oslo."},
        ],
    )
    score = score_brief("business", envelope, article.text, labels)
    assert score.metrics["key_fact_recall"] == Ratio(1, 2)


def test_attribution_agreement_compares_who_asserts_each_found_fact():
    article, envelope = _brief("business.txt")
    facts = envelope.brief.key_facts
    by_reporter = next(f for f in facts if f.attribution == "the reporter")
    by_source = next(f for f in facts if f.attribution != "the reporter")
    source_word = by_source.attribution.split()[-1]
    labels = Labels(
        article="business.txt",
        key_facts=[
            {"fact": "a", "quote": by_reporter.evidence, "attribution": "the reporter (wire)"},
            {"fact": "b", "quote": by_source.evidence, "attribution": f"{source_word}, quoted"},
            {"fact": "c", "quote": by_reporter.evidence, "attribution": "a named analyst"},
            {"fact": "not found", "quote": "Seventeen giraffes escaped from a zoo in Oslo."},
        ],
    )
    score = score_brief("business", envelope, article.text, labels)
    assert score.metrics["attribution"] == Ratio(2, 3)  # of the three facts found


def test_stakeholder_scores_use_aliases_and_count_central_ones():
    article, envelope = _brief("business.txt")
    names = [s.name for s in envelope.brief.stakeholders]
    labels = Labels(
        article="business.txt",
        stakeholders=[
            {"name": "Someone Else", "aliases": [names[0]], "central": True},
            {"name": "Nobody In This Story", "central": True},
        ],
    )
    metrics = score_brief("business", envelope, article.text, labels).metrics
    assert metrics["stakeholder_recall"] == Ratio(1, 2)
    assert metrics["central_recall"] == Ratio(1, 2)
    assert metrics["stakeholder_precision"] == Ratio(1, len(names))


def test_names_match_full_names_and_surnames_but_not_a_bare_surname_for_a_full_one():
    assert names_match("the Pentagon", ["Pentagon"])
    assert names_match("Yoon Suk Yeol", ["President Yoon Suk Yeol"])
    assert names_match("former employees", ["employees"])
    assert names_match("Trump", ["President Trump"])  # a title is not part of the name
    assert names_match("lawmakers", ["US lawmakers"])  # a common noun, not a surname
    assert names_match("Afghanistan", ["Afghan government"])  # a country is its government
    assert not names_match("Afghanistan", ["Pakistan government"])
    assert not names_match("Omar Hassan", ["Omar Hassan al-Bashir"])
    assert not names_match("Smith", ["Adam Smith"])


def test_sourcing_metrics_compare_spans_of_the_article():
    article, envelope = _brief("business.txt")
    hedged = [h.text for h in envelope.sourcing.hedged_numbers]
    labels = Labels(
        article="business.txt",
        hedged_numbers=[*hedged, "a figure the article does not hold"],
        declined_comment=[d.text for d in envelope.sourcing.declined_comment],
    )
    metrics = score_brief("business", envelope, article.text, labels).metrics
    assert metrics["hedged_precision"] == Ratio(len(hedged), len(hedged))
    assert metrics["hedged_recall"] == Ratio(
        len(hedged), len(hedged)
    )  # the absent one: not counted
    assert metrics["declined_recall"].value == 1.0


def _sourcing_metrics(text: str, anonymous: list[str], role_references: list[str]) -> dict:
    """The metrics of the offline brief of `text` against labels of its sourcing alone."""
    labels = Labels(
        article="x.txt",
        anonymous_source_phrases=anonymous,
        role_references_to_named=role_references,
    )
    return score_brief("x", Briefer(engine="offline").brief(text), text, labels).metrics


def test_false_anonymous_counts_role_references_the_analysis_calls_anonymous():
    metrics = _sourcing_metrics(
        "Mayor Ana Ruiz opened the bridge on Monday. The mayor said it cost $4 million. "
        "People familiar with the project said it ran late.",
        anonymous=["People familiar with the project said"],
        role_references=["The mayor said"],
    )
    assert metrics["false_anonymous"] == Ratio(0, 1)
    assert metrics["anonymous_recall"] == Ratio(1, 1)


def test_unnamed_precision_weighs_unnamed_calls_the_editor_labelled_either_way():
    metrics = _sourcing_metrics(
        "The Calder Port Authority closed the pier on Monday. Officials said it was unsafe. "
        "Harbour workers said the crane was old. The doctors said two men were hurt.",
        anonymous=["Officials said"],
        role_references=["The doctors said"],  # the editor knows who they are
    )
    # "Harbour workers said" is unlabelled: not counted either way
    assert metrics["unnamed_precision"] == Ratio(1, 2)


def test_length_counts_words_not_table_pipes_dashes_or_check_marks():
    assert count_words("| Gordon Sondland | person | — | — |") == 3
    assert count_words("1. “The U.S. paid $4.5m.” — the reporter · ✓") == 7
    assert count_words("") == 0


def test_a_label_naming_a_path_is_refused(tmp_path: Path):
    path = tmp_path / "bad.labels.json"
    path.write_text(json.dumps({"article": "../../etc/passwd"}), encoding="utf-8")
    with pytest.raises(InputError, match="not a plain file name"):
        article_path(path, load_labels(path))


def test_a_file_that_is_not_a_label_file_says_why(tmp_path: Path):
    path = tmp_path / "bad.labels.json"
    path.write_text(json.dumps({"key_facts": "none"}), encoding="utf-8")
    with pytest.raises(InputError, match="not a label file"):
        load_labels(path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \*\.labels\.json"):
        label_files([empty])
    with pytest.raises(InputError, match="no such file"):
        label_files([tmp_path / "absent"])


def test_eval_cli_prints_a_table_and_totals_and_the_change_from_a_baseline(run, tmp_path: Path):
    saved = tmp_path / "before.json"
    first = run("eval", str(LABELS), "--engine", "offline", "--format", "json", "-o", str(saved))
    assert first.code == 0, first.err
    report = json.loads(saved.read_text(encoding="utf-8"))
    assert set(report["totals"]) == set(METRICS)
    assert len(report["articles"]) == len(list(LABELS.glob("*.labels.json")))
    # A worse baseline: every change is reported as better, or unchanged.
    report["totals"]["stakeholder_recall"] = 0.0
    saved.write_text(json.dumps(report), encoding="utf-8")
    second = run("eval", str(LABELS), "--engine", "offline", "--baseline", str(saved))
    assert second.code == 0, second.err
    assert "| **all** |" in second.out
    assert "stakeholders R: 0.000 →" in second.out and "better" in second.out


def test_eval_cli_reports_a_missing_article_and_keeps_going(run, tmp_path: Path):
    (tmp_path / "gone.labels.json").write_text(
        json.dumps({"article": "gone.txt"}), encoding="utf-8"
    )
    good = LABELS / "business.labels.json"
    result = run("eval", str(tmp_path / "gone.labels.json"), str(good), "--engine", "offline")
    assert result.code == 0
    assert "| gone | failed:" in result.out and "| business |" in result.out
    assert "failed: gone:" in result.err and "article gone.txt not found" in result.err
    assert "--articles" in result.err  # the fix in the command line's words


def test_a_report_words_its_failures_in_a_copy_and_keeps_its_own(tmp_path: Path):
    from briefer.verify.evaluation import evaluate

    (tmp_path / "gone.labels.json").write_text(
        json.dumps({"article": "gone.txt"}), encoding="utf-8"
    )
    paths = [tmp_path / "gone.labels.json", LABELS / "business.labels.json"]
    report = evaluate(Briefer(engine="offline"), paths)
    worded = report.worded(lambda error: error.describe(lambda setting: f"<{setting}>"))
    gone, business = worded.articles
    assert gone.error is not None and "article gone.txt not found" in gone.error
    assert gone.error.endswith("with <articles>") and "\n" not in gone.error
    assert report.articles[0].error is not None and "<articles>" not in report.articles[0].error
    assert business is report.articles[1]  # scored, nothing to word
    assert worded.to_json()["totals"] == report.to_json()["totals"]


def test_eval_cli_refuses_a_bad_baseline_in_one_line(run, tmp_path: Path):
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    result = run("eval", str(LABELS), "--baseline", str(bad))
    assert result.code != 0 and "not an evaluation report" in result.err
    assert "Traceback" not in result.err
