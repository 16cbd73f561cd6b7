#!/usr/bin/env python3
"""Turns ScaleBenchmarks CSV reports into an SVG line chart (Python 3 standard library only).

Usage, from the repository root:

    python3 benchmarks/EventSourcery.Benchmarks/Scale/scale_chart.py [REPORT.csv ...] [-o docs/benchmarks-scale.svg]

REPORT.csv is BenchmarkDotNet's CSV report of ScaleBenchmarks (by default
BenchmarkDotNet.Artifacts/results/EventSourcery.Benchmarks.Store.ScaleBenchmarks-report.csv). One panel per method
(append of 10 events to a new stream; read of one 10-event stream), store size on a log axis. With one report the
chart shows its Mean and Min; with several (runs at different times) it shows each run's Min, the steadier statistic
on a busy machine, so the spread between runs is visible. The shaded band is +/-20% around the smallest store's Min
(the median over the runs): the "flat within 20%" target.
"""
import csv
import math
import os
import statistics
import sys
from html import escape

DEFAULT_CSV = "BenchmarkDotNet.Artifacts/results/EventSourcery.Benchmarks.Store.ScaleBenchmarks-report.csv"
DEFAULT_SVG = "docs/benchmarks-scale.svg"
UNITS = {"ns": 1e-6, "us": 1e-3, "μs": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3}
TITLES = {
    "AppendToNewStream": "Append of 10 events to a new stream (ms)",
    "ReadStream": "Read of one 10-event stream (ms)",
}
COLORS = ["#264653", "#e76f51", "#2a9d8f", "#8d5fd3", "#e9c46a", "#6c757d"]


def milliseconds(text):
    """'2,386.2 μs' -> 2.3862"""
    number, unit = text.replace(",", "").split()
    return float(number) * UNITS[unit]


def read(path):
    """{method: [(store size, mean ms, min ms)]} of one report."""
    series = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            size = int(row["StoreSize"].replace(",", ""))
            series.setdefault(row["Method"], []).append((size, milliseconds(row["Mean"]), milliseconds(row["Min"])))
    for points in series.values():
        points.sort()
    return series


def nice_max(value):
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exponent >= value:
            return step * exponent
    return 10 * exponent


def size_label(size):
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000:,}k"


def panel(title, lines, x0, y0, width, height):
    """lines: [(label, css class, colour, [(size, ms)])]; the first point of each line is the smallest store."""
    sizes = sorted({p[0] for _, _, _, points in lines for p in points})
    low, high = math.log10(sizes[0]), math.log10(sizes[-1])
    reference = statistics.median(points[0][1] for label, css, _, points in lines if css != "mean")
    top = nice_max(max(max(p[1] for _, _, _, points in lines for p in points), reference * 1.2) * 1.05)

    def x(size):
        return x0 + (math.log10(size) - low) / (high - low) * width

    def y(value):
        return y0 + height - value / top * height

    out = [f'<text x="{x0}" y="{y0 - 12}" class="title">{escape(title)}</text>']
    out.append(f'<rect x="{x0}" y="{y(reference * 1.2):.1f}" width="{width}" height="{y(reference * 0.8) - y(reference * 1.2):.1f}" class="band"/>')
    for i in range(6):
        value = top * i / 5
        out.append(f'<line x1="{x0}" x2="{x0 + width}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>')
        out.append(f'<text x="{x0 - 6}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{value:.3g}</text>')
    for size in sizes:
        out.append(f'<text x="{x(size):.1f}" y="{y0 + height + 16}" class="tick" text-anchor="middle">{size_label(size)}</text>')
    out.append(f'<text x="{x0 + width / 2}" y="{y0 + height + 34}" class="axis" text-anchor="middle">events in the store (log scale)</text>')
    for label, css, colour, points in lines:
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
        out.append(f'<polyline points="{path}" class="{css}" stroke="{colour}"/>')
        for s, v in points:
            out.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(label)}, {s:,} events: {v:.3f} ms</title></circle>')
    return out


def main():
    args = sys.argv[1:]
    target = DEFAULT_SVG
    if "-o" in args:
        i = args.index("-o")
        target = args[i + 1]
        del args[i:i + 2]
    sources = args or [DEFAULT_CSV]
    runs = [(os.path.splitext(os.path.basename(path))[0], read(path)) for path in sources]
    methods = [m for m in TITLES if any(m in series for _, series in runs)]
    methods += sorted({m for _, series in runs for m in series} - set(methods))

    width, height, margin = 380, 220, 70
    legend_rows = 2 if len(runs) == 1 else len(runs)  # line entries, then the band's
    total_width = margin + len(methods) * (width + margin)
    total_height = height + 150 + 18 * (legend_rows + 1) + 4
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{total_height}" viewBox="0 0 {total_width} {total_height}" font-family="sans-serif">',
        "<style>.title{font-size:13px;font-weight:bold}.tick{font-size:11px;fill:#444}.axis{font-size:11px;fill:#444}"
        ".grid{stroke:#ddd}.band{fill:#2a9d8f;fill-opacity:.15}.min{fill:none;stroke-width:2}"
        ".mean{fill:none;stroke-width:2;stroke-dasharray:5 3}.legend{font-size:11px}</style>",
        f'<rect width="{total_width}" height="{total_height}" fill="white"/>',
        f'<text x="{margin}" y="22" font-size="15" font-weight="bold">SqliteEventStore as the store grows (ScaleBenchmarks, {len(runs)} run{"s" if len(runs) > 1 else ""})</text>',
    ]
    for i, method in enumerate(methods):
        lines = []
        for r, (label, series) in enumerate(runs):
            points = series.get(method, [])
            if not points:
                continue
            colour = COLORS[r % len(COLORS)]
            lines.append((f"{label} Min", "min", colour, [(s, mn) for s, _, mn in points]))
            if len(runs) == 1:
                lines.append((f"{label} Mean", "mean", COLORS[1], [(s, mean) for s, mean, _ in points]))
        svg += panel(TITLES.get(method, method), lines, margin + i * (width + margin), 70, width, height)

    y = height + 150
    entries = [("min", COLORS[0], "Min (fastest iteration)"), ("mean", COLORS[1], "Mean")] if len(runs) == 1 else [
        ("min", COLORS[r % len(COLORS)], f"Min of {label}") for r, (label, _) in enumerate(runs)]
    for css, colour, text in entries:
        svg.append(f'<line x1="{margin}" x2="{margin + 24}" y1="{y}" y2="{y}" class="{css}" stroke="{colour}"/><text x="{margin + 30}" y="{y + 4}" class="legend">{escape(text)}</text>')
        y += 18
    svg.append(f'<rect x="{margin}" y="{y - 6}" width="24" height="12" class="band"/><text x="{margin + 30}" y="{y + 4}" class="legend">target: within 20% of the smallest store (its Min, median over the runs)</text>')
    svg.append("</svg>")
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(svg) + "\n")
    print(f"wrote {target} from {len(sources)} report(s)")


if __name__ == "__main__":
    main()
