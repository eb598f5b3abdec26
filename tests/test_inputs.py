"""What an input is: text is text, files are Paths, pages are URLs; one resolver for all callers.

The chat-safety tests run the README's own Slack handler, with a stand-in for slack_bolt, on
text a chat user could type, and watch (with an audit hook) every file the process opens and
every connection it makes: none of those inputs may be read or fetched.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from briefer import URL, Briefer, BrieferError, load_article
from briefer.cli.common import flag_for
from briefer.errors import FetchError, InputError, library_setting
from briefer.inputs import CommandLine, LoadOptions, expand, label

from .exchanges import FIXTURES, ROOT
from .test_server import serving

CANARY = "password is hunter2"
HTML_PAGE = FIXTURES / "html" / "news_on_the_record.html"
ARTICLE = (FIXTURES / "articles" / "very_short.txt").read_text(encoding="utf-8")


# --- watching what the process opens and connects to -------------------------------------------


class _Watch:
    """Files opened and addresses connected to while `active` (an audit hook stays for good)."""

    def __init__(self) -> None:
        self.active = False
        self.opened: list[str] = []
        self.connected: list[Any] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        if event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            self.opened.append(os.path.abspath(os.fsdecode(args[0])))
        elif event == "socket.connect":
            self.connected.append(args[1])


_WATCH = _Watch()
sys.addaudithook(_WATCH)


@contextmanager
def watching() -> Iterator[_Watch]:
    _WATCH.opened.clear()
    _WATCH.connected.clear()
    _WATCH.active = True
    try:
        yield _WATCH
    finally:
        _WATCH.active = False


# --- the README's chat bot handler, run as written ------------------------------------------------


def readme_slack_handler() -> tuple[Any, Any]:
    """Run the README's Slack example with a stand-in slack_bolt; return (handler, briefer)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    code = next(b for b in blocks if "render_slack" in b and "slack_bolt" in b)
    assert len(code.strip().splitlines()) <= 15, "the README's handler should stay short"

    class AsyncApp:
        def __init__(self) -> None:
            self.handlers: dict[str, Any] = {}

        def command(self, name: str) -> Any:
            def register(handler: Any) -> Any:
                self.handlers[name] = handler
                return handler

            return register

    stand_in = types.ModuleType("slack_bolt.async_app")
    stand_in.AsyncApp = AsyncApp  # type: ignore[attr-defined]
    modules = {"slack_bolt": types.ModuleType("slack_bolt"), "slack_bolt.async_app": stand_in}
    namespace: dict[str, Any] = {}
    saved = {name: sys.modules.get(name) for name in modules}
    sys.modules.update(modules)
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return namespace["app"].handlers["/brief"], namespace["briefer"]


def slash_command(handler: Any, text: str) -> list[dict[str, Any]]:
    """What the handler posts back for `/brief TEXT`."""
    posted: list[dict[str, Any]] = []

    async def ack() -> None:
        return None

    async def respond(**message: Any) -> None:
        posted.append(message)

    asyncio.run(handler(ack, {"text": text}, respond))
    return posted


@pytest.fixture
def planted(tmp_path, monkeypatch) -> dict[str, Path]:
    """Secret files where a chat user's text might point: a home, a working folder, a temp file."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN KEY-----\n{CANARY}\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "secret.txt").write_text(f"The {CANARY}.\nDo not share.\n", encoding="utf-8")
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    temp = tmp_path / "notes.txt"
    temp.write_text(f"Meeting notes\n\nThe {CANARY}. Keep it safe, the admin said.\n", "utf-8")
    return {
        "/etc/hostname": Path("/etc/hostname"),
        "~/.ssh/id_rsa": home / ".ssh" / "id_rsa",
        "file:///etc/passwd": Path("/etc/passwd"),
        "http://127.0.0.1:8080/": Path("/nonexistent-marker"),
        "C:\\Windows\\win.ini": Path("C:\\Windows\\win.ini"),
        "../../secret.txt": tmp_path / "secret.txt",
        str(temp): temp,
    }


def test_the_readme_slack_handler_never_reads_or_fetches_what_a_chat_user_names(planted):
    handler, briefer = readme_slack_handler()
    assert briefer.engine.name == "offline"  # no key in the tests
    for typed, target in planted.items():
        with watching() as seen:
            posted = slash_command(handler, typed)
        assert str(target.resolve()) not in seen.opened, typed
        assert not any(CANARY in json.dumps(message) for message in posted), typed
        assert not [a for a in seen.connected if isinstance(a, tuple) and a[1] == 8080], typed
        assert len(posted) >= 1
        if "text" in posted[0]:  # refused: one clear line
            reply = posted[0]["text"]
            assert reply.startswith("Could not brief that: ") and "\n" not in reply
            if typed.startswith("http"):  # a link is fetched, but never from this machine
                assert "loopback" in reply or "private" in reply, reply
            else:
                assert "path or web address" in reply and "briefer.URL" in reply
        else:  # briefed as what it is: text
            assert posted[0]["blocks"]


def test_the_readme_slack_handler_fetches_a_pasted_public_link(monkeypatch):
    handler, _ = readme_slack_handler()
    asked: list[str] = []

    def resolve(host: str) -> list[Any]:
        asked.append(host)
        raise FetchError(f"cannot resolve {host} (no network in the tests); check the address")

    monkeypatch.setattr("briefer.inputs.fetch.resolve_host", resolve)
    posted = slash_command(handler, "https://news.example/harbour-story")
    assert asked == ["news.example"]  # taken as a link to fetch, not as text
    reply = posted[0]["text"]
    assert reply.startswith("Could not brief that: ") and "path or web address" not in reply


def test_a_chat_message_that_is_an_article_is_briefed(planted):
    handler, _ = readme_slack_handler()
    posted = slash_command(handler, ARTICLE)
    assert "blocks" in posted[0] and "Calder" in json.dumps(posted[0])


# --- one resolver: types decide ---------------------------------------------------------------


def test_a_str_is_text_a_path_is_a_file_and_an_article_is_itself(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    by_text, by_path = load_article(ARTICLE), load_article(path)
    assert by_text.text == by_path.text and by_text.source == "<text>"
    assert by_path.source == str(path)
    assert load_article(by_path) is by_path
    with pytest.raises(InputError, match="cannot brief a int"):
        load_article(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "/etc/hostname",
        "  ~/.ssh/id_rsa\n",
        "file:///etc/passwd",
        "https://example.org/news/story",
        "C:\\Windows\\win.ini",
        "..\\..\\secret.txt",
        "../../secret.txt",
        "secret.txt",
        "example.org/story",
        "/home/me/My Articles/story.txt",
    ],
)
def test_a_str_that_only_names_a_file_or_address_is_refused_without_touching_it(text):
    with watching() as seen, pytest.raises(InputError) as caught:
        load_article(text)
    message = str(caught.value)
    assert "looks like a file path or web address" in message and "\n" not in message
    assert not seen.opened and not seen.connected


def test_an_article_that_mentions_paths_and_addresses_is_still_text():
    text = "Leak Found\n\nThe file /etc/passwd was posted at https://example.org/x, police said."
    assert load_article(text).text == text


def test_text_is_held_to_the_size_limit_and_must_be_unicode():
    with pytest.raises(InputError, match=r"over the 100-byte limit; raise LoadOptions\(max_bytes"):
        load_article("word " * 50, LoadOptions(max_bytes=100))
    with pytest.raises(InputError, match="lone surrogate"):
        load_article("A story\ud800 with a broken character, the mayor said.")


def test_html_text_is_extracted_like_an_html_file():
    html = HTML_PAGE.read_text(encoding="utf-8")
    assert load_article(html).text == load_article(HTML_PAGE).text
    assert "<" not in load_article(html).text[:200]


def test_the_same_html_gives_the_same_article_through_library_cli_and_service(run):
    html = HTML_PAGE.read_text(encoding="utf-8")
    library = Briefer(engine="offline").brief(html).article
    code, out, err = run("brief", "-", "--engine", "offline", "--format", "json", "--no-cache",
                         stdin=html.encode("utf-8"))  # fmt: skip
    assert code == 0, err
    cli = json.loads(out)["article"]
    with serving() as server, server.client() as client:
        response = client.post("/v1/brief", json={"text": html})
    assert response.status_code == 200, response.text
    service = response.json()["envelope"]["article"]
    assert library.sha256 == cli["sha256"] == service["sha256"]
    assert library.words == cli["words"] == service["words"] > 100
    assert library.title == cli["title"] == service["title"]


# --- URLs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://news.example/a", "only http and https"),
        ("/etc/passwd", "only http and https"),
        ("news.example/story", "only http and https"),
        ("https://", "no host"),
        ("https://news.example/a story", "spaces or control characters"),
        ("https://news.example/\x00", "spaces or control characters"),
        ("https://news.example/\ud800", "spaces or control characters"),
        ("http://[::1", "not a well-formed"),
        ("https://news.example/" + "a" * 3000, "over the limit"),
    ],
)
def test_a_url_is_checked_when_made(value, problem):
    with watching() as seen, pytest.raises(InputError, match=problem):
        URL(value)
    assert not seen.connected


def test_a_url_is_fetched_under_the_public_address_guard():
    with watching() as seen, pytest.raises(InputError, match="loopback") as caught:
        Briefer(engine="offline").brief(URL("http://127.0.0.1:8080/"))
    assert not seen.connected
    assert caught.value.settings == ["allow_private"]


# --- the command line keeps its conveniences ----------------------------------------------------


def test_command_line_words_are_paths_urls_or_standard_input(tmp_path, monkeypatch):
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "a.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "skip.pdf").write_bytes(b"%PDF")
    for not_news in ("README.md", "LICENSE.txt", "notes.txt", ".draft.txt"):
        (folder / not_news).write_text("Not an article of the folder.", encoding="utf-8")
    words = [CommandLine(str(folder)), CommandLine("-"), CommandLine("https://news.example/x")]
    expanded = expand(words)
    assert [label(i) for i in expanded] == [
        str(folder / "a.md"), str(folder / "b.txt"), "-", "https://news.example/x",
    ]  # fmt: skip
    assert load_article(expanded[0]).text == ARTICLE
    assert expand([folder]) == [folder / "a.md", folder / "b.txt"]  # a Path folder too
    with pytest.raises(InputError, match="only http and https"):
        load_article(CommandLine("file:///etc/passwd"))


def test_the_cli_reads_a_path_the_user_names(run, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    code, out, err = run("brief", str(path), "--engine", "offline", "--no-cache")
    assert code == 0 and "Calder" in out, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_the_library_refuses_a_path_that_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        load_article(fifo)  # would block forever if it were opened


# --- the service takes text and http(s) URLs only -------------------------------------------------


def test_the_service_never_reads_a_path_given_as_url(tmp_path, monkeypatch):
    canary = tmp_path / "canary.txt"
    canary.write_text(f"OPENAI_API_KEY=sk-{CANARY}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    named = ["/etc/passwd", "canary.txt", str(canary), "-", "/dev/stdin", "file:///etc/passwd"]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        named.append(str(tmp_path / "fifo"))
    with serving() as server, server.client() as client:
        for value in named:
            with watching() as seen:
                response = client.post("/v1/brief", json={"url": value})
            assert response.status_code == 400, value
            assert response.json()["error"]["code"] == "bad_input"
            assert CANARY not in response.text
            opened = {Path(p).name for p in seen.opened}
            assert not opened & {"passwd", "canary.txt", "fifo", "stdin"}, value
        compare = client.post("/v1/compare", json={"texts": [ARTICLE], "urls": ["/etc/passwd"]})
        assert compare.status_code == 400 and compare.json()["error"]["code"] == "bad_input"
        broken = client.post("/v1/brief", content=b'{"text": "A story \\ud800 here, he said."}',
                             headers={"content-type": "application/json"})  # fmt: skip
        assert broken.status_code == 400 and "surrogate" in broken.text


# --- errors speak the caller's language ---------------------------------------------------------


def test_a_fix_names_the_setting_as_each_caller_knows_it():
    error = InputError("x.txt: too large", fix="raise {max_bytes}")
    assert str(error) == "x.txt: too large; raise LoadOptions(max_bytes=...)"
    assert error.describe(flag_for).endswith("raise --max-bytes (or BRIEFER_MAX_BYTES)")
    assert error.describe(lambda _setting: None) == error.message
    both = InputError("no room", fix="raise {context_tokens} or lower {max_output_tokens}")
    assert both.settings == ["context_tokens", "max_output_tokens"]
    assert both.describe(flag_for) == "no room; raise --context-tokens or lower --max-output-tokens"
    assert BrieferError("plain", fix="try again").describe(flag_for) == "plain; try again"


def test_every_setting_a_library_error_names_has_a_library_name():
    for setting in _fix_settings():
        assert library_setting(setting) != setting, setting


def test_no_library_error_message_names_a_command_line_flag():
    flag = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
    cli = ROOT / "briefer" / "cli"
    for path in sorted((ROOT / "briefer").rglob("*.py")):
        if path.is_relative_to(cli):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node).endswith("Error"):
                for text in _strings(node):
                    assert not flag.search(text), f"{path.name}: {text!r}"


def _fix_settings() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "briefer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "fix":
                for text in _strings(node.value):
                    found.update(re.findall(r"\{(\w+)\}", text))
    return found


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
