#!/usr/bin/python3
"""Regenerates export/styles/*.qml and *.sld with PyQGIS, so the styles are ones QGIS itself wrote.

Run from the repository root: QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make-styles.py
The .qml files are committed; the build embeds them; this script is only for changing them.
"""
import os
import sys

from qgis.core import (QgsApplication, QgsCategorizedSymbolRenderer, QgsFillSymbol,
                       QgsLinePatternFillSymbolLayer, QgsMarkerSymbol, QgsPalLayerSettings,
                       QgsRendererCategory, QgsRuleBasedRenderer, QgsSingleSymbolRenderer,
                       QgsTextBufferSettings, QgsTextFormat, QgsVectorLayer,
                       QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtGui import QColor, QFont

# Households: a palette of their own (ColorBrewer Purples, dark = poorest) that stays apart
# from the areas' YlOrRd, each class with its own shape too, outlined in white, so the classes
# read on any fill and in black-and-white print.
CLASSES = [
    ("sangat miskin", "Sangat miskin", "#3f007d", "circle", "2.2"),
    ("miskin", "Miskin", "#6a51a3", "triangle", "2.2"),
    ("rentan miskin", "Rentan miskin", "#9e9ac8", "square", "1.8"),
    ("tidak miskin", "Tidak miskin", "#f2f0f7", "diamond", "1.8"),
]
# Areas: ColorBrewer YlOrRd, which ColorBrewer marks colour-blind safe; darkest = poorest.
RATE_BREAKS = [(0.0, 0.10, "#ffffb2"), (0.10, 0.20, "#fecc5c"), (0.20, 0.30, "#fd8d3c"),
               (0.30, 0.50, "#f03b20"), (0.50, 1.00, "#bd0026")]
# Households are drawn from 1:50,000 in (a national map is not a carpet of points); their
# areas' summaries show above it.
HOUSEHOLDS_FROM_SCALE = 50000


def households_style(out):
    layer = QgsVectorLayer("Point?crs=EPSG:4326&field=poverty_class_final:string", "households", "memory")
    categories = []
    for value, label, colour, shape, size in CLASSES:
        symbol = QgsMarkerSymbol.createSimple({"name": shape, "color": colour, "size": size,
                                               "outline_color": "#ffffff" if value != "tidak miskin" else "#3f007d",
                                               "outline_width": "0.25"})
        categories.append(QgsRendererCategory(value, symbol, label))
    other = QgsMarkerSymbol.createSimple({"name": "cross2", "color": "#636363", "size": "1.6",
                                          "outline_color": "#636363", "outline_width": "0.3"})
    categories.append(QgsRendererCategory(None, other, "Belum terklasifikasi"))
    layer.setRenderer(QgsCategorizedSymbolRenderer("poverty_class_final", categories))
    layer.setScaleBasedVisibility(True)
    layer.setMinimumScale(HOUSEHOLDS_FROM_SCALE)  # QGIS: the most zoomed-out scale shown
    save(layer, out)


def text_format(size, colour="#202020", bold=False):
    fmt = QgsTextFormat()
    font = QFont("DejaVu Sans")
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setColor(QColor(colour))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    return fmt


# Each level is filled at the scales it is read at, finest nearest (scale denominators):
# kelurahan up to 1:1,500,000 (a province on a screen), kab/kota from there to 1:10,000,000,
# provinsi beyond (the whole country): a national map is not a carpet of 84,000 desa.
KELURAHAN_UP_TO = 1500000
KABKOTA_UP_TO = 10000000


def rate_rules(parent):
    """The choropleth by poverty_rate under parent: five classes, a hatched class for areas
    --public suppressed and a grey one for areas with no classified household."""
    for lower, upper, colour in RATE_BREAKS:
        symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#636363", "outline_width": "0.2"})
        last = upper >= 1.0
        expression = '"poverty_rate" >= %g AND "poverty_rate" %s %g' % (lower, "<=" if last else "<", upper)
        parent.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, expression,
                                                     "%d – %d %%" % (round(lower * 100), round(upper * 100))))
    hatched = QgsFillSymbol.createSimple({"color": "#ffffff", "outline_color": "#636363", "outline_width": "0.2"})
    lines = QgsLinePatternFillSymbolLayer()
    lines.setLineAngle(45)
    lines.setDistance(1.2)
    lines.setLineWidth(0.25)
    lines.setColor(QColor("#737373"))
    hatched.appendSymbolLayer(lines)
    parent.appendChild(QgsRuleBasedRenderer.Rule(hatched, 0, 0, '"poverty_rate" IS NULL AND "suppressed" = 1',
                                                 "Disembunyikan: jumlah kecil"))
    nodata = QgsFillSymbol.createSimple({"color": "#d9d9d9", "outline_color": "#636363", "outline_width": "0.2"})
    parent.appendChild(QgsRuleBasedRenderer.Rule(nodata, 0, 0,
                                                 '"poverty_rate" IS NULL AND coalesce("suppressed", 0) = 0',
                                                 "Tidak ada data"))


def labels(layer, size, colour, bold, from_scale, to_scale, upper=False):
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    name = 'upper("name")' if upper else '"name"'
    settings.fieldName = ("coalesce(%s, \"code\") || CASE WHEN \"poverty_rate\" IS NULL AND \"suppressed\" = 1"
                          " THEN '\\n(disembunyikan)' ELSE '' END" % name)
    settings.placement = QgsPalLayerSettings.OverPoint
    settings.setFormat(text_format(size, colour, bold))
    settings.scaleVisibility = True
    settings.maximumScale = from_scale
    settings.minimumScale = to_scale
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def area_style(out, name, fill_from, fill_to, outline=None, label=(7, "#202020", False, 0, 250000, False)):
    """A level's choropleth at the scales between fill_from and fill_to (0: no limit), and
    its outline at every scale when it has one, so the coarser borders stay over the finer
    fills."""
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4326&field=poverty_rate:double&field=name:string"
                           "&field=code:string&field=suppressed:integer", name, "memory")
    root = QgsRuleBasedRenderer.Rule(None)
    fills = QgsRuleBasedRenderer.Rule(None, fill_from, fill_to, "", "Tingkat kemiskinan")
    rate_rules(fills)
    root.appendChild(fills)
    if outline:
        colour, width = outline
        line = QgsFillSymbol.createSimple({"style": "no", "outline_color": colour, "outline_width": width})
        root.appendChild(QgsRuleBasedRenderer.Rule(line, 0, 0, "", "Batas"))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    labels(layer, *label)
    save(layer, out)


def kelurahan_style(out):
    """Names from 1:250,000."""
    area_style(out, "kelurahan", 0, KELURAHAN_UP_TO)


def kabkota_style(out):
    area_style(out, "kabkota", KELURAHAN_UP_TO, KABKOTA_UP_TO, ("#252525", "0.8"),
               (8, "#252525", True, KELURAHAN_UP_TO, KABKOTA_UP_TO, False))


def provinsi_style(out):
    area_style(out, "provinsi", KABKOTA_UP_TO, 0, ("#000000", "1.2"),
               (9, "#000000", True, KABKOTA_UP_TO, 0, True))


def kecamatan_style(out):
    """Outlines with labels, not fills: above the kelurahan they must not hide them."""
    layer = QgsVectorLayer("MultiPolygon?crs=EPSG:4326&field=name:string", "kecamatan", "memory")
    symbol = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#252525", "outline_width": "0.7"})
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    settings = QgsPalLayerSettings()
    settings.isExpression = True
    settings.fieldName = 'upper("name")'
    settings.placement = QgsPalLayerSettings.OverPoint
    settings.setFormat(text_format(9, "#252525", True))
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)
    save(layer, out)


def save(layer, out):
    """Writes the layer's style as QGIS keeps it (.qml) and as GeoServer reads it (.sld, the
    OGC Styled Layer Descriptor QGIS itself translates it to), side by side."""
    message, ok = layer.saveNamedStyle(out)
    if not ok:
        sys.exit("cannot write %s: %s" % (out, message))
    sld = out[:-len(".qml")] + ".sld"
    message, ok = layer.saveSldStyle(sld)
    if not ok:
        sys.exit("cannot write %s: %s" % (sld, message))


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    os.makedirs("export/styles", exist_ok=True)
    households_style("export/styles/households.qml")
    kelurahan_style("export/styles/kelurahan.qml")
    kecamatan_style("export/styles/kecamatan.qml")
    kabkota_style("export/styles/kabkota.qml")
    provinsi_style("export/styles/provinsi.qml")
    app.exitQgis()


if __name__ == "__main__":
    main()
