#!/usr/bin/python3
"""Regenerates compare/styles/change_layout.xml with PyQGIS: the print layout of the change
map's QGIS project (what `regsosek-geo compare` stores in its GeoPackage), A4 landscape: the
map, its title (the project's: the programme and the two editions), what it shows, the
legend, scale bar, north arrow, and the source (the project variable regsosek_source).

Run from the repository root:
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make-change-layout.py
The map's extent is written as a box no data has (11.125 22.25 33.375 44.5): compare puts the
kelurahan's extent there. The file is committed, readable XML.
"""
import os
import sys

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsLayoutItemLabel, QgsLayoutItemLegend,
                       QgsLayoutItemMap, QgsLayoutItemPage, QgsLayoutItemPicture, QgsLayoutItemScaleBar,
                       QgsLayoutPoint, QgsLayoutSize, QgsLegendStyle, QgsPrintLayout, QgsProject,
                       QgsReadWriteContext, QgsRectangle, QgsScaleBarSettings, QgsUnitTypes)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtXml import QDomDocument

MM = QgsUnitTypes.LayoutMillimeters
MARK = QgsRectangle(11.125, 22.25, 33.375, 44.5)


def label(layout, text, x, y, w, h, size=9, bold=False):
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(size)
    font.setBold(bold)
    item.setFont(font)
    item.setVAlign(Qt.AlignTop)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))


def main():
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("Peta perubahan")
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Landscape)
    main_map = QgsLayoutItemMap(layout)
    layout.addLayoutItem(main_map)
    main_map.attemptMove(QgsLayoutPoint(10, 10, MM))
    main_map.attemptResize(QgsLayoutSize(190, 190, MM))
    main_map.setExtent(MARK)
    main_map.attemptResize(QgsLayoutSize(190, 190, MM))
    main_map.setFrameEnabled(True)
    main_map.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    label(layout, "[% upper(@project_title) %]", 205, 10, 85, 14, 13, True)
    label(layout, "Perubahan bersih rumah tangga dalam program, per desa/kelurahan, relatif terhadap"
                  " edisi sebelumnya (merah: bertambah, biru: berkurang). Titik: rumah tangga yang"
                  " berubah, dari skala 1:50.000.", 205, 25, 85, 20, 7.5)
    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("Legenda")
    for style, size, bold in ((QgsLegendStyle.Title, 9, True), (QgsLegendStyle.Group, 7.5, True),
                              (QgsLegendStyle.Subgroup, 7.5, True), (QgsLegendStyle.SymbolLabel, 7, False)):
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        legend.rstyle(style).setFont(font)
    legend.setSymbolHeight(3)
    legend.setSymbolWidth(5)
    legend.setLinkedMap(main_map)
    legend.setLegendFilterByMapEnabled(True)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(205, 47, MM))
    legend.setResizeToContents(False)
    legend.attemptResize(QgsLayoutSize(85, 120, MM))
    label(layout, "Sumber: [% @regsosek_source %]\nDibuat [% format_date(now(), 'yyyy-MM-dd') %] dengan"
                  " regsosek-geo compare dan QGIS.", 205, 172, 85, 28, 6.5)
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(":/images/north_arrows/layout_default_north_arrow.svg")
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(186, 13, MM))
    arrow.attemptResize(QgsLayoutSize(10, 14, MM))
    bar = QgsLayoutItemScaleBar(layout)
    bar.setLinkedMap(main_map)
    bar.setStyle("Single Box")
    bar.setUnits(QgsUnitTypes.DistanceKilometers)
    bar.setUnitLabel("km")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    bar.setMinimumBarWidth(20)
    bar.setMaximumBarWidth(45)
    bar.setUnitsPerSegment(1)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(14, 186, MM))
    doc = QDomDocument()
    element = layout.writeXml(doc, QgsReadWriteContext())
    doc.appendChild(element)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare", "styles", "change_layout.xml")
    with open(out, "w", encoding="utf-8") as f:
        f.write(doc.toString(1))
    print("wrote", out)
    sys.stdout.flush()
    os._exit(0)


main()
