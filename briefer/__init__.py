"""briefer: structured, verifiable briefs of news articles.

The public API is small and explicit; everything else is internal and may change.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from briefer.article import Article, article_from_text, load_article
    from briefer.config import LLMConfig
    from briefer.core import Briefer
    from briefer.errors import BrieferError
    from briefer.prompts import PromptTemplate, load_template
    from briefer.render import render
    from briefer.schema import (
        Brief,
        CaveatKind,
        Envelope,
        KeyFact,
        OpenQuestion,
        SourcingCaveat,
        Stakeholder,
        StakeholderKind,
    )

# Imported on first use, so `import briefer` (and the CLI's start-up) stays cheap.
_LAZY = {
    "Article": "briefer.article",
    "Brief": "briefer.schema",
    "Briefer": "briefer.core",
    "BrieferError": "briefer.errors",
    "CaveatKind": "briefer.schema",
    "Envelope": "briefer.schema",
    "KeyFact": "briefer.schema",
    "LLMConfig": "briefer.config",
    "OpenQuestion": "briefer.schema",
    "PromptTemplate": "briefer.prompts",
    "SourcingCaveat": "briefer.schema",
    "Stakeholder": "briefer.schema",
    "StakeholderKind": "briefer.schema",
    "article_from_text": "briefer.article",
    "load_article": "briefer.article",
    "load_template": "briefer.prompts",
    "render": "briefer.render",
}

__all__ = [
    "Article",
    "Brief",
    "Briefer",
    "BrieferError",
    "CaveatKind",
    "Envelope",
    "KeyFact",
    "LLMConfig",
    "OpenQuestion",
    "PromptTemplate",
    "SourcingCaveat",
    "Stakeholder",
    "StakeholderKind",
    "__version__",
    "article_from_text",
    "load_article",
    "load_template",
    "render",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'briefer' has no attribute {name!r}")
