"""Prompt templates: TOML files with a name, a version and the text of each message.

A template has a `system` and a `user` part, plus the follow-up messages the client may need:
`reask` (after invalid output), `repair` (after quotes that are not in the article) and
`json_object` (the schema spelled out for servers that cannot take a `json_schema` response
format). Variables are written `{{name}}`; rendering
with a variable missing raises `MissingVariableError`.

The templates shipped with briefer live in the top-level `prompts/` folder of the source tree
and inside the installed package as `briefer/prompts/`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefer.errors import MissingVariableError, TemplateError

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_PARTS = ("system", "user", "reask", "repair", "json_object")


@dataclass(frozen=True)
class PromptTemplate:
    """A named, versioned set of message templates."""

    name: str
    version: str
    system: str
    user: str
    reask: str
    repair: str
    json_object: str
    source: str = "<memory>"

    def render(self, part: str, variables: Mapping[str, str]) -> str:
        """Fill the `{{variables}}` of one part ('system', 'user', 'reask', 'repair', ...)."""
        text: str = getattr(self, part)

        def substitute(match: re.Match[str]) -> str:
            key = match.group(1)
            if key not in variables:
                raise MissingVariableError(f"{self.name}.{part}", key)
            return variables[key]

        return _VARIABLE.sub(substitute, text)

    def variables(self, part: str) -> set[str]:
        """Return the names of the variables one part uses."""
        return set(_VARIABLE.findall(getattr(self, part)))


def builtin_prompt_dir() -> Path:
    """Return the folder holding the templates shipped with briefer."""
    package = Path(__file__).parents[2]  # the briefer package
    packaged = package / "prompts"  # installed wheel
    if packaged.is_dir():
        return packaged
    return package.parent / "prompts"  # source checkout, editable install


def shipped_templates() -> list[tuple[str, str, Path]]:
    """The templates shipped with briefer: (name, version, file) of each, by name."""
    out = []
    for path in sorted(builtin_prompt_dir().glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TemplateError(f"{path}: not a readable TOML prompt template ({exc})") from None
        out.append((str(data.get("name", path.stem)), str(data.get("version", "?")), path))
    return out


def load_template(name_or_path: str | Path = "brief") -> PromptTemplate:
    """Load a shipped template by name ('brief') or any template file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        shipped = builtin_prompt_dir() / f"{name_or_path}.toml"
        if shipped.is_file():
            path = shipped
    if not path.is_file():
        raise TemplateError(
            f"{name_or_path}: no such prompt template; give a .toml file or a shipped name "
            "such as 'brief'"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path}: not a readable TOML prompt template ({exc})") from None
    missing = [key for key in ("name", "version", *_PARTS) if not isinstance(data.get(key), str)]
    if missing:
        raise TemplateError(
            f"{path}: prompt template lacks {', '.join(missing)}; "
            f"see {builtin_prompt_dir() / 'brief.toml'} for the expected keys"
        )
    return PromptTemplate(
        name=data["name"],
        version=data["version"],
        system=data["system"],
        user=data["user"],
        reask=data["reask"],
        repair=data["repair"],
        json_object=data["json_object"],
        source=str(path),
    )
