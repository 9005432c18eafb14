#!/usr/bin/python3
"""Regenerates io/styles/*.qml with PyQGIS, so the styles are ones QGIS itself wrote.

Run from the repository root: QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make-styles.py
The .qml files are committed; the build embeds them; this script is only for changing them.
"""
import os
import sys

from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer, QgsFillSymbol,
                       QgsGraduatedSymbolRenderer, QgsMarkerSymbol, QgsPalLayerSettings,
                       QgsRendererCategory, QgsRendererRange, QgsTextBufferSettings,
                       QgsTextFormat, QgsVectorLayer, QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QColor, QFont

# ColorBrewer YlOrRd, which ColorBrewer marks colour-blind safe; darkest = poorest.
CLASSES = [
    ("sangat miskin", "Sangat miskin", "#bd0026"),
    ("miskin", "Miskin", "#f03b20"),
    ("rentan miskin", "Rentan miskin", "#fd8d3c"),
    ("tidak miskin", "Tidak miskin", "#fecc5c"),
]
RATE_BREAKS = [(0.0, 0.10, "#ffffb2"), (0.10, 0.20, "#fecc5c"), (0.20, 0.30, "#fd8d3c"),
               (0.30, 0.50, "#f03b20"), (0.50, 1.00, "#bd0026")]


def households_style(out):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=poverty_class_final:string", "households", "memory")
    categories = []
    for value, label, colour in CLASSES:
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": colour, "size": "1.8",
                                               "outline_color": "#404040", "outline_width": "0.1"})
        categories.append(QgsRendererCategory(value, symbol, label))
    other = QgsMarkerSymbol.createSimple({"name": "circle", "color": "#9e9e9e", "size": "1.4",
                                          "outline_color": "#404040", "outline_width": "0.1"})
    categories.append(QgsRendererCategory(None, other, "Tidak terklasifikasi"))
    layer.setRenderer(QgsCategorizedSymbolRenderer("poverty_class_final", categories))
    save(layer, out)


def area_style(out, name_field, outline_width, font_size):
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4326&field=poverty_rate:double&field=name:string",
                           "areas", "memory")
    ranges = []
    for lower, upper, colour in RATE_BREAKS:
        symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#636363",
                                             "outline_width": str(outline_width)})
        label = "%d – %d %%" % (round(lower * 100), round(upper * 100))
        ranges.append(QgsRendererRange(lower, upper, symbol, label))
    renderer = QgsGraduatedSymbolRenderer("poverty_rate", ranges)
    layer.setRenderer(renderer)
    settings = QgsPalLayerSettings()
    settings.fieldName = name_field
    settings.placement = QgsPalLayerSettings.OverPoint
    fmt = QgsTextFormat()
    fmt.setFont(QFont("Sans Serif"))
    fmt.setSize(font_size)
    fmt.setColor(QColor("#202020"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    save(layer, out)


def save(layer, out):
    message, ok = layer.saveNamedStyle(out)
    if not ok:
        sys.exit("cannot write %s: %s" % (out, message))


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    os.makedirs("io/styles", exist_ok=True)
    households_style("io/styles/households.qml")
    area_style("io/styles/kelurahan.qml", "name", 0.2, 7)
    area_style("io/styles/kecamatan.qml", "name", 0.6, 10)
    app.exitQgis()


if __name__ == "__main__":
    main()
