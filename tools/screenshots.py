"""Screenshots of the digest and comparison HTML at desktop and phone widths, for review.

    python tools/screenshots.py [--out screenshots/] [--chromium PATH]

Builds a digest of the fixture articles and the three Harwick fire stories (one story told by
three outlets, so it leads with its story brief), a comparison of the three and their story
brief with the offline engine (no key, no network), writes the pages to --out, and photographs
each with headless Chromium at 1280 and 390 pixels wide. Needs a Chromium or Chrome binary
(Debian: apt install chromium); nothing else leaves the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = {"desktop": (1280, 2400), "phone": (390, 3200)}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def pages(out: Path) -> list[Path]:
    """Write the digest and comparison pages of the fixture articles; return their paths."""
    sys.path.insert(0, str(ROOT))
    from briefer import Briefer, render
    from briefer.inputs import load_article

    briefer = Briefer(engine="offline")
    articles = sorted((ROOT / "fixtures" / "articles").glob("*.txt"))
    compared = sorted((ROOT / "fixtures" / "compare").glob("*.txt"))
    digest = briefer.digest([*articles, *compared])
    comparison = briefer.compare([load_article(p) for p in compared])
    story = briefer.story([load_article(p) for p in compared])
    written = []
    for name, thing in (("digest", digest), ("compare", comparison), ("story", story)):
        path = out / f"{name}.html"
        path.write_text(render(thing, "html"), encoding="utf-8")
        written.append(path)
    return written


def shoot(browser: str, page: Path, target: Path, width: int, height: int) -> None:
    """Photograph `page` at `width` x `height` CSS pixels with headless Chromium."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={target}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--chromium", help="path to a Chromium or Chrome binary")
    args = parser.parse_args()
    browser = args.chromium or next((b for b in BROWSERS if shutil.which(b)), None)
    if browser is None:
        sys.exit("no Chromium found: install one (apt install chromium) or pass --chromium PATH")
    args.out.mkdir(parents=True, exist_ok=True)
    for page in pages(args.out):
        for label, (width, height) in WIDTHS.items():
            target = args.out / f"{page.stem}-{label}-{width}.png"
            shoot(browser, page, target, width, height)
            print(target)


if __name__ == "__main__":
    main()
