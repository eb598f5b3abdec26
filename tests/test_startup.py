"""Fast start: the commands that send nothing must not import openai (about a second)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
sys.argv = ["briefer", *{args!r}]
from briefer.cli import main
try:
    main()
except SystemExit:
    pass
print("OPENAI_IMPORTED" if "openai" in sys.modules else "OPENAI_NOT_IMPORTED", file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["schema"], ["brief", "--help"]])
def test_light_commands_do_not_import_openai(args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=False
    )
    assert "OPENAI_NOT_IMPORTED" in result.stderr, result.stderr
    assert result.stdout  # the command did print something


def test_the_probe_can_see_an_openai_import():
    """Guard against a probe that always passes."""
    code = PROBE.replace(
        "from briefer.cli import main", "import openai\nfrom briefer.cli import main"
    )
    result = subprocess.run(
        [sys.executable, "-c", code.format(args=["--version"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "OPENAI_IMPORTED" in result.stderr
