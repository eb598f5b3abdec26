"""The command that makes a morning brief of many articles: digest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefer.cli.common import (
    DEFAULTS,
    DryRun,
    EngineOptions,
    FormatOption,
    Output,
    Urls,
    command,
    command_line_inputs,
    emit,
    flag_for,
    say,
)
from briefer.cli.root import app
from briefer.errors import UsageError
from briefer.text import counted, one_line

if TYPE_CHECKING:
    from datetime import datetime

    from briefer.core import Briefer
    from briefer.digest import Digest
    from briefer.inputs import Input
    from briefer.io.mail import MailSettings


# --- the options of digest -------------------------------------------------------------------

Inputs = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="INPUTS",
        help="Files, folders (their .txt, .md and .html files), URLs, or '-': one path "
        "or URL a line on standard input.",
    ),
]
Labels = Annotated[
    list[str] | None,
    typer.Option(
        "--label",
        metavar="PATH_OR_URL=NAME",
        help="Name the outlet of an input, or of every article in a folder, as readers "
        "know it (repeat for more); default: the site's name, the address's host, or the "
        "file's name.",
    ),
]
AllowFailures = Annotated[
    bool, typer.Option("--allow-failures", help="Exit 0 even when some articles failed.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
ProgressLines = Annotated[
    bool,
    typer.Option(
        "--progress",
        help="Progress lines on stderr even when it is not a terminal (logs, cron).",
    ),
]
FeedOption = Annotated[
    list[str] | None,
    typer.Option(
        "--feed",
        metavar="URL|FILE",
        help="An RSS, Atom or JSON feed to brief the entries of (repeat for more).",
    ),
]
FeedsFile = Annotated[
    Path | None,
    typer.Option(
        "--feeds",
        metavar="FILE",
        help="Feeds: one URL a line, or an OPML file exported by a feed reader.",
    ),
]
Since = Annotated[
    str | None,
    typer.Option(metavar="WHEN", help="Only feed entries published since: 24h, 2d, 90m or a date."),
]
MaxEntries = Annotated[
    int,
    typer.Option(
        "--max-entries",
        metavar="N",
        min=1,
        max=1_000_000,  # briefer.digest.feeds.MAX_ENTRIES_LIMIT
        help="At most N entries a feed, the newest; the rest wait in the store for the next run.",
    ),
]
MaxDigestEntries = Annotated[
    int,
    typer.Option(
        "--max-digest-entries",
        metavar="N",
        min=1,
        max=1_000_000,  # briefer.digest.feeds.MAX_ENTRIES_LIMIT
        help="At most N feed entries in all, the newest of all feeds; the rest wait in "
        "the store for the next run.",
    ),
]
PostSlack = Annotated[
    str | None,
    typer.Option(
        "--post-slack",
        metavar="WEBHOOK",
        help="Also post the digest to this Slack incoming webhook (never printed; "
        "other users can read it here: prefer --post-slack-env or --post-slack-file).",
        show_default=False,
    ),
]
PostSlackEnv = Annotated[
    str | None,
    typer.Option(
        "--post-slack-env",
        metavar="NAME",
        help="Also post the digest to the Slack webhook in environment variable NAME.",
        show_default=False,
    ),
]
PostSlackFile = Annotated[
    Path | None,
    typer.Option(
        "--post-slack-file",
        metavar="PATH",
        help="Also post the digest to the Slack webhook written in the file PATH.",
        show_default=False,
    ),
]
AlwaysWrite = Annotated[
    bool,
    typer.Option(
        "--always-write",
        help="Write (and send) the digest even when the feeds had nothing new.",
    ),
]
EmailTo = Annotated[
    str | None,
    typer.Option(
        "--email-to",
        metavar="ADDR[,ADDR]",
        help="Also send the digest by email (SMTP settings: BRIEFER_SMTP_HOST, _PORT, "
        "_USER, _PASSWORD, _SECURITY and BRIEFER_EMAIL_FROM).",
        show_default=False,
    ),
]


@command(app, engine_options=True)
def digest(
    inputs: Inputs = None,
    urls: Urls = None,
    label: Labels = None,
    fmt: FormatOption = "markdown",
    output: Output = None,
    allow_failures: AllowFailures = False,
    quiet: Quiet = False,
    progress: ProgressLines = False,
    feed: FeedOption = None,
    feeds: FeedsFile = None,
    since: Since = None,
    # the defaults of briefer.digest.feeds (MAX_ENTRIES_PER_FEED, MAX_ENTRIES_PER_DIGEST),
    # written here so that start-up does not import it
    max_entries: MaxEntries = 200,
    max_digest_entries: MaxDigestEntries = 1_000,
    post_slack: PostSlack = None,
    post_slack_env: PostSlackEnv = None,
    post_slack_file: PostSlackFile = None,
    always_write: AlwaysWrite = False,
    email_to: EmailTo = None,
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

    sources, named_feeds = _sources(inputs or [], urls, feed or [], feeds)
    labels = _digest_labels(label or [])
    after = parse_since(since) if since is not None else None
    mail = _mail_settings(email_to) if email_to is not None and not dry_run else None
    webhook = _slack_webhook(post_slack, post_slack_env, post_slack_file)
    setup = options.setup(no_cache=dry_run, planning=dry_run)
    setup.announce()
    briefer = setup.briefer
    if dry_run:
        caps = (max_entries, max_digest_entries)
        emit(_plan(briefer, sources, named_feeds, after, caps), output)
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
    result = result.worded(lambda error: error.describe(flag_for))  # fixes as flags
    if result.nothing_new and not always_write:
        say("nothing new since the feeds were last read; wrote and sent nothing")
        return
    _write_and_deliver(result, fmt, output, webhook, mail, setup.load.fetch_timeout)
    for item in result.failed:
        say(f"failed: {item.source}: {item.error}")
    if result.failed and not allow_failures:
        say(result.failures_line())
        raise SystemExit(1)


def _plan(
    briefer: Briefer,
    sources: list[Input],
    feeds: list[str],
    since: datetime | None,
    caps: tuple[int, int],
) -> str:
    """What the digest would send (`--dry-run`), rendered; the feeds' line said first."""
    from briefer.digest.morning import plan_digest
    from briefer.engines.estimate import render_plans

    plans = plan_digest(briefer, sources, feeds, since=since, caps=caps, on_feeds=say)
    return render_plans(plans)


def _write_and_deliver(
    result: Digest,
    fmt: str,
    output: Path | None,
    webhook: str | None,
    mail: tuple[list[str], MailSettings] | None,
    timeout: float,
) -> None:
    """Write the digest (to `output`, else stdout), then post and send it as asked."""
    from briefer.renderers import render

    emit(render(result, fmt), output)
    if output is not None:
        say(f"wrote {output} · {counted(len(result.stories()), 'story', 'stories')}")
    if fell_back := result.fallback_line():
        say(fell_back)
    _deliver(result, webhook, mail, timeout)


def _sources(
    words: list[str], urls: Path | None, feed: list[str], feeds: Path | None
) -> tuple[list[Input], list[str]]:
    """The articles and the feeds the command line names; `UsageError` when it names none."""
    sources = command_line_inputs(words, urls)
    named_feeds = [*feed, *(_feed_list(feeds) if feeds is not None else [])]
    if not sources and not named_feeds:
        raise UsageError(
            "no articles given; name files, directories or URLs, or use --urls or --feed"
        )
    return sources, named_feeds


def _deliver(
    result: Digest,
    webhook: str | None,
    mail: tuple[list[str], MailSettings] | None,
    timeout: float,
) -> None:
    """Post the digest to Slack and send it by email, as asked, saying what was done."""
    if webhook is not None:
        from briefer.io.slack import post_slack
        from briefer.renderers import render_slack

        posted = post_slack(webhook, render_slack(result), timeout=timeout)
        say(f"posted the digest to Slack ({counted(posted, 'message')})")
    if mail is not None:
        from briefer.io.mail import send_message
        from briefer.renderers.digest import render_digest_mail

        to, settings = mail
        send_message(render_digest_mail(result, settings.sender, to), settings)
        say(f"emailed the digest to {counted(len(to), 'address', 'addresses')}")


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


def _feed_list(path: Path) -> list[str]:
    from briefer.inputs.feed_lists import read_feed_list

    return read_feed_list(path)
