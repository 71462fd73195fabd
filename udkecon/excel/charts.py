"""Native Excel charts over cells of the workbook, so a chart follows its table."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.worksheet.worksheet import Worksheet

# The colours of the PDF report's charts (udkecon.charts.PALETTE), kept here as hex so that
# writing a workbook does not import matplotlib.
COLOURS = {
    "operation": "1F4E79",
    "implementation": "5B9BD5",
    "dual_operation": "F4B183",
    "new_tasks": "C55A11",
    "fixed": "1F4E79",
    "current": "A5A5A5",
    "net": "70AD47",
    "accent": "C00000",
}
_GRID = "D9D9D9"


def _text(size: int, bold: bool = False) -> RichText:
    """Text properties for a chart element (size in hundredths of a point)."""
    properties = CharacterProperties(sz=size, b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=properties),
                                 endParaRPr=properties)])


def _title(text: str) -> Title:
    properties = CharacterProperties(sz=1100, b=True)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=properties),
                          r=[RegularTextRun(rPr=properties, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _finish(chart, title: str, axis_title: str, number_format: str, width: float,
            height: float) -> None:
    chart.title = _title(title)
    chart.style = 2
    chart.width, chart.height = width, height
    chart.legend.position = "b"
    chart.y_axis.title = axis_title
    chart.y_axis.numFmt = number_format
    chart.y_axis.majorGridlines.spPr = GraphicalProperties(ln=LineProperties(solidFill=_GRID))
    # openpyxl marks axes as deleted unless told otherwise; Excel then hides them
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.number_format = "0"
    chart.x_axis.tickLblPos = "low"  # years below the plot, also when values go negative
    chart.x_axis.txPr = chart.y_axis.txPr = _text(900)
    chart.legend.txPr = _text(900)


def _colour(series, colour: str, line: bool = False) -> None:
    if line:
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28575  # 2.25 pt
        series.smooth = False
    else:
        series.graphicalProperties.solidFill = colour
        series.graphicalProperties.line.solidFill = colour


def column_chart(ws: Worksheet, anchor: str, *, title: str, axis_title: str, header_row: int,
                 first_row: int, last_row: int, first_column: int, last_column: int,
                 colours: list[str], stacked: bool = False, number_format: str = "#,##0",
                 width: float = 16.0, height: float = 7.5, legend: str = "b",
                 source: Worksheet | None = None) -> BarChart:
    """Columns per category (column A of the block) and one series per column of values.

    The block is on `source` (default: the sheet the chart is placed on)."""
    source = source or ws
    chart = BarChart()
    chart.type = "col"
    if stacked:
        chart.grouping = "stacked"
        chart.overlap = 100
    chart.gapWidth = 60
    data = Reference(source, min_col=first_column, max_col=last_column, min_row=header_row,
                     max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(source, min_col=1, min_row=first_row, max_row=last_row))
    for series, colour in zip(chart.series, colours, strict=False):
        _colour(series, colour)
    _finish(chart, title, axis_title, number_format, width, height)
    chart.legend.position = legend
    ws.add_chart(chart, anchor)
    return chart


def line_chart(ws: Worksheet, anchor: str, *, title: str, axis_title: str, header_row: int,
               first_row: int, last_row: int, columns: list[int], colours: list[str],
               number_format: str = "#,##0", width: float = 16.0, height: float = 7.5,
               source: Worksheet | None = None) -> LineChart:
    """One line per listed column of values, over the categories in column A (of `source`,
    default the sheet the chart is placed on)."""
    source = source or ws
    chart = LineChart()
    for column in columns:
        chart.add_data(Reference(source, min_col=column, min_row=header_row, max_row=last_row),
                       titles_from_data=True)
    chart.set_categories(Reference(source, min_col=1, min_row=first_row, max_row=last_row))
    for series, colour in zip(chart.series, colours, strict=False):
        _colour(series, colour, line=True)
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        series.marker.graphicalProperties.line.solidFill = colour
    _finish(chart, title, axis_title, number_format, width, height)
    ws.add_chart(chart, anchor)
    return chart
