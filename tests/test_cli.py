"""The command line: formats, exit codes, one-line errors, bad input refused before any request."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import briefer

from .conftest import ARTICLES, TEST_KEY, Result, fill_up_disk
from .exchanges import BASE_URL, FIXTURES, replay


@pytest.fixture
def llm_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("BRIEFER_MODEL", "gpt-4o-mini")


def one_line_error(result: Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("briefer: error: ")
    assert "Traceback" not in result.err
    return lines[0]


SHORT = str(ARTICLES / "very_short.txt")


def test_version(run):
    result = run("--version")
    assert result.code == 0 and result.out.strip() == f"briefer {briefer.__version__}"


def test_help_lists_every_command_with_help_text(run):
    result = run("--help")
    assert result.code == 0
    commands = (
        "brief", "digest", "compare", "batch", "serve", "history", "show", "schema", "models",
        "prompts", "eval",
    )  # fmt: skip
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for command in commands:
        assert command in result.out
        sub = run(command, "--help")
        assert sub.code == 0 and len(sub.out.splitlines()) > 3
        assert f"briefer {command}" in readme, f"README does not show `briefer {command}`"


def test_briefing_commands_share_one_set_of_engine_options_and_all_take_debug(run):
    from briefer.cli.common import EngineOptions

    flags = ["--" + f.name.replace("_", "-") for f in dataclasses.fields(EngineOptions)]
    assert "--fallback" in flags and "--strict" in flags
    for command in ("brief", "digest", "compare"):
        shown = run(command, "--help").out
        assert all(flag in shown for flag in flags), command
    for command in ("history", "show", "schema", "serve", "batch prepare", "batch status"):
        assert "--debug" in run(*command.split(), "--help").out, command


def test_compare_takes_engine_options_like_brief(run):
    files = sorted((ARTICLES.parent / "compare").glob("*.txt"))[:2]
    result = run("compare", *map(str, files), "--engine", "offline", "--no-cache", "--fallback",
                 "--format", "json")  # fmt: skip
    assert result.code == 0, result.err
    assert len(json.loads(result.out)["sources"]) == 2


def test_every_install_line_names_our_distribution():
    """'briefer' on PyPI is another project: README, help and hints install briefer-news."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    name = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    assert name == "briefer-news"
    texts = {"README.md": (root / "README.md").read_text(encoding="utf-8")}
    texts |= {str(p): p.read_text(encoding="utf-8") for p in (root / "briefer").rglob("*.py")}
    installs = 0
    for where, text in texts.items():
        for line in re.findall(r"pip install [^\n`]*", text):
            for target in re.findall(r"""pip install\s+(?:-\S+\s+)*['"]?([\w.-]+)""", line):
                installs += 1
                assert target in (name, "."), f"{where}: {line}"
    assert installs >= 4


def test_the_readme_example_output_is_what_the_tool_prints(run):
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = "briefer brief fixtures/articles/very_short.txt"
    shown = readme.split(f"`{command}`", 1)[1].split("```markdown\n", 1)[1].split("```", 1)[0]
    result = run("brief", str(root / "fixtures/articles/very_short.txt"), "--engine", "offline")
    assert result.code == 0
    assert result.out.strip() == shown.strip()


def test_a_digest_run_ends_saying_what_it_wrote_in_the_right_number(run, tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "morning.md"
    article = str(root / "fixtures/articles/very_short.txt")
    result = run("digest", article, "--engine", "offline", "--no-cache", "-q", "-o", str(out))
    assert result.code == 0
    assert result.err.strip().endswith(f"wrote {out} · 1 story")
    assert "1 article · 1 story ·" in out.read_text(encoding="utf-8")


def test_schema_prints_the_envelope_schema(run):
    result = run("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    for field in ("schema_version", "article", "brief", "engine", "usage", "warnings"):
        assert field in schema["properties"]


@pytest.mark.parametrize("fmt", ["markdown", "json", "text"])
def test_brief_formats(run, router, llm_env, fmt):
    replay("happy_very_short", router)
    result = run("brief", SHORT, "--format", fmt)
    assert result.code == 0, result.err
    if fmt == "json":
        envelope = json.loads(result.out)
        assert envelope["schema_version"] == "2" and envelope["engine"] == "openai"
        assert envelope["brief"]["key_facts"][0]["evidence"]
    elif fmt == "markdown":
        assert result.out.startswith("# Port of Calder reopens")
        assert "## Key facts" in result.out and "## Sourcing caveats" in result.out
    else:
        assert result.out.startswith("PORT OF CALDER REOPENS") and "KEY FACTS" in result.out


def test_brief_output_file_and_stdin(run, router, llm_env, tmp_path):
    replay("happy_very_short", router)
    out = tmp_path / "brief.md"
    data = (ARTICLES / "very_short.txt").read_bytes()
    result = run("brief", "-", "-o", str(out), stdin=data)
    assert result.code == 0, result.err
    assert result.out == ""
    assert out.read_text(encoding="utf-8").startswith("# Port of Calder")


def test_output_on_a_full_disk_keeps_the_good_file_and_leaves_no_other(run, tmp_path, monkeypatch):
    out = tmp_path / "brief.md"
    assert run("brief", SHORT, "-o", str(out), "--no-cache", "--engine", "offline").code == 0
    good = out.read_bytes()
    fill_up_disk(monkeypatch, tmp_path)
    result = run(
        "brief", str(ARTICLES / "courts.txt"), "-o", str(out), "--no-cache", "--engine", "offline"
    )
    monkeypatch.undo()
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.md"]
    assert result.code != 0
    error = one_line_error(result)
    assert "the disk is full" in error and str(out) in error and "free some space" in error


def test_output_to_a_new_file_on_a_full_disk_leaves_nothing(run, tmp_path, monkeypatch):
    fill_up_disk(monkeypatch, tmp_path)
    result = run(
        "brief", SHORT, "-o", str(tmp_path / "brief.md"), "--no-cache", "--engine", "offline"
    )
    monkeypatch.undo()
    assert result.code != 0 and "the disk is full" in one_line_error(result)
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_device_is_written_straight(run):
    assert run("brief", SHORT, "-o", os.devnull, "--no-cache").code == 0


def test_flags_win_over_environment(run, router, llm_env, monkeypatch):
    monkeypatch.setenv("BRIEFER_MODEL", "env-model")
    log = replay("happy_very_short", router)
    result = run(
        "brief", SHORT, "--model", "flag-model", "--temperature", "0", "--max-output-tokens", "999"
    )
    assert result.code == 0, result.err
    body = log.bodies[0]
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("flag-model", 0, 999)


def test_environment_model_is_used(run, router, llm_env, monkeypatch):
    monkeypatch.setenv("BRIEFER_MODEL", "env-model")
    log = replay("happy_very_short", router)
    assert run("brief", SHORT).code == 0
    assert log.bodies[0]["model"] == "env-model"


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\t \n")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Caf\u00e9 owners protest new rules in the city".encode("latin-1"))
    large = tmp_path / "large.txt"
    large.write_text("word " * 500_000)
    return {
        "missing": ([str(tmp_path / "nope.txt")], "no such file"),
        "directory": ([str(tmp_path)], "directory"),
        "empty": ([str(empty)], "empty"),
        "whitespace": ([str(blank)], "empty"),
        "binary": ([str(binary)], "binary"),
        "invalid utf-8": ([str(latin1)], "UTF-8"),
        "too large": ([str(large)], "--max-bytes"),
        "too large by flag": ([SHORT, "--max-bytes", "100"], "limit"),
        "text given as a path": (["The board voted to keep the port open. " * 8], "file path"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "empty",
        "whitespace",
        "binary",
        "invalid utf-8",
        "too large",
        "too large by flag",
        "text given as a path",
    ],
)
def test_bad_input_is_refused_before_any_request(run, router, llm_env, tmp_path, case):
    log = replay("happy_very_short", router)
    args, hint = _bad_inputs(tmp_path)[case]
    result = run("brief", *args)
    assert result.code == 2
    assert hint in one_line_error(result)
    assert log.requests == []


def test_size_limit_from_environment(run, router, llm_env, monkeypatch):
    log = replay("happy_very_short", router)
    monkeypatch.setenv("BRIEFER_MAX_BYTES", "50")
    result = run("brief", SHORT)
    assert result.code == 2 and "BRIEFER_MAX_BYTES" in one_line_error(result)
    assert log.requests == []


def test_empty_stdin_is_refused(run, llm_env):
    result = run("brief", "-", stdin=b"")
    assert result.code == 2 and "standard input" in one_line_error(result)


def test_openai_engine_without_configuration_is_a_usage_error(run):
    result = run("brief", SHORT, "--engine", "openai")
    assert result.code == 2
    assert "OPENAI_API_KEY" in one_line_error(result)


def test_no_llm_configured_runs_the_offline_engine_with_a_notice(run):
    result = run("brief", SHORT, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["engine"] == "offline"
    notice = result.err.strip().splitlines()
    assert len(notice) == 1 and "offline engine" in notice[0] and "OPENAI_API_KEY" in notice[0]


def test_explicit_offline_engine_is_quiet(run, llm_env):
    result = run("brief", SHORT, "--engine", "offline")
    assert result.code == 0 and result.err == ""
    assert result.out.startswith("# Port of Calder Reopens")


def test_unknown_engine_is_a_usage_error(run):
    result = run("brief", SHORT, "--engine", "gpt")
    assert result.code == 2 and "engine" in one_line_error(result)


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--format", "pdf"], "--format"),
        (["--json-mode", "yaml"], "--json-mode"),
        (["--temperature", "7"], "temperature"),
        (["--prompt", "no-such-template"], "prompt template"),
    ],
)
def test_bad_options_are_usage_errors(run, llm_env, args, hint):
    result = run("brief", SHORT, *args)
    assert result.code == 2
    assert hint in one_line_error(result)


def test_unknown_option_is_exit_2(run):
    assert run("brief", SHORT, "--no-such-flag").code == 2


def test_engine_failure_is_exit_1_one_line(run, router, llm_env):
    replay("server_errors_exhausted", router)
    import briefer.engines.openai.engine

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(briefer.engines.openai.engine.time, "sleep", lambda s: None)
        result = run("brief", SHORT)
    assert result.code == 1
    assert "503" in one_line_error(result)


def test_debug_after_arguments_shows_the_traceback(run, router, llm_env):
    replay("refusal", router)
    result = run("brief", SHORT, "--debug")
    assert result.code == 1
    assert "Traceback" in result.err and "RefusalError" in result.err
    assert result.err.strip().splitlines()[-1].startswith("briefer: error: ")
    assert TEST_KEY not in result.err


def test_custom_prompt_template(run, router, llm_env, tmp_path):
    from briefer.engines.openai.prompts import builtin_prompt_dir

    text = (builtin_prompt_dir() / "brief.toml").read_text(encoding="utf-8")
    custom = tmp_path / "terse.toml"
    custom.write_text(
        re.sub(
            r'version = "\d+"', 'version = "7"', text.replace('name = "brief"', 'name = "terse"')
        ),
        encoding="utf-8",
    )
    replay("happy_very_short", router)
    result = run("brief", SHORT, "--prompt", str(custom), "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["prompt"] == {"name": "terse", "version": "7"}


def test_custom_prompt_with_unknown_variable_names_it(run, llm_env, tmp_path):
    from briefer.engines.openai.prompts import builtin_prompt_dir

    text = (builtin_prompt_dir() / "brief.toml").read_text(encoding="utf-8")
    custom = tmp_path / "broken.toml"
    custom.write_text(text.replace("{{title}}", "{{publication}}"), encoding="utf-8")
    result = run("brief", SHORT, "--prompt", str(custom))
    assert result.code == 2
    assert "{{publication}}" in one_line_error(result)


def test_python_dash_m_runs():
    result = subprocess.run(
        [sys.executable, "-m", "briefer", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("briefer ")


def test_strict_with_no_verified_fact_is_exit_1(run, router, llm_env):
    replay("all_quotes_invented", router)
    result = run("brief", SHORT, "--strict")
    assert result.code == 1
    assert "--strict" in one_line_error(result)


def test_without_strict_unverified_facts_are_kept_and_marked(run, router, llm_env):
    replay("all_quotes_invented", router)
    result = run("brief", SHORT, "--format", "json")
    assert result.code == 0, result.err
    envelope = json.loads(result.out)
    assert envelope["verification"]["missing"] == 2
    assert [c["status"] for c in envelope["verification"]["key_facts"]] == ["missing", "missing"]


@pytest.mark.parametrize(
    ("content", "hint"),
    [("\u200b\u202e \n", "empty"), ("!!! ... ??? —\n", "no words")],
    ids=["only-invisible", "only-punctuation"],
)
def test_articles_without_visible_words_are_refused(run, tmp_path, content, hint):
    path = tmp_path / "odd.txt"
    path.write_text(content, encoding="utf-8")
    result = run("brief", str(path))
    assert result.code == 2 and hint in one_line_error(result)


# --- a command line that explains itself ---------------------------------------------------------


def _commands() -> list[list[str]]:
    """Every command and subcommand, as the words that name it."""
    import typer.main

    from briefer.cli import app

    root = typer.main.get_command(app)
    out = []
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            out += [[name, sub] for sub in subcommands]
        else:
            out.append([name])
    return out


def test_every_command_explains_itself_with_values_not_python_types(run):
    commands = _commands()
    assert ["models"] in commands and ["prompts"] in commands and ["batch", "prepare"] in commands
    for words in commands:
        result = run(*words, "-h")
        assert result.code == 0, words
        assert not re.search(r"<(?:str|int|float|path|bool|list\[)", result.out), (
            words,
            result.out,
        )
        assert "{" not in result.out.splitlines()[0], words  # usage line without braces
        if words[0] != "batch":
            assert "Example" in result.out, words
        if words[0] in ("brief", "digest", "compare", "show"):
            assert "<markdown|json|text|html|slack>" in result.out, words  # every one it takes


def test_the_root_help_lists_every_command_and_shell_completion(run):
    result = run("-h")
    assert result.code == 0 and "--install-completion" in result.out
    for words in _commands():
        assert words[0] in result.out
    listing = " ".join(result.out.split("Commands:", 1)[1].split())
    assert "..." not in listing  # each command's summary whole, never cut
    assert "Brief many articles at once into one morning brief, grouped by story." in listing


@pytest.mark.parametrize(
    "args",
    [
        ["show", "abc"],
        ["no-such-command"],
        ["brief", SHORT, "--format", "pdf"],
        ["digest", SHORT, "--concurrency", "many"],
        ["brief"],
    ],
)
def test_every_usage_error_is_one_line_in_one_style(run, args):
    result = run(*args)
    assert result.code == 2
    line = one_line_error(result)
    assert "Usage:" not in line and "Try '" not in line


def test_digest_dash_reads_paths_one_a_line_from_standard_input(run):
    paths = "\n".join(str(FIXTURES / "articles" / n) for n in ("business.txt", "courts.txt"))
    result = run("digest", "-", "--engine", "offline", "--no-cache", "-q", stdin=paths.encode())
    assert result.code == 0, result.err
    assert len(re.findall(r"^## \d+\. ", result.out, re.M)) == 2


def test_history_shows_cost_and_filters_by_time_and_text(run, tmp_path):
    from datetime import UTC, datetime, timedelta

    from briefer import Briefer
    from briefer.inputs import load_article
    from briefer.io.store import Store

    db = tmp_path / "briefs.sqlite"
    store = Store(db)
    for name, days_old, cost in (("business", 3, 0.0021), ("courts", 0, 0.0004)):
        article = load_article(ARTICLES / f"{name}.txt")
        envelope = Briefer(engine="offline").brief(article)
        usage = envelope.usage.model_copy(update={"total_tokens": 1500, "cost_usd": cost})
        when = datetime.now(UTC) - timedelta(days=days_old)
        store.put(name, envelope.model_copy(update={"usage": usage, "created_at": when}))
    table = run("history", "--db", str(db))
    assert table.code == 0 and "$0.0021" in table.out
    assert "total cost of these 2: $0.0025" in table.out
    recent = run("history", "--db", str(db), "--since", "24h", "--format", "jsonl")
    rows = [json.loads(line) for line in recent.out.splitlines()]
    assert [r["cost_usd"] for r in rows] == [0.0004]
    found = run("history", "--db", str(db), "--search", "BRIGHTLINE", "--format", "json")
    assert [r["source"].endswith("courts.txt") for r in json.loads(found.out)] == [True]
    assert run("history", "--db", str(db), "--since", "last tuesday").code == 2


def test_models_and_prompts_list_their_tables(run):
    models = run("models")
    assert models.code == 0
    assert re.search(r"^gpt-4o-mini\s+128,000\s+16,384\s+0\.15\s+0\.6\b", models.out, re.M)
    assert re.search(r"^default\s+8,192\s+4,096\s+-\s+-", models.out, re.M)
    prompts = run("prompts")
    assert prompts.code == 0 and re.search(r"^brief\s+\d+\s+\S+brief\.toml$", prompts.out, re.M)


@pytest.mark.parametrize(
    "args",
    [["brief", SHORT], ["digest", SHORT], ["batch", "prepare", SHORT]],
)
def test_dry_run_needs_no_key_and_estimates_the_llm(run, monkeypatch, tmp_path, args):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    result = run(*args, "--dry-run", "--db", str(tmp_path / "never-written.sqlite"))
    assert result.code == 0, result.err
    assert re.search(r"cost:\s+\$0\.\d+", result.out) and "$0.0000" not in result.out
    if args[0] != "batch":  # with and without the provider's prompt cache
        assert "when the provider caches the" in result.out
    if args[0] != "batch":  # batch prepare reads the store to skip articles briefed already
        assert not (tmp_path / "never-written.sqlite").exists()
