"""How well ``briefings suggest`` finds the quotes an analyst annotated.

    python benchmarks/suggestions.py            # the example site in content/
    python benchmarks/suggestions.py --site DIR

Each briefing's quotes are taken out of its annotations and suggested again
from its article; a suggestion counts as found only with the right speaker
and the same passage (one folded text holding the other: an analyst often
cuts a quotation short or keeps its last words). Prints, for each briefing
and in all, the quotes annotated, suggested and found, with precision
(found / suggested) and recall (found / annotated). Quotes an analyst took
from running text without quotation marks (a transcript's sentences) are
counted as missed: they are what no quotation mark points to.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from builder.anchor import reading
from builder.config import read_config
from builder.load import UNREAD, RawPair, read_pair, read_text
from builder.suggest import QUOTED, suggest_quotes
from builder.textmatch import fold
from builder.validate import read_briefing, read_speakers

ROOT = Path(__file__).resolve().parent.parent


def evaluate(site: Path) -> list[tuple[str, int, int, int, int, int]]:
    """(slug, annotated, of them in quotation marks, suggested, found, found
    of those in marks) for every briefing of ``site``."""
    config, _ = read_config(read_text(site, "site.yaml")[0])
    speakers, _, _ = read_speakers(read_text(site, "content/speakers.yaml")[0])
    rows = []
    for path in sorted((site / "content" / "briefings").glob("*.md")):
        pair, _ = read_pair(site, RawPair(path.stem, UNREAD, UNREAD, b"", True))
        assert pair is not None, path
        briefing, _ = read_briefing(pair, config.timezone if config else "UTC")
        assert briefing is not None, path
        truth = [(q.speaker, fold(q.anchor.text)) for q in briefing.quotes]
        bare = dataclasses.replace(briefing, quotes=())
        quotations = [fold(m.group(1) or m.group(2) or "")
                      for _, text, _ in reading(bare, speakers).paragraphs
                      for m in QUOTED.finditer(text)]
        marked = [t for t in truth if any(t[1] in q for q in quotations)]
        suggested = [(s.speaker, fold(s.quote)) for s in suggest_quotes(
            bare, speakers, config.raw_html if config else "text")]
        left = list(truth)
        found = found_marked = 0
        for speaker, text in suggested:
            match = next((t for t in left if t[0] == speaker and (
                t[1] in text or text in t[1])), None)
            if match is not None:
                left.remove(match)
                found += 1
                found_marked += match in marked
        rows.append((path.stem, len(truth), len(marked), len(suggested), found, found_marked))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    rows = evaluate(args.site)
    print("| briefing | annotated | of them in quotation marks | suggested | found | "
          "precision | recall | recall of those in marks |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.0%}" if b else "–"

    for slug, truth, marked, suggested, found, found_marked in rows:
        print(f"| {slug} | {truth} | {marked} | {suggested} | {found} | "
              f"{ratio(found, suggested)} | {ratio(found, truth)} | "
              f"{ratio(found_marked, marked)} |")
    truth, marked, suggested, found, found_marked = (sum(r[i] for r in rows)
                                                    for i in (1, 2, 3, 4, 5))
    print(f"| **all** | {truth} | {marked} | {suggested} | {found} | "
          f"**{ratio(found, suggested)}** | **{ratio(found, truth)}** | "
          f"**{ratio(found_marked, marked)}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
