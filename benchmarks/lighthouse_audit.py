"""Lighthouse (mobile profile) on the home page and a chart page of the built site, with Debian's Chromium.

A benchmark, not a unit test: it prints the four category scores per page and exits 1 when one is under the bar
(performance, accessibility and best practices ≥ 95, SEO ≥ 90). Run ``invoke build`` first; ``invoke audit`` runs it.
Each page is audited ``--runs`` times (default 3) and the run with the median performance score counts, as Lighthouse
CI does: the performance score moves by several points between runs on a shared machine (blocking time is CPU time).
Every run's performance score is printed.
The site is served on 127.0.0.1 only, as GitHub Pages serves it (gzip for text, a 10-minute cache); Lighthouse's
own network requests to other hosts are disabled by its flags.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE = REPO_ROOT / "site"
LIGHTHOUSE = REPO_ROOT / "tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
BARS = {"performance": 95, "accessibility": 95, "best-practices": 95, "seo": 90}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run"
)


class _LikeGitHubPages(http.server.SimpleHTTPRequestHandler):
    """Serves the site the way its production host does: gzip for text, GitHub Pages' 10-minute cache."""

    COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in self.COMPRESSIBLE or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _chart_page() -> str | None:
    for html in sorted(SITE.rglob("index.html")):
        if "atlas-chart" in html.read_text(encoding="utf-8"):
            rel = html.parent.relative_to(SITE).as_posix()
            return "/" if rel == "." else f"/{rel}/"
    return None


def audit(url: str) -> dict[str, int]:
    completed = subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
         f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance,accessibility,best-practices,seo"],
        capture_output=True, text=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, timeout=300,
    )
    if completed.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    scores = {cid: round(cat["score"] * 100) for cid, cat in report["categories"].items()}
    failing = [a for a in report["audits"].values() if a.get("score") is not None and a["score"] < 0.9
               and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    for item in failing[:8]:
        print(f"    below 0.9: {item['id']}: {item.get('displayValue', '')} {item['title']}")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="audits per page; the median run counts")
    runs = max(1, parser.parse_args(argv).runs)
    if not (SITE / "index.html").exists():
        print("site/ is missing: run `invoke build` first", file=sys.stderr)
        return 1
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} missing: run `npm ci --prefix tools`", file=sys.stderr)
        return 1
    handler = functools.partial(_LikeGitHubPages, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = {"home": "/"}
    chart = _chart_page()
    if chart:
        pages["chart page"] = chart
    else:
        print("no chart page found in site/: only the home page is audited")
    below = []
    try:
        for name, path in pages.items():
            print(f"{name} ({path}), mobile profile, {runs} runs:")
            results = sorted((audit(base + path) for _ in range(runs)), key=lambda scores: scores["performance"])
            scores = results[len(results) // 2]
            print(f"    performance per run: {', '.join(str(r['performance']) for r in results)}; the median run:")
            print("    " + "  ".join(f"{cat} {score}" for cat, score in scores.items()))
            below += [f"{name}: {cat} {scores[cat]} < {bar}" for cat, bar in BARS.items() if scores[cat] < bar]
    finally:
        server.shutdown()
    print("all scores at or above the bar" if not below else "below the bar: " + "; ".join(below))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
