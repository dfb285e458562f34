"""Reports: Markdown rendered to a dependency-free HTML page, and matplotlib figures."""

from __future__ import annotations

import html
from pathlib import Path

_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
          "td{border:1px solid #ccc;padding:3px 8px}table{border-collapse:collapse;margin:1em 0}")


def markdown_to_html(markdown: str, title: str) -> str:
    """Headings, paragraphs, pipe tables and images: all our reports use."""
    body, in_table = [], False
    for line in markdown.splitlines():
        is_row = line.startswith("|")
        if in_table and not is_row:
            body.append("</table>")
        if is_row and not in_table:
            body.append("<table>")
        in_table = is_row
        if is_row:
            if not set(line) <= set("|-: "):  # skip the Markdown separator row
                cells = "".join(f"<td>{html.escape(c.strip())}</td>" for c in line.strip("|").split("|"))
                body.append(f"<tr>{cells}</tr>")
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line.lstrip('# '))}</h{level}>")
        elif line.startswith("!["):
            body.append(f'<img src="{html.escape(line[line.index("(") + 1:-1])}" alt="plot">')
        elif line:
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>")


def write_markdown_and_html(markdown: str, out: Path, title: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(markdown)
    (out / "report.html").write_text(markdown_to_html(markdown, title))
    return {"markdown": out / "report.md", "html": out / "report.html"}


def pyplot():
    """matplotlib's pyplot on the file-only backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"
