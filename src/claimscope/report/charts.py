"""Charts as files: Vega-Lite specs built with altair, rendered to SVG or PNG by vl-convert.

Both run in this process, offline: the data is inlined in the spec and vl-convert is told to
fetch no URL (``allowed_base_urls=[]``). Specs are plain dicts, so a report can embed the SVG and
the workbench can reuse the spec. altair and vl-convert are imported only when a chart is made.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from claimscope.errors import ClaimscopeError
from claimscope.store.coverage import Coverage, period_label

CHART_FORMATS = (".svg", ".png")
# Outlets drawn in their own colour; the rest are summed as one series (a legend stays legible).
TOP_OUTLETS = 9
OTHER_OUTLETS = "other outlets"
NO_OUTLET = "(no outlet)"
# Gaps between periods are drawn as empty slots up to this many; beyond, only dated ones.
MAX_SLOTS = 1000
PNG_SCALE = 2.0
_WIDTH, _HEIGHT = 560, 260
# Up to this many documents per bar, the y axis ticks every whole number.
_SMALL_COUNT = 10


def coverage_spec(coverage: Coverage) -> dict[str, Any]:
    """A bar chart of documents: per period (stacked by outlet when grouped by outlet), or per
    outlet when there is no period. Undated documents are left out and counted in the subtitle."""
    import altair as alt

    series = _series(coverage)
    records = []
    for row in coverage.rows:
        if coverage.period and row.period is None:
            continue
        record: dict[str, Any] = {"documents": row.documents}
        if coverage.period:
            record["period"] = coverage.period_label(row)
        if coverage.by_outlet:
            record["outlet"] = series(row.outlet)
        records.append(record)
    subtitle = [f"query: {coverage.query}"]
    if coverage.undated:
        subtitle.append(f"{coverage.undated} undated document(s) not shown")
    what = f"per {coverage.period}" if coverage.period else "per outlet"
    y = alt.Y("sum(documents):Q", title="documents", axis=_count_axis(records, coverage))
    chart = alt.Chart(
        alt.Data(values=records),
        title=alt.Title(f"Documents {what}", subtitle=subtitle, anchor="start"),
    )
    if coverage.period:
        domain = _slots(coverage)
        x = alt.X(
            "period:O",
            title=_PERIOD_TITLES[coverage.period],
            scale=alt.Scale(domain=domain),
            axis=alt.Axis(labelAngle=-45, labelOverlap=True),
        )
        encoding: dict[str, Any] = {"x": x, "y": y}
        if coverage.by_outlet:
            encoding["color"] = alt.Color("outlet:N", title="outlet", sort=_order(records))
            encoding["order"] = alt.Order("outlet:N")
        chart = chart.mark_bar().encode(**encoding)
    else:
        x = alt.X("outlet:N", title="outlet", sort="-y", axis=alt.Axis(labelAngle=-45))
        chart = chart.mark_bar().encode(x=x, y=y)
    spec: dict[str, Any] = chart.properties(width=_WIDTH, height=_HEIGHT).to_dict()
    return spec


_PERIOD_TITLES = {"day": "day", "week": "week (from Monday)", "month": "month"}


def render_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document (text in it escaped by Vega's renderer)."""
    import vl_convert as vlc

    try:
        svg: str = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    except ValueError as exc:  # vl-convert reports a bad spec as ValueError
        raise ClaimscopeError(f"cannot draw the chart: {str(exc).splitlines()[0]}") from None
    return svg


def render_png(spec: dict[str, Any], *, scale: float = PNG_SCALE) -> bytes:
    """The chart as PNG bytes, ``scale`` pixels per SVG unit."""
    import vl_convert as vlc

    try:
        png: bytes = vlc.vegalite_to_png(spec, scale=scale, allowed_base_urls=[])
    except ValueError as exc:
        raise ClaimscopeError(f"cannot draw the chart: {str(exc).splitlines()[0]}") from None
    return png


def write_chart(spec: dict[str, Any], path: str | Path) -> Path:
    """Write the chart to ``path``: SVG or PNG by its suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ClaimscopeError(f"{path}: a chart is written as .svg or .png")
    try:
        if suffix == ".svg":
            path.write_text(render_svg(spec), encoding="utf-8")
        else:
            path.write_bytes(render_png(spec))
    except OSError as exc:
        raise ClaimscopeError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _count_axis(records: list[dict[str, Any]], coverage: Coverage) -> Any:
    """A y axis of whole numbers: with a few documents per bar, Vega would tick at halves."""
    import altair as alt

    bars: Counter[Any] = Counter()
    for r in records:
        bars[r.get("period") if coverage.period else r.get("outlet")] += r["documents"]
    top = max(bars.values(), default=0)
    if top <= _SMALL_COUNT:
        return alt.Axis(values=list(range(top + 1)), format="d")
    return alt.Axis(format="~s")


def _series(coverage: Coverage) -> Any:
    """Outlet name -> series name: the outlets with the most documents keep their name."""
    totals: Counter[str | None] = Counter()
    for row in coverage.rows:
        totals[row.outlet] += row.documents
    ranked = sorted(totals, key=lambda o: (-totals[o], o is None, o or ""))
    keep = set(ranked if len(ranked) <= TOP_OUTLETS + 1 else ranked[:TOP_OUTLETS])

    def name(outlet: str | None) -> str:
        if outlet not in keep:
            return OTHER_OUTLETS
        return NO_OUTLET if outlet is None else outlet

    return name


def _order(records: list[dict[str, Any]]) -> list[str]:
    """Series by documents, most first; the catch-all ones last."""
    totals: Counter[str] = Counter()
    for r in records:
        totals[r["outlet"]] += r["documents"]
    return sorted(totals, key=lambda o: (o in (OTHER_OUTLETS, NO_OUTLET), -totals[o], o))


def _slots(coverage: Coverage) -> list[str]:
    """Every period from the first dated row to the last, so gaps show as gaps."""
    days = sorted({r.period for r in coverage.rows if r.period is not None})
    if not days:
        return []
    labels: list[str] = []
    day = days[0]
    while day <= days[-1] and len(labels) < MAX_SLOTS:
        labels.append(period_label(coverage.period, day))
        day = _next(day, coverage.period or "day")
    if day <= days[-1]:  # too many empty slots: only the periods that have documents
        return [period_label(coverage.period, d) for d in days]
    return labels


def _next(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + dt.timedelta(days=7 if period == "week" else 1)
