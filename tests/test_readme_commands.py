# ruff: noqa: E501  (the tables hold the README's commands word for word)
"""The README's commands, run as written.

Every shell command in a fenced block of README.md is either run here, in a world made of the
repository's fixtures (no key, nothing written into the repository; example.org and
example.com are a stand-in answering with fixture pages and feeds), or listed in SKIPPED with
the reason it cannot run here. Every ```python block is run or listed
too, and every other block is named in NOT_COMMANDS. A command added to the README and
judged nowhere fails `test_every_readme_command_is_run_or_skipped_with_a_reason`; a command
that exits otherwise than the README says fails `test_the_readme_commands_run_as_written`.

A command is a line of a block (continuation lines joined, comments dropped, `$ ` prompts
read as such); a line of steps joined by `&&` is judged step by step, except a crontab line,
which is one entry. Identical commands are judged once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

from .exchanges import article_in, brief_json

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FIXTURES = ROOT / "fixtures"

SHELL = {"", "sh", "bash", "shell", "console", "zsh"}

INSTALLED = "a step of installing briefer; the test runs inside the installed environment, and .ci/run runs the README's install lines"
KEY = "needs an OpenAI API key"
CRON = "a crontab entry: it runs at 6 or 7 a.m., with outside feeds and a real Slack or SMTP server"

SKIPPED: dict[str, str] = {
    # Quick start
    "python3 -m venv .venv": INSTALLED,
    ". .venv/bin/activate": INSTALLED,
    "pip install .": INSTALLED,
    "pip install '.[test]'": INSTALLED,
    "pytest": "the test suite this test is part of (.ci/run runs it)",
    # Use
    "export OPENAI_API_KEY=...": KEY,
    # Local models: each needs a server started from model weights
    "llama-server -m model.gguf --host 127.0.0.1 --port 8080 -c 16384 -np 4": "starts llama.cpp's server from model weights; tests/test_realserver.py runs these lines where ../shared/llm-server is present",
    "OPENAI_BASE_URL=http://127.0.0.1:8080/v1 briefer brief article.txt": "needs a running llama-server (tests/test_realserver.py)",
    "OPENAI_BASE_URL=http://127.0.0.1:8080/v1 briefer digest ~/news/today/ -o morning.md": "needs a running llama-server (tests/test_realserver.py)",
    "python -m llama_cpp.server --model model.gguf --host 127.0.0.1 --port 8000 --n_ctx 8192": "llama-cpp-python and model weights are not installed",
    "OPENAI_BASE_URL=http://127.0.0.1:8000/v1 briefer digest ~/news/today/ --context-tokens 8192": "needs a running llama-cpp-python server",
    "vllm serve Qwen/Qwen2.5-7B-Instruct --max-model-len 16384 --api-key local-key": "vLLM needs a GPU and model weights",
    "OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_API_KEY=local-key briefer digest ~/news/today/": "needs a running vLLM server",
    "ollama pull llama3.2": "downloads model weights from Ollama's registry",
    "OLLAMA_CONTEXT_LENGTH=16384 OLLAMA_NUM_PARALLEL=4 ollama serve": "Ollama is not installed",
    "OPENAI_BASE_URL=http://127.0.0.1:11434/v1 briefer digest ~/news/today/ --model llama3.2 --context-tokens 16384 --concurrency 4": "needs a running Ollama server",
    # Morning digest
    "0 6 * * * SLACK_WEBHOOK=https://hooks.slack.com/services/... /home/me/.venv/bin/briefer digest --feeds /home/me/feeds.opml --since 24h --format html -o /home/me/briefs/$(date +\\%F).html --post-slack-env SLACK_WEBHOOK --progress 2>> /home/me/briefs/briefer.log": CRON,
    "0 7 * * * . /home/me/.config/briefer/env && /home/me/.venv/bin/briefer digest --feeds /home/me/feeds.opml --since 24h -o /home/me/briefs/$(date +\\%F).md --email-to me@example.org --progress 2>> /home/me/briefs/briefer.log": CRON,
    # Batches
    "briefer batch submit requests.jsonl": "uploads to OpenAI's Files and Batches endpoints; needs an OpenAI API key",
    "briefer batch status": "asks OpenAI's Batches endpoint; needs an OpenAI API key",
    "briefer batch collect batch_abc123 --dir results/": "downloads from OpenAI's Batches endpoint; needs an OpenAI API key",
    "python -m vllm.entrypoints.openai.run_batch -i requests.jsonl -o results.jsonl --model meta-llama/Llama-3.1-8B-Instruct": "vLLM needs a GPU and model weights; the test writes results.jsonl in its place",
    # Measuring quality
    "briefer eval labels/ --model gpt-4.1-mini": KEY,
    # Development
    "BRIEFER_RECORD=1 OPENAI_API_KEY=... python -m tests.recorder": "records live exchanges; needs an OpenAI API key",
}

# Fenced blocks that hold no command, by (language, first line).
NOT_COMMANDS: dict[tuple[str, str], str] = {
    (
        "markdown",
        "# Port of Calder Reopens After Diesel Spill Cleanup",
    ): "output; tests/test_cli.py checks it is what the tool prints",
    ("ini", "# ~/.config/systemd/user/briefer.service"): "a systemd unit and timer",
    ("json", '"mcpServers": {'): "an MCP client's configuration",
    (
        "toml",
        '[project.entry-points."briefer.engines"]',
    ): "a plugin's pyproject.toml; run with the plugin's Python below",
}


# --- reading the README ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    lang: str
    text: str
    line: int


@dataclass(frozen=True)
class Command:
    text: str
    line: int
    output: tuple[str, ...] = ()  # what a `$ ` block shows the command printing


def blocks(readme: str) -> list[Block]:
    found = re.finditer(r"^```([\w-]*)[ \t]*\n(.*?)^```[ \t]*$", readme, re.M | re.S)
    return [Block(m[1], m[2], readme.count("\n", 0, m.start()) + 1) for m in found]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _crontab(line: str) -> bool:
    return re.match(r"^([\d*/,-]+\s+){5}\S", line) is not None


def commands(block: Block) -> list[Command]:
    """The commands of a shell block, in order, each with the line of the README it starts on."""
    logical: list[tuple[int, str]] = []  # (line, text) with continuation lines joined
    joining = False
    for offset, line in enumerate(block.text.splitlines()):
        if joining:
            logical[-1] = (logical[-1][0], logical[-1][1] + " " + line.removesuffix("\\"))
        else:
            logical.append((block.line + 1 + offset, line.removesuffix("\\")))
        joining = line.endswith("\\")
    prompted = any(text.startswith("$ ") for _, text in logical)
    found: list[Command] = []
    for index, (at, text) in enumerate(logical):
        if prompted:
            if not text.startswith("$ "):
                continue
            text = text[2:]
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        text = _normal(re.sub(r"\s+#\s.*$", "", text))
        if prompted:
            shown = []
            for _, after in logical[index + 1 :]:
                if after.startswith("$ "):
                    break
                shown.append(after)
            found.append(Command(text, at, tuple(shown)))
        elif _crontab(text):
            found.append(Command(text, at))
        else:
            found += [Command(_normal(step), at) for step in text.split(" && ")]
    return found


def readme_commands(readme: str) -> list[Command]:
    return [c for b in blocks(readme) if b.lang in SHELL for c in commands(b)]


def python_blocks(readme: str) -> list[Block]:
    return [b for b in blocks(readme) if b.lang == "python"]


def first_line(block: Block) -> str:
    """What names a block: its first line with a letter or digit in it."""
    return next(line.strip() for line in block.text.splitlines() if re.search(r"\w", line))


def unjudged(readme: str) -> list[str]:
    """What the README shows that is neither run nor skipped here, one line each."""
    judged = set(SKIPPED) | {run.command for run in RUNS}
    missing = [
        f"README.md:{c.line}: {c.text}" for c in readme_commands(readme) if c.text not in judged
    ]
    snippets = set(PYTHON_SKIPPED) | set(PYTHON_RUNS)
    missing += [
        f"README.md:{b.line}: ```python {first_line(b)}"
        for b in python_blocks(readme)
        if first_line(b) not in snippets
    ]
    missing += [
        f"README.md:{b.line}: ```{b.lang} {first_line(b)}"
        for b in blocks(readme)
        if b.lang not in SHELL | {"python"} and (b.lang, first_line(b)) not in NOT_COMMANDS
    ]
    return missing


def stale(readme: str) -> list[str]:
    """Entries of the tables here that the README no longer shows."""
    shown = {c.text for c in readme_commands(readme)}
    entries = [*SKIPPED, *(run.command for run in RUNS)]
    gone = [text for text in entries if text not in shown]
    snippets = {first_line(b) for b in python_blocks(readme)}
    gone += [s for s in (*PYTHON_SKIPPED, *PYTHON_RUNS) if s not in snippets]
    others = {(b.lang, first_line(b)) for b in blocks(readme)}
    gone += [f"```{lang} {line}" for lang, line in NOT_COMMANDS if (lang, line) not in others]
    return gone


# --- the world the README's commands assume ---------------------------------------------------


@dataclass
class World:
    root: Path  # the folder the commands run in
    home: Path
    env: dict[str, str]
    web: Path  # the folder of web_stand_in.py and of a briefer that imports it first

    def environment(self, *, web: bool = False, **more: str) -> dict[str, str]:
        env = dict(self.env, **more)
        if web:
            env["PATH"] = os.pathsep.join([str(self.web), env["PATH"]])
            env["PYTHONPATH"] = os.pathsep.join([str(self.web), env["PYTHONPATH"]])
        return env

    def run(
        self, command: str, *, web: bool = False, timeout: float = 120, **more: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=self.root,
            env=self.environment(web=web, **more),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def python(self, code: str, *paths: Path) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), env["PYTHONPATH"]])
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _script(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def make_world(base: Path, *, history: bool = True) -> World:
    """A working folder and a home holding the files the README's commands name, made from
    the repository's fixtures, and an environment with no key and its own store."""
    missing = [tool for tool in ("bash", "jq", "openssl") if shutil.which(tool) is None]
    assert not missing, f"the README's commands use {', '.join(missing)}: install it"
    root, home, bin_dir = base / "work", base / "home", base / "bin"
    shutil.copytree(FIXTURES, root / "fixtures")
    bin_dir.mkdir()
    # the repository's briefer, whatever is installed
    _script(bin_dir / "briefer", f'#!/bin/sh\nexec "{sys.executable}" -m briefer "$@"\n')
    web = base / "web"
    web.mkdir()
    (web / "web_stand_in.py").write_text(
        WEB.replace("FIXTURES_FOLDER", repr(str(root / "fixtures"))), encoding="utf-8"
    )
    (web / "web_briefer.py").write_text(
        "import sys\n\nimport web_stand_in  # noqa: F401\nfrom briefer.cli import main\n\n"
        "sys.argv[0] = 'briefer'\nmain()\n",
        encoding="utf-8",
    )
    _script(
        web / "briefer", f'#!/bin/sh\nexec "{sys.executable}" "{web / "web_briefer.py"}" "$@"\n'
    )

    articles = sorted((FIXTURES / "articles").glob("*.txt"))
    shutil.copy(FIXTURES / "articles" / "anonymous_sources.txt", root / "article.txt")
    shutil.copy(FIXTURES / "html" / "news_on_the_record.html", root / "saved-page.html")
    shutil.copy(FIXTURES / "html" / "science_with_comments.html", root / "article.html")
    (home / "news" / "today").mkdir(parents=True)
    for path in articles:
        shutil.copy(path, home / "news" / "today")
    pages = [
        FIXTURES / "html" / n for n in ("news_on_the_record.html", "science_with_comments.html")
    ]
    for path in pages:
        shutil.copy(path, home / "news")
    (root / "reading-list.txt").write_text(
        "# pages of the web's stand-in\nhttps://example.org/news/story\n"
        "https://example.org/news/science\n",
        encoding="utf-8",
    )
    shutil.copytree(FIXTURES / "compare", home / "archive")
    shutil.copy(FIXTURES / "compare" / "harwick_local.txt", root / "a.txt")
    tabloid = (FIXTURES / "compare" / "harwick_tabloid.txt").read_text(encoding="utf-8")
    title, *paragraphs = [p for p in tabloid.split("\n\n") if p.strip()]
    (root / "b.html").write_text(
        f"<html><head><title>{escape(title)}</title></head><body><article>"
        f"<h1>{escape(title)}</h1>"
        + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        + "</article></body></html>",
        encoding="utf-8",
    )
    (root / "subscriptions.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head><body>'
        '<outline type="rss" text="Example" xmlUrl="https://example.org/rss.xml"/>'
        '<outline type="rss" text="Example wire" xmlUrl="https://example.com/atom"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    shutil.copytree(FIXTURES / "labels", root / "labels")
    shutil.copytree(FIXTURES / "articles", root / "articles")  # next to labels/, as eval looks
    long_read = "\n\n".join(p.read_text(encoding="utf-8") for p in articles * 3)
    (root / "long-read.txt").write_text("A Long Read\n\n" + long_read, encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    env.pop("TIKTOKEN_CACHE_DIR", None)
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(base / "xdg" / "config"),
        "XDG_DATA_HOME": str(base / "xdg" / "data"),
        "XDG_CACHE_HOME": str(base / "xdg" / "cache"),
        "BRIEFER_DB": str(base / "store" / "briefer.db"),
        # tiktoken would download its encoding; counts are then the documented estimate
        "BRIEFER_TOKENIZER": "estimate",
        "PATH": os.pathsep.join([str(bin_dir), env.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    }
    world = World(root, home, env, web)
    if not history:
        return world

    # A history: `briefer show 42` and `briefer story 42` name the 42nd stored brief, here the
    # second day of a story whose first day is the 41st.
    history = world.python(
        "from pathlib import Path\n"
        "from briefer import Briefer\n"
        "from briefer.io.store import Store\n"
        "import os\n"
        "articles = sorted(Path('fixtures/articles').glob('*.txt'))\n"
        "briefer = Briefer(engine='offline', store=Store(Path(os.environ['BRIEFER_DB'])), "
        "refresh=True)\n"
        "for i in range(40):\n"
        "    briefer.brief(articles[i % len(articles)])\n"
        "briefer.brief(Path('fixtures/followup/day1_ledger.txt'))\n"
        "briefer.brief(Path('fixtures/followup/day2_wire.txt'))\n"
        "old = briefer.brief(Path('article.txt'))\n"
        "Path('old.json').write_text(old.model_dump_json(), encoding='utf-8')\n"
        "cut = Briefer(engine='offline', max_input_tokens=300).brief(Path('article.txt'))\n"
        "Path('new.json').write_text(cut.model_dump_json(), encoding='utf-8')\n"
    )
    assert history.returncode == 0, history.stderr
    return world


def vllm_results(world: World) -> None:
    """What vLLM's run-batch would write for requests.jsonl: a brief quoting each article's
    first sentence, and one request that failed (for `prepare --retry-failed`)."""
    from briefer.text import sentences

    template = (FIXTURES / "batch" / "vllm_output_template.jsonl").read_text("utf-8").strip()
    lines = []
    requests = (world.root / "requests.jsonl").read_text(encoding="utf-8").splitlines()
    for number, request in enumerate(map(json.loads, requests)):
        body = article_in(request["body"]).split("\n\n", 1)[-1]
        content = json.dumps(brief_json(sentences(body)[0].text))
        line = json.loads(
            template.replace("{custom_id}", request["custom_id"]).replace("{content}", content)
        )
        if number == 0:
            line["response"] = {"status_code": 500, "body": {"error": {"message": "out of memory"}}}
        lines.append(json.dumps(line) + "\n")
    assert len(lines) >= 2
    (world.root / "results.jsonl").write_text("".join(lines), encoding="utf-8")


def repository_files() -> dict[str, int]:
    """The repository's files and when each last changed (caches and dot-folders aside)."""
    found = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(ROOT))] = path.stat().st_mtime_ns
    return found


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(request: urllib.request.Request) -> int | None:
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


# --- what is run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    command: str
    code: int = 0
    writes: tuple[str, ...] = ()  # files the command must leave, relative to the working folder
    shows: str = ""  # text stdout must hold
    says: str = ""  # text stderr must hold
    before: Callable[[World], None] | None = None  # what a skipped step before it would do
    # a server: (default port, method, path, status it must answer without a token)
    serves: tuple[int, str, str, int] | None = None
    web: bool = False  # run against the web's stand-in (example.org and example.com)
    # run while this server command (a README command run before) is up on `port`, with `env`
    beside: str = ""
    port: int = 0
    env: tuple[tuple[str, str], ...] = ()


RUNS: list[Run] = [
    Run("briefer brief fixtures/articles/anonymous_sources.txt", shows="## Key facts"),
    Run("briefer brief article.txt", shows="## Sourcing caveats"),
    Run("briefer brief article.txt --format json | jq .brief.key_facts", shows='"evidence"'),
    Run("cat article.txt | briefer brief - -o brief.md", writes=("brief.md",)),
    Run("briefer brief saved-page.html", shows="Westbrook"),
    Run("briefer digest ~/news/today/ -o morning.md", writes=("morning.md",)),
    Run(
        "briefer digest --urls reading-list.txt --format html -o morning.html",
        web=True,
        writes=("morning.html",),
        says="wrote morning.html · 2 stories",
    ),
    Run("briefer brief https://example.org/news/story", web=True, shows="Westbrook"),
    Run(
        "briefer compare a.txt b.html https://example.org/c",
        web=True,
        shows="| | a | b | example.org |",
    ),
    Run("briefer compare --briefs old.json new.json"),
    Run("ls ~/news/*.html | briefer digest -", shows="2 articles"),
    Run("briefer brief article.txt --dry-run", shows="nothing was sent"),
    Run("briefer history --since 24h --search sanctions"),
    Run("briefer show 42 --format json", shows='"Marlow Harbour'),
    Run("briefer story 42", shows="## Timeline"),
    Run("briefer models", shows="gpt-4o-mini"),
    Run("briefer prompts", shows="brief"),
    Run("briefer schema", shows='"schema_version"'),
    Run(
        "briefer digest --feed https://example.org/rss.xml --feed https://example.com/atom "
        "--since 24h --format html -o morning.html",
        web=True,
        writes=("morning.html",),
        says="wrote morning.html",
    ),
    # the same feeds again: nothing new, said, nothing written
    Run("briefer digest --feeds subscriptions.opml --since 24h", web=True, says="nothing new"),
    Run("briefer serve", serves=(8080, "GET", "/healthz", 200)),
    Run(
        """curl -s localhost:8080/v1/brief -H "Authorization: Bearer $BRIEFER_SERVER_TOKEN" """
        """-H 'content-type: application/json' """
        """-d '{"url": "https://example.org/news/story", "format": "markdown"}'""",
        beside="briefer serve",
        port=8080,
        web=True,
        env=(("BRIEFER_SERVER_TOKEN", "a-token-for-the-readme-test"),),
        shows="## Key facts",
    ),
    Run(
        "BRIEFER_SERVER_TOKEN=$(openssl rand -hex 16) briefer mcp --http --port 8765",
        serves=(8765, "POST", "/mcp", 401),
    ),
    Run("briefer batch prepare ~/archive/ -o requests.jsonl --dry-run", shows="requests:"),
    Run("briefer batch prepare ~/archive/ -o requests.jsonl", writes=("requests.jsonl",)),
    # one line of the results failed: reported, exit 1, and kept for --retry-failed
    Run("briefer batch import results.jsonl", code=1, before=vllm_results),
    Run("briefer batch prepare --retry-failed -o retry.jsonl", writes=("retry.jsonl",)),
    Run(
        "briefer brief long-read.txt --dry-run --model gpt-4.1-mini --context-tokens 8000",
        shows="nothing was sent",
    ),
    Run(
        "briefer eval labels/ --engine offline --format json -o before.json",
        writes=("before.json",),
    ),
    Run("briefer eval labels/ --engine offline --baseline before.json"),
]


def run_plugin(world: World, snippet: str, readme: str) -> list[str]:
    """The README's engine, installed as its pyproject.toml block says, then `--engine lede`."""
    toml = next(b.text for b in blocks(readme) if b.lang == "toml" and "briefer.engines" in b.text)
    points = tomllib.loads(toml)["project"]["entry-points"]["briefer.engines"]
    plugin = world.root.parent / "plugin"
    plugin.mkdir()
    module = {target.split(":")[0] for target in points.values()}
    for name in module:
        (plugin / f"{name}.py").write_text(snippet, encoding="utf-8")
    dist = plugin / "my_package-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: my_package\nVersion: 1.0\n", encoding="utf-8"
    )
    entries = "".join(f"{name} = {target}\n" for name, target in points.items())
    (dist / "entry_points.txt").write_text(f"[briefer.engines]\n{entries}", encoding="utf-8")
    env = dict(world.env, PYTHONPATH=os.pathsep.join([str(plugin), world.env["PYTHONPATH"]]))
    plugged = World(world.root, world.home, env, world.web)
    problems = []
    for name in points:
        done = plugged.run(f"briefer brief article.txt --engine {name} --format json")
        if done.returncode != 0 or json.loads(done.stdout or "{}").get("engine") != name:
            problems.append(f"--engine {name}: exit {done.returncode}: {done.stderr.strip()}")
    return problems


# A stand-in for the web the README's examples name, imported first by the commands marked
# `web` and by the API example: example.org and example.com resolve to a public address and
# answer with fixture pages, and with an RSS and an Atom feed whose entries are an hour old.
WEB = """
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import respx

FIXTURES = Path(FIXTURES_FOLDER)
HTML = {"content-type": "text/html; charset=utf-8"}
TEXT = {"content-type": "text/plain; charset=utf-8"}
hour_ago = datetime.now(UTC) - timedelta(hours=1)


_resolve = socket.getaddrinfo


def _public(host, *args, **kwargs):
    if host not in ("example.org", "example.com"):
        return _resolve(host, *args, **kwargs)
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0))]


socket.getaddrinfo = _public
web = respx.mock(assert_all_mocked=True, assert_all_called=False)
web.start()
pages = {
    "https://example.org/news/story": (HTML, FIXTURES / "html" / "news_on_the_record.html"),
    "https://example.org/news/science": (HTML, FIXTURES / "html" / "science_with_comments.html"),
    "https://example.org/c": (TEXT, FIXTURES / "compare" / "harwick_wire.txt"),
    "https://example.com/news/harbour": (TEXT, FIXTURES / "followup" / "day2_wire.txt"),
}
for url, (headers, path) in pages.items():
    web.get(url).mock(return_value=httpx.Response(200, headers=headers, content=path.read_bytes()))
items = "".join(
    f"<item><title>{name}</title><link>https://example.org/news/{name}</link>"
    f"<pubDate>{format_datetime(hour_ago)}</pubDate></item>"
    for name in ("story", "science")
)
rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>{items}</channel></rss>'
atom = (
    '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example wire</title>'
    "<id>tag:example.com,2026:wire</id><entry><title>Harbour</title><id>tag:example.com,2026:1</id>"
    f'<link href="https://example.com/news/harbour"/><updated>{hour_ago.isoformat()}</updated>'
    "</entry></feed>"
)
feeds = {
    "https://example.org/rss.xml": ("application/rss+xml", rss),
    "https://example.com/atom": ("application/atom+xml", atom),
}
for url, (kind, body) in feeds.items():
    web.get(url).mock(return_value=httpx.Response(200, headers={"content-type": kind}, text=body))
"""

# The articles the API example names but does not define.
ARTICLES = """
text = Path("article.txt").read_text(encoding="utf-8")
a, b, c = (p.read_text(encoding="utf-8") for p in sorted(Path("fixtures/compare").glob("*.txt")))
"""


def run_api_example(world: World, snippet: str, readme: str) -> list[str]:
    """The README's API example, with the web's stand-in and its articles."""
    code = "from web_stand_in import *\n" + ARTICLES + snippet
    code += "\ncalled = {str(call.request.url) for call in web.calls}"
    code += "\nassert {'https://example.org/news/story', 'https://example.org/rss.xml'} <= called"
    done = world.python(code, world.web)
    if done.returncode != 0:
        return [f"exit {done.returncode}: {done.stderr[-800:]}"]
    if "## Key facts" not in done.stdout:
        return [f"printed no brief: {done.stdout[-400:]!r}"]
    return []


PYTHON_RUNS: dict[str, Callable[[World, str, str], list[str]]] = {
    "from datetime import UTC, datetime, timedelta": run_api_example,
    "from briefer import Brief, EngineResult, KeyFact, SimpleEngine": run_plugin,
}

PYTHON_SKIPPED: dict[str, str] = {
    "from briefer import URL, Briefer, BrieferError, render_slack": "needs a Slack app and token; tests/test_inputs.py runs it as written with a stand-in slack_bolt",
}


def _number_pattern(line: str) -> str:
    """A shown output line as a pattern: its numbers stand for any numbers."""
    parts = re.split(r"\d[\d,]*(?:\.\d+)?", line)
    return r"[\d,]+(?:\.\d+)?".join(map(re.escape, parts))


def check_run(world: World, run: Run, shown: tuple[str, ...]) -> str | None:
    """What is wrong with one command's run, or None."""
    if run.before is not None:
        run.before(world)
    if run.serves is not None:
        return check_server(world, run)
    if run.beside:
        return check_beside(world, run)
    return check_output(world, run, shown, world.run(run.command, web=run.web, **dict(run.env)))


def check_output(
    world: World, run: Run, shown: tuple[str, ...], done: subprocess.CompletedProcess[str]
) -> str | None:
    """What is wrong with what a command did, or None."""
    said = f"stdout {done.stdout[-400:]!r}, stderr {done.stderr[-400:]!r}"
    if done.returncode != run.code:
        return f"exit {done.returncode}, not {run.code}: {said}"
    for name in run.writes:
        path = world.root / name
        if not path.is_file() or path.stat().st_size == 0:
            return f"did not write {name}: {said}"
    if run.shows not in done.stdout:
        return f"stdout does not hold {run.shows!r}: {said}"
    if run.says not in done.stderr:
        return f"stderr does not hold {run.says!r}: {said}"
    printed = [line for line in done.stdout.splitlines() if line.strip()]
    expected = [line for line in shown if line.strip()]
    if expected and (
        len(printed) != len(expected)
        or not all(
            re.fullmatch(_number_pattern(e), p) for e, p in zip(expected, printed, strict=True)
        )
    ):
        return f"prints {printed}, not the README's {expected} (numbers aside)"
    return None


def _on_port(command: str, port: int) -> str:
    if "--port" in command:
        return re.sub(r"--port \d+", f"--port {port}", command)
    return f"{command} --port {port}"


@contextmanager
def serving(
    world: World, command: str, port: int, *, web: bool, env: dict[str, str]
) -> Iterator[tuple[int, list[str]]]:
    """A server command started in its own process group (on a free port if `port` is
    taken on this machine), then stopped; yields its port and, once stopped, its stderr."""
    if not _free(port):
        port = _free_port()
        command = _on_port(command, port)
    server = subprocess.Popen(
        ["bash", "-c", command],
        cwd=world.root,
        env=world.environment(web=web, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    said: list[str] = []
    try:
        yield port, said
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
        try:
            _, err = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            _, err = server.communicate()
        said.append(err)


def _answer(port: int, method: str, path: str) -> int | None:
    """The status a server on `port` answers, waiting up to 30 s for it to start."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=b"{}" if method == "POST" else None
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answered = _status(request)
        if answered is not None:
            return answered
        time.sleep(0.1)
    return None


def check_server(world: World, run: Run) -> str | None:
    """Start a server command, ask it once on 127.0.0.1, stop it."""
    assert run.serves is not None
    port, method, path, status = run.serves
    with serving(world, run.command, port, web=run.web, env=dict(run.env)) as (port, said):
        answered = _answer(port, method, path)
    if answered != status:
        return f"{method} {path} answered {answered}, not {status}: stderr {said[0][-400:]!r}"
    return None


def check_beside(world: World, run: Run) -> str | None:
    """Run a command while a server it talks to is up."""
    env = dict(run.env)
    with serving(world, run.beside, run.port, web=run.web, env=env) as (port, said):
        if _answer(port, "GET", "/healthz") != 200:
            return "the server did not start"
        command = run.command.replace(f":{run.port}/", f":{port}/")
        done = world.run(command, web=run.web, **env)
    problem = check_output(world, run, (), done)
    return problem and f"{problem}; the server said {said[0][-400:]!r}"


# --- the tests ------------------------------------------------------------------------------------


def test_every_readme_command_is_run_or_skipped_with_a_reason():
    readme = README.read_text(encoding="utf-8")
    assert unjudged(readme) == [], "run these in RUNS or give a reason in SKIPPED"
    assert stale(readme) == [], "the README no longer shows these"
    assert not set(SKIPPED) & {run.command for run in RUNS}
    assert all(reason.strip() for reason in [*SKIPPED.values(), *PYTHON_SKIPPED.values()])


def test_a_command_added_to_the_readme_is_noticed():
    readme = README.read_text(encoding="utf-8")
    end = readme.count("\n")
    added = (
        readme + "\n```sh\nbriefer brief article.txt --frobnicate  # new\nls && briefer x\n```\n"
    )
    assert unjudged(added) == [
        f"README.md:{end + 3}: briefer brief article.txt --frobnicate",
        f"README.md:{end + 4}: ls",
        f"README.md:{end + 4}: briefer x",
    ]
    snippet = readme + "\n```python\nimport briefer\n```\n"
    assert unjudged(snippet) == [f"README.md:{end + 2}: ```python import briefer"]
    other = readme + "\n```yaml\nkey: value\n```\n"
    assert unjudged(other) == [f"README.md:{end + 2}: ```yaml key: value"]
    assert stale(readme.replace("briefer story 42", "briefer story 7")) == ["briefer story 42"]


def test_commands_are_read_as_a_shell_reads_them():
    block = Block(
        "sh",
        "# a comment\n"
        "briefer digest ~/news/ \\\n    --format html   # trailing words\n"
        "python3 -m venv .venv && pip install .\n"
        "0 7 * * * . ~/env && briefer digest\n",
        1,
    )
    assert [c.line for c in commands(block)] == [3, 5, 5, 6]
    assert [c.text for c in commands(block)] == [
        "briefer digest ~/news/ --format html",
        "python3 -m venv .venv",
        "pip install .",
        "0 7 * * * . ~/env && briefer digest",
    ]
    shown = Block("", "$ briefer models\nmodel  context\ngpt-4o  128,000\n", 10)
    assert commands(shown) == [Command("briefer models", 11, ("model  context", "gpt-4o  128,000"))]
    assert re.fullmatch(
        _number_pattern("input tokens: 22,259 (estimated)"), "input tokens: 9 (estimated)"
    )
    assert not re.fullmatch(_number_pattern("requests: 5 (4 parts)"), "requests: 1")


def test_the_readme_commands_run_as_written(tmp_path):
    readme = README.read_text(encoding="utf-8")
    before = repository_files()
    world = make_world(tmp_path)
    shown = {c.text: c.output for c in readme_commands(readme)}
    failures = []
    for run in RUNS:
        problem = check_run(world, run, shown.get(run.command, ()))
        if problem:
            failures.append(f"{run.command}\n    {problem}")
    for block in python_blocks(readme):
        compile(block.text, f"README.md:{block.line}", "exec")
        action = PYTHON_RUNS.get(first_line(block))
        if action is not None:
            failures += [f"README.md:{block.line}: {p}" for p in action(world, block.text, readme)]
    assert not failures, "README commands that did not run as written:\n" + "\n".join(failures)
    assert repository_files() == before, "a README command wrote into the repository"


def test_a_command_that_fails_is_reported(tmp_path):
    world = make_world(tmp_path, history=False)
    problem = check_run(world, Run("briefer show 4242"), ())
    assert problem is not None and problem.startswith("exit 2, not 0")
    problem = check_run(world, Run("briefer models", shows="no such model"), ())
    assert problem is not None and "does not hold" in problem
