"""One settings object reads every environment variable; library, CLI and service use it."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from briefer import Briefer, LLMConfig
from briefer.errors import ConfigError, InputError
from briefer.settings import ENVIRONMENT, Settings

from .exchanges import ROOT


def test_every_variable_maps_to_a_setting_and_is_read():
    assert sorted(ENVIRONMENT.values()) == sorted(f.name for f in fields(Settings))
    env = {name: "7" for name in ENVIRONMENT}
    settings = Settings.from_env(env)
    for name, setting in ENVIRONMENT.items():
        assert getattr(settings, setting) not in (None, False), name
    assert settings.db == Path("7") and settings.max_bytes == 7 and settings.debug is True
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"BRIEFER_DEBUG": "0", "OPENAI_API_KEY": ""}) == Settings()


def test_no_other_module_reads_the_environment():
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(")
    for path in sorted((ROOT / "briefer").rglob("*.py")):
        if path.name != "settings.py":
            assert not reads.search(path.read_text(encoding="utf-8")), path.name


# The edges: the command line, the services and `Briefer()` (when given no settings).
EDGES = ("briefer/settings.py", "briefer/core.py", "briefer/cli/", "briefer/server/")


def test_only_the_edges_read_the_settings_and_pass_them_down():
    reads = re.compile(r"\.from_env\(|\bsecret_values\(|\bmail_environment\(|\bvariable\(")
    readers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "briefer").rglob("*.py")
        if any(
            reads.search(line) and not line.lstrip().startswith("def ")
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    }
    assert readers, "the scan found no reader at all"
    assert {r for r in readers if not r.startswith(EDGES)} == set()


def test_settings_given_to_a_briefer_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFER_MAX_BYTES", "5")
    monkeypatch.setenv("BRIEFER_MODEL", "from-the-environment")
    briefer = Briefer(settings=Settings(max_bytes=1234, model="given-model", engine="offline"))
    assert briefer.load_options.max_bytes == 1234 and briefer.config.model == "given-model"
    assert briefer.engine.name == "offline"


def test_secrets_stay_out_of_the_settings_repr():
    shown = repr(Settings.from_env({"OPENAI_API_KEY": "sk-x1", "BRIEFER_SERVER_TOKEN": "t0k3n"}))
    assert "sk-x1" not in shown and "t0k3n" not in shown


def test_a_bad_number_names_its_variable(monkeypatch, run):
    with pytest.raises(ConfigError, match="BRIEFER_MAX_BYTES='lots'"):
        Settings.from_env({"BRIEFER_MAX_BYTES": "lots"})
    monkeypatch.setenv("BRIEFER_MAX_BYTES", "-3")
    result = run("brief", str(ROOT / "fixtures" / "articles" / "very_short.txt"), "--no-cache")
    assert result.code == 2 and "BRIEFER_MAX_BYTES='-3'" in result.err
    assert "Traceback" not in result.err


def test_max_bytes_from_the_environment_holds_in_the_library(monkeypatch):
    monkeypatch.setenv("BRIEFER_MAX_BYTES", "100")
    with pytest.raises(InputError, match="over the 100-byte limit"):
        Briefer(engine="offline").brief("A council story, the mayor said. " * 10)


def test_loose_arguments_refine_a_given_config_instead_of_being_ignored(monkeypatch):
    monkeypatch.setenv("BRIEFER_MODEL", "from-env")
    config = LLMConfig(api_key="test-key-not-a-secret", temperature=0.5)
    briefer = Briefer(config=config, model="gpt-4.1", timeout=5)
    assert briefer.config.model == "gpt-4.1" and briefer.config.timeout == 5
    assert briefer.config.temperature == 0.5 and briefer.config.api_key == config.api_key
    assert Briefer(config=config).config.model == config.model  # the config, not the env
    assert Briefer(model="given").config.model == "given"
    assert Briefer().config.model == "from-env"
