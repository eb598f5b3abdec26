"""briefer: structured, verifiable briefs of news articles.

The public API is small and explicit (`__all__`); everything else is internal and may change.

    from briefer import URL, Briefer, render_markdown, render_slack
    envelope = Briefer().brief(text)      # a str is the article's text: never a path or a URL
    envelope = Briefer().brief(Path("article.txt"))        # a file
    envelope = Briefer().brief(URL("https://example.org/story"))   # a page, fetched
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # the one place; pyproject.toml reads it


if TYPE_CHECKING:
    from briefer.core import Briefer
    from briefer.digest import Digest, DigestItem
    from briefer.engines import Engine, EngineResult, EngineSetup
    from briefer.engines.base import SimpleEngine
    from briefer.engines.estimate import Plan
    from briefer.engines.openai.config import LLMConfig
    from briefer.engines.openai.prompts import PromptTemplate, load_template
    from briefer.errors import BrieferError
    from briefer.inputs import URL, ArticleInput, LoadOptions, load_article
    from briefer.inputs.article import Article, article_from_text
    from briefer.io.store import Store, Stored
    from briefer.renderers import (
        render,
        render_html,
        render_json,
        render_markdown,
        render_slack,
        render_text,
    )
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
    from briefer.schema.comparison import BriefDiff, Comparison
    from briefer.schema.story import StoryBrief
    from briefer.verify.diff import diff_briefs

# Imported on first use, so `import briefer` (and the CLI's start-up) stays cheap.
_LAZY = {
    "Article": "briefer.inputs.article",
    "ArticleInput": "briefer.inputs",
    "Brief": "briefer.schema",
    "BriefDiff": "briefer.schema.comparison",
    "Briefer": "briefer.core",
    "BrieferError": "briefer.errors",
    "CaveatKind": "briefer.schema",
    "Comparison": "briefer.schema.comparison",
    "Digest": "briefer.digest",
    "DigestItem": "briefer.digest",
    "Engine": "briefer.engines",
    "EngineResult": "briefer.engines",
    "EngineSetup": "briefer.engines",
    "Envelope": "briefer.schema",
    "KeyFact": "briefer.schema",
    "LLMConfig": "briefer.engines.openai.config",
    "LoadOptions": "briefer.inputs",
    "OpenQuestion": "briefer.schema",
    "Plan": "briefer.engines.estimate",
    "PromptTemplate": "briefer.engines.openai.prompts",
    "SimpleEngine": "briefer.engines.base",
    "SourcingCaveat": "briefer.schema",
    "Stakeholder": "briefer.schema",
    "StakeholderKind": "briefer.schema",
    "Store": "briefer.io.store",
    "Stored": "briefer.io.store",
    "StoryBrief": "briefer.schema.story",
    "URL": "briefer.inputs",
    "article_from_text": "briefer.inputs.article",
    "diff_briefs": "briefer.verify.diff",
    "load_article": "briefer.inputs",
    "load_template": "briefer.engines.openai.prompts",
    "render": "briefer.renderers",
    "render_html": "briefer.renderers",
    "render_json": "briefer.renderers",
    "render_markdown": "briefer.renderers",
    "render_slack": "briefer.renderers",
    "render_text": "briefer.renderers",
}

__all__ = [
    "URL",
    "Article",
    "ArticleInput",
    "Brief",
    "BriefDiff",
    "Briefer",
    "BrieferError",
    "CaveatKind",
    "Comparison",
    "Digest",
    "DigestItem",
    "Engine",
    "EngineResult",
    "EngineSetup",
    "Envelope",
    "KeyFact",
    "LLMConfig",
    "LoadOptions",
    "OpenQuestion",
    "Plan",
    "PromptTemplate",
    "SimpleEngine",
    "SourcingCaveat",
    "Stakeholder",
    "StakeholderKind",
    "Store",
    "Stored",
    "StoryBrief",
    "__version__",
    "article_from_text",
    "diff_briefs",
    "load_article",
    "load_template",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_slack",
    "render_text",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'briefer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
