"""Charts for the summary (reportlab.graphics): control status per framework, results."""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from app.controls.results import Status
from app.report.model import BUCKET_LABELS
from app.report.styles import BOLD, INK, REGULAR, STATUS_COLOURS

BUCKET_COLOURS = {
    "passed": colors.HexColor("#43a047"),
    "failing": colors.HexColor("#c62828"),
    "exceptions": colors.HexColor("#8e24aa"),
    "errors": colors.HexColor("#ef6c00"),
    "not_checked": colors.HexColor("#90a4ae"),
    "evidence_attached": colors.HexColor("#1e88e5"),
    "evidence_missing": colors.HexColor("#7e57c2"),
    "not_applicable": colors.HexColor("#cfd8dc"),
}
RESULT_LABELS = {
    Status.PASS: "Pass",
    Status.FAIL: "Fail",
    Status.ERROR: "Could not check",
    Status.NOT_APPLICABLE: "Nothing to check",
}


def control_status_chart(title: str, counts: Mapping[str, int], width: float) -> Drawing:
    """Horizontal bars: how many of the framework's controls are in each bucket."""
    statuses = list(BUCKET_COLOURS)
    height = 30 + 16 * len(statuses)
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 11, title, fontName=BOLD, fontSize=9, fillColor=INK))
    chart = HorizontalBarChart()
    chart.x = 95
    chart.y = 8
    chart.width = int(width - 130)
    chart.height = height - 28
    # Top to bottom in the order above (reportlab draws category 0 at the bottom).
    ordered = list(reversed(statuses))
    chart.data = [[counts.get(s, 0) for s in ordered]]
    chart.categoryAxis.categoryNames = [BUCKET_LABELS[s] for s in ordered]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = colors.HexColor("#9aa5b1")
    top = max(1, max(counts.values(), default=0))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = max(1, (top + 4) // 5)
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = colors.HexColor("#9aa5b1")
    chart.bars.strokeColor = None
    chart.barWidth = 9
    for index, status in enumerate(ordered):
        chart.bars[(0, index)].fillColor = BUCKET_COLOURS[status]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def results_pie(counts: Mapping[Status, int], width: float) -> Drawing:
    """The latest population by result status (every resource judged, PASS rows too)."""
    drawing = Drawing(width, 120)
    drawing.add(
        String(0, 108, "Results of the latest scans", fontName=BOLD, fontSize=9, fillColor=INK)
    )
    statuses = [s for s in RESULT_LABELS if counts.get(s, 0)]
    if not statuses:
        drawing.add(String(0, 60, "No automated results yet.", fontName=REGULAR, fontSize=8))
        return drawing
    pie = Pie()
    pie.x = 10
    pie.y = 8
    pie.width = pie.height = 92
    pie.data = [counts[s] for s in statuses]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for index, status in enumerate(statuses):
        pie.slices[index].fillColor = STATUS_COLOURS[status]
    drawing.add(pie)
    legend = Legend()
    legend.x = 125
    legend.y = 90
    legend.fontName = REGULAR
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 6
    legend.colorNamePairs = [
        (STATUS_COLOURS[s], f"{RESULT_LABELS[s]}: {counts[s]}") for s in statuses
    ]
    drawing.add(legend)
    return drawing
