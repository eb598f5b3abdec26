"""The commands that compare coverage and score briefs: compare, eval."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from briefer.cli.common import (
    DEFAULTS,
    EngineOptions,
    FormatOption,
    Output,
    Setup,
    command,
    emit,
    flag_for,
    open_store,
    say,
)
from briefer.cli.root import app
from briefer.errors import UsageError

if TYPE_CHECKING:
    from briefer.inputs.article import Article
    from briefer.schema import Envelope
    from briefer.schema.comparison import BriefDiff


@command(app, engine_options=True)
def compare(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUTS", help="Two or more articles: files, URLs or stored brief ids."
        ),
    ],
    briefs: Annotated[
        bool,
        typer.Option("--briefs", help="The inputs are two brief JSON files of one article."),
    ] = False,
    story: Annotated[
        bool,
        typer.Option(
            "--story",
            help="One brief of the story: where the outlets differ, what they agree on, what "
            "only one reports, and how each sources it (instead of the side-by-side table).",
        ),
    ] = False,
    labels: Annotated[
        list[str] | None,
        typer.Option(
            "--label",
            metavar="NAME",
            help="Name a source (repeat, in the order of the inputs); default: the site's "
            "name, the address's host, or the file's name.",
        ),
    ] = None,
    fmt: FormatOption = "markdown",
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Compare how several articles cover one story (or two briefs of one article).

    \b
    Examples:
      briefer compare reuters.txt ap.html https://example.org/story
      briefer compare a.txt b.txt --label Reuters --label AP
      briefer compare a.txt b.txt c.html --story     one brief of the story they tell
      briefer compare 12 15                     two stored briefs' articles (briefer history)
      briefer compare --briefs monday.json tuesday.json
    """
    from briefer.renderers import render

    if briefs:
        emit(render(_diff_files(inputs), fmt), output)
        return
    if len(inputs) < 2:
        raise UsageError("compare needs at least two articles")
    names = labels or []
    if len(names) > len(inputs):
        raise UsageError(f"{len(names)} --label for {len(inputs)} articles; give one per article")
    setup = options.setup()
    articles = [_compared_article(given, setup, options.db) for given in inputs]
    articles = [
        dataclasses.replace(a, site_name=name) if name.strip() else a
        for a, name in zip(articles, [*names, *[""] * len(articles)], strict=False)
    ]
    setup.announce()
    briefer = setup.briefer
    emit(render(briefer.story(articles) if story else briefer.compare(articles), fmt), output)


@command(app, name="eval", engine_options=True)
def evaluate(
    labels: Annotated[
        list[Path],
        typer.Argument(metavar="LABELS", help="Label files (NAME.labels.json) or folders of them."),
    ],
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            metavar="FOLDER",
            help="A folder of the labelled articles (default: beside the labels, or ../corpus).",
        ),
    ] = None,
    fmt: Annotated[
        Literal["markdown", "json"], typer.Option("--format", "-f", help="Report format.")
    ] = "markdown",
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="A report saved with --format json: show the change per metric."
        ),
    ] = None,
    ablate: Annotated[
        bool,
        typer.Option(
            "--ablate",
            help="Switch each rule of the offline analysis off in turn: what each earns.",
        ),
    ] = False,
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Score briefs against an editor's labels: key facts, stakeholders, sourcing, length.

    \b
    Examples:
      briefer eval labels/ --format json -o today.json
      briefer eval labels/ --baseline today.json     the change per metric after a change
      briefer eval labels/ --model gpt-4.1-mini      the LLM engine on the same labels
      briefer eval labels/ --ablate                   what each rule earns, switched off
    """

    from briefer.verify.evaluation import evaluate as run_evaluation
    from briefer.verify.evaluation import read_baseline, render_report
    from briefer.verify.labels import label_files

    before = read_baseline(baseline) if baseline is not None else None
    paths = label_files(labels)
    setup = options.setup(no_cache=ablate)  # a stored brief was made with every rule on
    setup.announce()
    if ablate:
        from briefer.verify.evaluation import ablate as run_ablation
        from briefer.verify.evaluation import render_ablation

        emit(render_ablation(run_ablation(setup.briefer, paths, articles=articles or [])), output)
        return
    report = run_evaluation(setup.briefer, paths, articles=articles or [])
    report = report.worded(lambda error: error.describe(flag_for))  # fixes as flags
    if fmt == "json":
        emit(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        emit(render_report(report, before), output)
    for score in report.articles:
        if score.error:
            say(f"failed: {score.name}: {score.error}")


def _compared_article(given: str, setup: Setup, db: Path | None) -> Article:
    """An input of `compare`: a stored brief id (its article), or a path or URL."""
    from briefer.inputs import CommandLine, load_article

    if given.isdigit() and not Path(given).exists():
        return open_store(db).article(int(given))
    return load_article(CommandLine(given), setup.load)


def _diff_files(paths: list[str]) -> BriefDiff:
    from briefer.verify.diff import diff_briefs

    if len(paths) != 2:
        raise UsageError("--briefs compares exactly two brief JSON files")
    first, second = (_read_brief(Path(p)) for p in paths)
    if first.article.sha256 != second.article.sha256:
        say("the two briefs are of different article texts; comparing them anyway")
    return diff_briefs(first, second, (Path(paths[0]).name, Path(paths[1]).name))


def _read_brief(path: Path) -> Envelope:
    """A brief saved as JSON (`briefer brief --format json`), for `compare --briefs`."""
    from pydantic import ValidationError

    from briefer.schema import Envelope

    try:
        return Envelope.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    except (ValidationError, UnicodeDecodeError):
        raise UsageError(
            f"{path}: not a brief envelope in JSON, as render_json writes one; give a saved brief"
        ) from None
