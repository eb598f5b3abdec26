"""The commands that make briefs: brief, digest, compare, eval."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from briefer.cli.common import (
    DEFAULTS,
    DryRun,
    EngineOptions,
    FormatOption,
    Output,
    Setup,
    command,
    command_line_inputs,
    emit,
    flag_for,
    open_store,
    say,
)
from briefer.cli.root import app
from briefer.errors import UsageError
from briefer.text import counted, one_line

if TYPE_CHECKING:
    from datetime import datetime

    from briefer.digest import Digest
    from briefer.inputs import Input
    from briefer.inputs.article import Article
    from briefer.io.mail import MailSettings
    from briefer.schema import Envelope
    from briefer.schema.comparison import BriefDiff


@command(app, engine_options=True)
def brief(
    article: Annotated[
        str,
        typer.Argument(
            metavar="ARTICLE",
            help="A text or HTML file, '-' for standard input, or an http(s) URL.",
        ),
    ],
    fmt: FormatOption = "markdown",
    output: Output = None,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief one news article (stored, and reused when the store has it).

    \b
    Examples:
      briefer brief article.txt
      briefer brief https://example.org/news/story --format json -o brief.json
      curl -s https://example.org/story | briefer brief -
      briefer brief article.txt --dry-run       tokens and cost; sends nothing
    """
    from briefer.inputs import CommandLine, load_article
    from briefer.renderers import render

    setup = options.setup(no_cache=dry_run, planning=dry_run)
    loaded = load_article(CommandLine(article), setup.load)
    setup.announce()
    if dry_run:
        emit(setup.briefer.estimate(loaded).render(), output)
        return
    emit(render(setup.briefer.brief(loaded), fmt), output)


@command(app, engine_options=True)
def digest(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            help="Files, folders (their .txt, .md and .html files), URLs, or '-': one path "
            "or URL a line on standard input.",
        ),
    ] = None,
    urls: Annotated[
        Path | None,
        typer.Option("--urls", metavar="FILE", help="A file of URLs (or paths), one a line."),
    ] = None,
    label: Annotated[
        list[str] | None,
        typer.Option(
            "--label",
            metavar="PATH_OR_URL=NAME",
            help="Name the outlet of an input, or of every article in a folder, as readers "
            "know it (repeat for more); default: the site's name, the address's host, or the "
            "file's name.",
        ),
    ] = None,
    fmt: FormatOption = "markdown",
    output: Output = None,
    allow_failures: Annotated[
        bool, typer.Option("--allow-failures", help="Exit 0 even when some articles failed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress",
            help="Progress lines on stderr even when it is not a terminal (logs, cron).",
        ),
    ] = False,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            metavar="URL|FILE",
            help="An RSS, Atom or JSON feed to brief the entries of (repeat for more).",
        ),
    ] = None,
    feeds: Annotated[
        Path | None,
        typer.Option(
            "--feeds",
            metavar="FILE",
            help="Feeds: one URL a line, or an OPML file exported by a feed reader.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="WHEN", help="Only feed entries published since: 24h, 2d, 90m or a date."
        ),
    ] = None,
    max_entries: Annotated[
        int,
        typer.Option(
            "--max-entries",
            metavar="N",
            min=1,
            max=1_000_000,  # briefer.digest.feeds.MAX_ENTRIES_LIMIT
            help="At most N entries a feed, the newest; the rest wait in the store for the "
            "next run.",
        ),
    ] = 200,  # briefer.digest.feeds.MAX_ENTRIES_PER_FEED, without importing it at start-up
    max_digest_entries: Annotated[
        int,
        typer.Option(
            "--max-digest-entries",
            metavar="N",
            min=1,
            max=1_000_000,  # briefer.digest.feeds.MAX_ENTRIES_LIMIT
            help="At most N feed entries in all, the newest of all feeds; the rest wait in "
            "the store for the next run.",
        ),
    ] = 1_000,  # briefer.digest.feeds.MAX_ENTRIES_PER_DIGEST
    post_slack: Annotated[
        str | None,
        typer.Option(
            "--post-slack",
            metavar="WEBHOOK",
            help="Also post the digest to this Slack incoming webhook (never printed; "
            "other users can read it here: prefer --post-slack-env or --post-slack-file).",
            show_default=False,
        ),
    ] = None,
    post_slack_env: Annotated[
        str | None,
        typer.Option(
            "--post-slack-env",
            metavar="NAME",
            help="Also post the digest to the Slack webhook in environment variable NAME.",
            show_default=False,
        ),
    ] = None,
    post_slack_file: Annotated[
        Path | None,
        typer.Option(
            "--post-slack-file",
            metavar="PATH",
            help="Also post the digest to the Slack webhook written in the file PATH.",
            show_default=False,
        ),
    ] = None,
    always_write: Annotated[
        bool,
        typer.Option(
            "--always-write",
            help="Write (and send) the digest even when the feeds had nothing new.",
        ),
    ] = False,
    email_to: Annotated[
        str | None,
        typer.Option(
            "--email-to",
            metavar="ADDR[,ADDR]",
            help="Also send the digest by email (SMTP settings: BRIEFER_SMTP_HOST, _PORT, "
            "_USER, _PASSWORD, _SECURITY and BRIEFER_EMAIL_FROM).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief many articles at once into one morning brief, grouped by story.

    \b
    Examples:
      briefer digest ~/news/today/ -o morning.md
      briefer digest --feeds subscriptions.opml --since 24h --format html -o morning.html
      briefer digest --urls links.txt --format html -o morning.html
      briefer digest wire/ gazette.html --label wire=Reuters --label gazette.html="The Gazette"
      ls ~/news/*.html | briefer digest -
      briefer digest ~/news/today/ --dry-run    tokens and cost; sends nothing
    """
    from briefer.cli.progress import run_digest
    from briefer.settings import parse_since

    sources = command_line_inputs(inputs or [], urls)
    named_feeds = [*(feed or []), *(_feed_list(feeds) if feeds is not None else [])]
    if not sources and not named_feeds:
        raise UsageError(
            "no articles given; name files, directories or URLs, or use --urls or --feed"
        )
    labels = _digest_labels(label or [])
    after = parse_since(since) if since is not None else None
    mail = _mail_settings(email_to) if email_to is not None and not dry_run else None
    webhook = _slack_webhook(post_slack, post_slack_env, post_slack_file)
    setup = options.setup(no_cache=dry_run, planning=dry_run)
    setup.announce()
    briefer = setup.briefer
    if dry_run:
        caps = (max_entries, max_digest_entries)
        emit(_digest_plan(sources, named_feeds, after, caps, setup), output)
        return
    result = run_digest(
        lambda state: briefer.adigest(
            sources,
            labels=labels,
            feeds=named_feeds,
            since=after,
            concurrency=options.concurrency,
            progress=state,
            max_entries=max_entries,
            max_digest_entries=max_digest_entries,
        ),
        total=len(sources),
        stored=briefer.store is not None,
        quiet=quiet,
        progress=progress,
        on_interrupt=lambda done: _write_partial(done, fmt, output),
    )
    if result.feed_summary:
        say(result.feed_summary)
    from briefer.renderers import render

    for item in result.failed:  # the fixes, in the command line's words
        if item.failure is not None:
            reason = one_line(item.failure.describe(flag_for))
            item.error = reason.removeprefix(f"{item.source}: ")
    if named_feeds and not sources and not result.items and not always_write:
        say("nothing new since the feeds were last read; wrote and sent nothing")
        return
    emit(render(result, fmt), output)
    if output is not None:
        say(f"wrote {output} · {counted(len(result.stories()), 'story', 'stories')}")
    if fell_back := _fallback_line(result):
        say(fell_back)
    if webhook is not None:
        from briefer.io.slack import post_slack as deliver
        from briefer.renderers import render_slack

        posted = deliver(webhook, render_slack(result), timeout=setup.load.fetch_timeout)
        say(f"posted the digest to Slack ({counted(posted, 'message')})")
    if mail is not None:
        from briefer.io.mail import send_message
        from briefer.renderers.digest import render_digest_mail

        to, settings = mail
        send_message(render_digest_mail(result, settings.sender, to), settings)
        say(f"emailed the digest to {counted(len(to), 'address', 'addresses')}")
    for item in result.failed:
        say(f"failed: {item.source}: {item.error}")
    if result.failed and not allow_failures:
        say(_failed_line(result))
        raise SystemExit(1)


def _digest_labels(given: list[str]) -> dict[str, str]:
    """The outlet names of --label PATH_OR_URL=NAME, by path or URL (checked against the
    inputs by the library, before anything is briefed)."""
    labels: dict[str, str] = {}
    for value in given:
        where, sep, name = value.rpartition("=")
        if not sep or not where.strip() or not name.strip():
            raise UsageError(
                f"--label {one_line(value, 80)!r}: give PATH_OR_URL=NAME, e.g. "
                "--label ~/news/reuters=Reuters"
            )
        where, name = where.strip(), name.strip()
        if labels.get(where, name) != name:
            raise UsageError(f"--label: {where} is labelled twice; give it one name")
        labels[where] = name
    return labels


def _failed_line(result: Digest) -> str:
    """ "2 of 12 articles failed, 1 feed failed": articles and feeds counted apart."""
    articles = [i for i in result.items if i.kind != "feed"]
    feeds = [i for i in result.failed if i.kind == "feed"]
    parts = []
    if failed := [i for i in articles if not i.ok]:
        parts.append(f"{len(failed)} of {counted(len(articles), 'article')} failed")
    if feeds:
        parts.append(f"{counted(len(feeds), 'feed')} failed")
    return ", ".join(parts)


def partial_path(output: Path) -> Path:
    """Where an interrupted digest writes what it finished: beside `output`, never over it
    ("morning.md" -> "morning.partial.md")."""
    return output.with_name(f"{output.stem}.partial{output.suffix}")


def _write_partial(done: Digest, fmt: str, output: Path | None) -> None:
    """Write the articles an interrupted digest finished beside the output file."""
    if output is None:
        return  # standard output: nothing to keep apart from
    from briefer.renderers import render

    target = partial_path(output)
    emit(render(done, fmt), target)
    say(f"wrote what was finished to {target} ({counted(len(done.items), 'article')})")


def _fallback_line(result: Digest) -> str | None:
    """One line saying the offline engine stood in for the LLM, how often and why (a cron
    job's log is where an expired key shows first)."""
    notes = [
        w.message
        for i in result.briefed
        if i.envelope is not None
        for w in i.envelope.warnings
        if w.code == "fallback_offline"
    ]
    if not notes:
        return None
    return (
        f"the offline engine briefed {len(notes)} of {counted(len(result.items), 'article')}: "
        f"{notes[0]}"
    )


def _slack_webhook(given: str | None, env: str | None, path: Path | None) -> str | None:
    """The Slack webhook of whichever of --post-slack, --post-slack-env and --post-slack-file
    is given (at most one), read before any article is briefed; None when none is."""
    chosen = [
        flag
        for flag, value in (
            ("--post-slack", given),
            ("--post-slack-env", env),
            ("--post-slack-file", path),
        )
        if value is not None
    ]
    if len(chosen) > 1:
        raise UsageError(f"give only one of {', '.join(chosen)}: each names the webhook")
    if env is not None:
        from briefer.settings import variable

        value = variable(env)
        if value is None:
            raise UsageError(
                f"the environment variable {env} is not set; set it to the Slack webhook's "
                "address, or name another variable"
            )
        return value
    if path is None:
        return given or None
    from briefer.io.slack import webhook_from

    return webhook_from(path)


def _mail_settings(email_to: str) -> tuple[list[str], MailSettings]:
    """The recipients and the SMTP settings, checked before any article is briefed."""
    from briefer.io.mail import MailSettings, recipients
    from briefer.settings import mail_environment

    return recipients(email_to), MailSettings.from_env(mail_environment())


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
    from briefer.verify.evaluation import label_files, read_baseline, render_report

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
    for score in report.articles:  # the fixes, in the command line's words
        if score.failure is not None:
            score.error = one_line(score.failure.describe(flag_for))
    if fmt == "json":
        emit(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        emit(render_report(report, before), output)
    for score in report.articles:
        if score.error:
            say(f"failed: {score.name}: {score.error}")


def _digest_plan(
    sources: list[Input],
    feeds: list[str],
    since: datetime | None,
    caps: tuple[int, int],
    setup: Setup,
) -> str:
    """What a digest would send (`--dry-run`): the feeds are read, nothing is briefed.
    `caps`: the entries a feed and a digest."""
    from briefer.digest.runner import DigestInput, load_input
    from briefer.engines.estimate import render_plans

    entries: list[DigestInput] = list(sources)
    if feeds:
        from briefer.digest.feeds import describe, read_feeds

        per_feed, per_digest = caps
        read = read_feeds(
            feeds,
            store=None,
            options=setup.load,
            since=since,
            max_entries=per_feed,
            max_digest_entries=per_digest,
        )
        say(describe(read))
        entries += read.entries
    return render_plans([setup.briefer.estimate(load_input(e, setup.load)) for e in entries])


def _feed_list(path: Path) -> list[str]:
    from briefer.inputs.feeds import read_feed_list

    return read_feed_list(path)


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
