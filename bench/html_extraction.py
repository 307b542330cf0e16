"""Main-text quality of web-page loading: the old lxml tag rules vs the trafilatura loader, on real news pages.

`python -m bench.html_extraction [--pages DIR] [--out FILE]`

Pages: Scrapinghub's article-extraction-benchmark (MIT licence, (c) 2020 Scrapinghub): 181 real news and blog
article pages saved as html/<id>.html.gz (UTF-8), with ground-truth.json giving each page's articleBody and URL.
They are not in this repository: the first run downloads them from GitHub at the pinned commit into DIR
(default ~/.cache/newsdesk/article-extraction-benchmark); later runs read that cache.

Each page goes through both loaders' .html file entry points as bytes (so charset handling counts), in three
forms: as saved (UTF-8), re-encoded to windows-1252 with its <meta charset> saying so, and re-encoded to
windows-1252 with no charset declaration (characters outside windows-1252 become &#NNNN; references, as a
browser's "save as" writes them). Scores, averaged over pages:
- token P/R/F1: the extracted body vs articleBody as bags of whitespace-separated tokens (per page, then mean);
- shingle F1: the benchmark's own measure (4-grams of \\w+ tokens, tp/fp/fn normalised per page, F1 of the mean
  precision and mean recall), comparable with the numbers in that repository's README;
- rejects: pages the loader refused (InputProblem; scored as empty text); ms/page: loader time per page
  (after one untimed page, so one-time imports are not counted).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.html_baseline import load_old_html_file
from index.errors import InputProblem
from index.loaders import html as html_loader
from index.loaders.html import load_html_file
from index.models import Article

REPO = "scrapinghub/article-extraction-benchmark"
COMMIT = "4a3bc979f76c0df73cb95fe272e2fc1b96f9f010"  # master on 2026-03-01 ("Add Rust backends"); 181 pages
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
DEFAULT_PAGES = Path.home() / ".cache" / "newsdesk" / "article-extraction-benchmark"
FETCH_TIMEOUT_S = 60.0  # one page is ~35 kB gzipped; the ground truth ~1 MB
SHINGLE_N = 4  # the benchmark's evaluate.py compares 4-grams of word tokens
_WORD = re.compile(r"\w+")
_CHARSET_DECLARATION = re.compile(r"""<meta\b[^>]*?charset\s*=\s*["']?\s*[A-Za-z0-9._:-]+[^>]*>""", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)

Loader = Callable[[bytes, str], Article]
LOADERS: dict[str, Loader] = {
    "old (lxml tag rules)": load_old_html_file,
    "new (trafilatura)": lambda data, origin: next(load_html_file(data, origin)),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.html_extraction", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help=f"page cache (default {DEFAULT_PAGES})")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--options", action="store_true",
                        help="also score the new loader with other trafilatura options (pages as saved)")
    args = parser.parse_args(argv)
    truth = ensure_pages(args.pages)
    pages = {page_id: gzip.decompress((args.pages / "html" / f"{page_id}.html.gz").read_bytes()) for page_id in truth}
    results = []
    for form, encode in FORMS.items():
        variant = {page_id: encode(data) for page_id, data in pages.items()}
        for name, loader in LOADERS.items():
            row = evaluate(loader, variant, truth)
            results.append({"form": form, "loader": name, **row})
            print(f"{form:<28} {name:<22} F1 {row['f1']:.3f}  P {row['precision']:.3f}  R {row['recall']:.3f}  "
                  f"shingle F1 {row['shingle_f1']:.3f}  rejects {row['rejects']:>3}  {row['ms_per_page']:.1f} ms/page",
                  flush=True)
    options = compare_options(pages, truth) if args.options else []
    print()
    print(markdown_table(results, len(pages)))
    if options:
        print()
        print(markdown_table(options, len(pages), first="trafilatura options"))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"repo": REPO, "commit": COMMIT, "pages": len(pages), "results": results,
                                        "options": options}, indent=2))
    return 0


def compare_options(pages: dict[str, bytes], truth: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The new loader with each of OPTION_VARIANTS in place of its TRAFILATURA_OPTIONS."""
    chosen, rows = html_loader.TRAFILATURA_OPTIONS, []
    try:
        for name, options in OPTION_VARIANTS.items():
            html_loader.TRAFILATURA_OPTIONS = options
            row = evaluate(LOADERS["new (trafilatura)"], pages, truth)
            rows.append({"form": name, "loader": "new (trafilatura)", **row})
            print(f"{name:<44} F1 {row['f1']:.3f}  P {row['precision']:.3f}  R {row['recall']:.3f}  "
                  f"rejects {row['rejects']}  {row['ms_per_page']:.1f} ms/page", flush=True)
    finally:
        html_loader.TRAFILATURA_OPTIONS = chosen
    return rows


_PRECISION = {"favor_precision": True, "include_comments": False}
OPTION_VARIANTS: dict[str, dict[str, Any]] = {
    "trafilatura's defaults": {},
    "chosen (index/loaders/html.py)": html_loader.TRAFILATURA_OPTIONS,
    "favor_recall, no comments": {"favor_recall": True, "include_comments": False},
    "defaults, no comments": {"include_comments": False},
    "favor_precision, no comments, no tables": {**_PRECISION, "include_tables": False},
    "favor_precision, no comments, deduplicate": {**_PRECISION, "deduplicate": True},
    "favor_precision, no comments, fast": {**_PRECISION, "fast": True},
}


# Pages -------------------------------------------------------------------------------------------------------
def ensure_pages(folder: Path) -> dict[str, dict[str, Any]]:
    """The ground truth ({id: {"articleBody", "url"}}), downloading it and any missing page into `folder`."""
    truth_path = folder / "ground-truth.json"
    if not truth_path.exists():
        _download("ground-truth.json", truth_path)
        _download("LICENSE", folder / "LICENSE")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    for page_id in truth:
        path = folder / "html" / f"{page_id}.html.gz"
        if not path.exists():
            _download(f"html/{page_id}.html.gz", path)
    return truth


def _download(path: str, target: Path) -> None:
    import httpx

    url = RAW_URL.format(repo=REPO, commit=COMMIT, path=path)
    print(f"fetching {url}", file=sys.stderr)
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT_S, follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SystemExit(f"cannot fetch {url} ({type(exc).__name__}: {exc}); check the network, or fill --pages "
                         f"from a clone: git archive {COMMIT} html ground-truth.json LICENSE | tar -x -C DIR") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(response.content)
    partial.replace(target)


def as_saved(data: bytes) -> bytes:
    return data


def windows_1252_declared(data: bytes) -> bytes:
    """The page re-encoded to windows-1252, its <meta charset> replaced by one saying so."""
    text = _CHARSET_DECLARATION.sub("", data.decode("utf-8"))
    text = _HEAD.sub(lambda m: m.group(0) + '<meta charset="windows-1252">', text, count=1)
    return text.encode("cp1252", errors="xmlcharrefreplace")


def windows_1252_undeclared(data: bytes) -> bytes:
    """The page re-encoded to windows-1252 with no charset declaration at all (the loader must detect it)."""
    return _CHARSET_DECLARATION.sub("", data.decode("utf-8")).encode("cp1252", errors="xmlcharrefreplace")


FORMS: dict[str, Callable[[bytes], bytes]] = {
    "as saved (UTF-8)": as_saved,
    "windows-1252, <meta> says so": windows_1252_declared,
    "windows-1252, undeclared": windows_1252_undeclared,
}


# Scoring -----------------------------------------------------------------------------------------------------
def evaluate(loader: Loader, pages: dict[str, bytes], truth: dict[str, dict[str, Any]]) -> dict[str, Any]:
    token_scores, shingle_counts, rejects, seconds = [], [], [], 0.0
    _warm_up(loader, next(iter(pages.values())))
    for page_id, data in pages.items():
        started = time.perf_counter()
        try:
            body = loader(data, f"{page_id}.html").body
        except InputProblem as exc:
            body = ""
            rejects.append(f"{page_id[:12]}: {exc}")
        seconds += time.perf_counter() - started
        expected = truth[page_id].get("articleBody", "")
        token_scores.append(token_prf(expected, body))
        shingle_counts.append(shingle_tp_fp_fn(expected, body))
    precision = statistics.mean(s[0] for s in token_scores)
    recall = statistics.mean(s[1] for s in token_scores)
    return {"f1": statistics.mean(s[2] for s in token_scores), "precision": precision, "recall": recall,
            "shingle_f1": shingle_f1(shingle_counts), "rejects": len(rejects), "reject_examples": rejects[:5],
            "ms_per_page": 1000 * seconds / len(pages)}


def _warm_up(loader: Loader, data: bytes) -> None:
    """One untimed page first: imports and first-use set-up (trafilatura, htmldate's parsers) are not per page."""
    try:
        loader(data, "warm-up.html")
    except InputProblem:
        pass


def token_prf(expected: str, extracted: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of `extracted` against `expected` as bags of whitespace-separated tokens."""
    want, got = Counter(expected.split()), Counter(extracted.split())
    overlap = sum((want & got).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def shingle_tp_fp_fn(expected: str, extracted: str) -> tuple[float, float, float]:
    """True/false positives and false negatives over word 4-gram shingles, normalised to sum to 1 per page."""
    want, got = _shingles(expected), _shingles(extracted)
    tp = sum((want & got).values())
    fp, fn = sum((got - want).values()), sum((want - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def shingle_f1(counts: list[tuple[float, float, float]]) -> float:
    precisions = [_ratio(tp, fp, fn, fp) for tp, fp, fn in counts if tp + fp > 0]
    recalls = [_ratio(tp, fp, fn, fn) for tp, fp, fn in counts if tp + fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(tp: float, fp: float, fn: float, miss: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + miss) if tp + miss else 0.0


def _shingles(text: str) -> Counter:
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + SHINGLE_N]) for i in range(max(1, len(words) - SHINGLE_N + 1)) if words)


def markdown_table(results: list[dict[str, Any]], pages: int, first: str = "pages") -> str:
    lines = [f"| {first} ({pages}) | loader | token F1 | precision | recall | shingle F1 | rejects | ms/page |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['form']} | {r['loader']} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} | "
                     f"{r['shingle_f1']:.3f} | {r['rejects']} | {r['ms_per_page']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
