#!/usr/bin/python3
"""Regenerates export/styles/project.qgs and project_public.qgs with PyQGIS: the QGIS project
that export stores inside every GeoPackage (table qgis_projects; QGIS opens it with
Project > Open From > GeoPackage), with its layers in order and two print layouts:
  "Peta ringkasan"   the overview sheet: map, title, legend, scale bar, north arrow, the
                     method in force, source and date;
  "Atlas kelurahan"  one page per kelurahan, laid out as BPS lays out its desa field maps
                     (wilkerstat "Peta WA"): title, identity code, identity block up to the
                     provinsi, main map, north arrow, scale bar, legend, activity and period,
                     an inset locating the kelurahan around its kecamatan, its figures under
                     the title and its recap table, source.

Run from the repository root, after a build (it exports the sample to lay the project out):
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make-project.py
The layers' sources are written as ./@GPKG@|layername=...: export puts the GeoPackage's own
file name there, so the project's layers are the GeoPackage it sits in. The .qgs files are
committed, readable XML: a colour or a text is changed there, or here and regenerated.
"""
import os
import re
import subprocess
import sys
import tempfile

from qgis.core import (QgsApplication, QgsExpressionContextUtils, QgsRectangle, QgsReferencedRectangle,
                       QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend,
                       QgsLayoutItemMap, QgsLayoutItemMapOverview, QgsLayoutItemPage, QgsLayoutItemPicture,
                       QgsLayoutItemScaleBar, QgsLayoutPoint, QgsLayoutSize, QgsPrintLayout, QgsProject,
                       QgsLegendStyle, QgsScaleBarSettings, QgsUnitTypes, QgsVectorLayer)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

MM = QgsUnitTypes.LayoutMillimeters
NORTH_ARROW = ":/images/north_arrows/layout_default_north_arrow.svg"
ACTIVITY = "Forum Konsultasi Publik Regsosek 2022"
# The layers' names in the project's tree and legends.
TITLES = {"households": "Rumah tangga (kelas)", "kecamatan": "Kecamatan",
          "kelurahan": "Kelurahan/desa (tingkat kemiskinan)"}
# Where export puts the data's own extent (the overview map's, and the view QGIS opens on):
# a box no real data has, written by QGIS as these digits.
MARK = QgsRectangle(11.125, 22.25, 33.375, 44.5)


def label(layout, text, x, y, w, h, size=9, bold=False, align=Qt.AlignLeft):
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(size)
    font.setBold(bold)
    item.setFont(font)
    item.setHAlign(align)
    item.setVAlign(Qt.AlignTop)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))
    return item


def map_item(layout, x, y, w, h, extent):
    item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    # setExtent reshapes the frame to the extent; resizing after it keeps the frame and widens
    # the extent to fill it (the first resize gives the item a size to reshape).
    item.attemptResize(QgsLayoutSize(w, h, MM))
    item.setExtent(extent)
    item.attemptResize(QgsLayoutSize(w, h, MM))
    item.setFrameEnabled(True)
    return item


def decorations(layout, main, x, y):
    """North arrow and scale bar on the main map's corners."""
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(NORTH_ARROW)
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(x, y, MM))
    arrow.attemptResize(QgsLayoutSize(10, 14, MM))
    bar = QgsLayoutItemScaleBar(layout)
    bar.setLinkedMap(main)
    bar.setStyle("Single Box")
    bar.setUnits(QgsUnitTypes.DistanceKilometers)
    bar.setUnitLabel("km")
    bar.setNumberOfSegments(2)
    bar.setNumberOfSegmentsLeft(0)
    # Round lengths that fit 20-45 mm, whatever the map's scale (an atlas page's changes).
    bar.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    bar.setMinimumBarWidth(20)
    bar.setMaximumBarWidth(45)
    bar.setUnitsPerSegment(1)
    layout.addLayoutItem(bar)
    bar.attemptMove(QgsLayoutPoint(main.pos().x() + 4, main.pos().y() + main.rect().height() - 14, MM))
    return bar


def legend(layout, main, x, y, w, h):
    item = QgsLayoutItemLegend(layout)
    item.setTitle("Legenda")
    for style, size, bold in ((QgsLegendStyle.Title, 9, True), (QgsLegendStyle.Group, 7.5, True),
                              (QgsLegendStyle.Subgroup, 7.5, True), (QgsLegendStyle.SymbolLabel, 7, False)):
        font = QFont("DejaVu Sans")
        font.setPointSizeF(size)
        font.setBold(bold)
        item.rstyle(style).setFont(font)
    item.setSymbolHeight(3)
    item.setSymbolWidth(5)
    item.setLinkedMap(main)
    item.setLegendFilterByMapEnabled(True)
    layout.addLayoutItem(item)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.setResizeToContents(False)
    item.attemptResize(QgsLayoutSize(w, h, MM))
    return item


def page_a4_landscape(layout):
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Landscape)


def overview(project, layers):
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("Peta ringkasan")
    page_a4_landscape(layout)
    main = map_item(layout, 10, 10, 190, 190, MARK)
    label(layout, "PETA TINGKAT KEMISKINAN", 205, 10, 85, 8, 14, True)
    label(layout, '[% @project_title %]', 205, 19, 85, 14, 9)
    legend(layout, main, 205, 34, 85, 90)
    label(layout, "Metode: [% @regsosek_method %]. [% @regsosek_poverty_rate %]", 205, 126, 85, 48, 6.5)
    label(layout, "Sumber: [% @regsosek_source %]\nDibuat [% format_date(now(), 'yyyy-MM-dd') %] dengan"
                  " regsosek-geo dan QGIS.", 205, 176, 85, 24, 6.5)
    decorations(layout, main, 186, 13)
    project.layoutManager().addLayout(layout)


def recap_table(layout, x, y, w, h):
    """The kelurahan's recap as a table (an HTML label: QGIS fills in the atlas feature's
    values); '*' where --public hid a small count."""
    def cell(field):
        return "[%% coalesce(to_string(\"%s\"), '*') %%]" % field
    rows = [("Rumah tangga", "households", "dengan titik GPS", "with_point"),
            ("Sangat miskin", "sangat_miskin", "Miskin", "miskin"),
            ("Rentan miskin", "rentan_miskin", "Tidak miskin", "tidak_miskin")]
    html = ['<table style="font-family: DejaVu Sans; font-size: 7pt; border-collapse: collapse" width="100%">']
    for a, fa, b, fb in rows:
        html.append('<tr><td>%s</td><td align="right">%s</td><td>&nbsp;%s</td><td align="right">%s</td></tr>'
                    % (a, cell(fa), b, cell(fb)))
    html.append('<tr><td colspan="4">* disembunyikan: jumlah kecil</td></tr></table>')
    item = label(layout, "".join(html), x, y, w, h, 7)
    item.setMode(QgsLayoutItemLabel.ModeHtml)
    return item


def atlas(project, layers):
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("Atlas kelurahan")
    page_a4_landscape(layout)
    kel = layers["kelurahan"]
    main = map_item(layout, 10, 10, 190, 190, kel.extent())
    main.setAtlasDriven(True)
    main.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    main.setAtlasMargin(0.08)
    label(layout, 'PETA KELURAHAN/DESA [% upper("name") %]', 205, 10, 85, 14, 13, True)
    label(layout, "Tingkat kemiskinan [% coalesce(format_number(\"poverty_rate\" * 100, 1) || ' %', 'disembunyikan')"
                  " %]  \u00b7  [% \"households\" %] rumah tangga", 205, 24, 85, 5, 8.5, True)
    label(layout, 'Kode identitas: [% "code" %]', 205, 30, 85, 5, 8.5)
    label(layout, 'Provinsi: [% left("code", 2) %]\nKabupaten/Kota: [% left("code", 4) %]\n'
                  'Kecamatan: [% "parent_code" %] [% "parent_name" %]\nKelurahan/Desa: [% "code" %] [% "name" %]',
          205, 36, 85, 20, 8)
    legend(layout, main, 205, 57, 85, 57)
    inset = map_item(layout, 205, 116, 85, 40, kel.extent())
    inset.setAtlasDriven(True)
    inset.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    inset.setAtlasMargin(2.5)
    inset.setLayers([layers["kecamatan"], kel])
    inset.setKeepLayerSet(True)
    frame = QgsLayoutItemMapOverview("lokasi", inset)
    frame.setLinkedMap(main)
    inset.overviews().addOverview(frame)
    label(layout, "Letak kelurahan di kecamatannya (kotak: peta utama)", 205, 157, 85, 5, 6)
    recap_table(layout, 205, 161, 85, 22)
    label(layout, ACTIVITY, 205, 184, 85, 6, 9, True)
    label(layout, "Sumber: [% @regsosek_source %]", 205, 191, 85, 10, 6)
    decorations(layout, main, 186, 13)
    a = layout.atlas()
    a.setCoverageLayer(kel)
    a.setEnabled(True)
    a.setPageNameExpression('"code" || \' \' || "name"')
    a.setSortFeatures(True)
    a.setSortExpression('"code"')
    project.layoutManager().addLayout(layout)


def build(gpkg, names, out):
    project = QgsProject.instance()
    project.clear()
    project.setTitle("Peta kemiskinan Regsosek")
    # Distances (the scale bars) on the ellipsoid: the layers are in degrees.
    project.setEllipsoid("EPSG:7030")
    layers = {}
    for name in names:
        layer = QgsVectorLayer("%s|layername=%s" % (gpkg, name), name, "ogr")
        if not layer.isValid():
            sys.exit("%s: layer %s does not load" % (gpkg, name))
        layer.setName(TITLES[name])
        layers[name] = layer
    project.addMapLayers([layers[n] for n in names])
    project.setCrs(layers["kelurahan"].crs())
    # What export knows of the data, as project variables the layouts' texts show.
    for name, mark in (("regsosek_method", "@METHOD@"), ("regsosek_poverty_rate", "@POVERTY_RATE@"),
                       ("regsosek_source", "@SOURCE@")):
        QgsExpressionContextUtils.setProjectVariable(project, name, mark)
    project.viewSettings().setDefaultViewExtent(QgsReferencedRectangle(MARK, layers["kelurahan"].crs()))
    overview(project, layers)
    atlas(project, layers)
    if not project.write(out):
        sys.exit("cannot write %s" % out)
    text = open(out, encoding="utf-8").read()
    # The layers are the GeoPackage the project is stored in: its name goes where @GPKG@ is.
    text = text.replace("./%s|" % os.path.basename(gpkg), "./@GPKG@|").replace(gpkg, "./@GPKG@")
    text = re.sub(r'<layer-tree-layer ([^>]*)source="[^"]*"', r'<layer-tree-layer \1source="./@GPKG@"', text)
    open(out, "w", encoding="utf-8").write(text)
    for line in text.splitlines():
        if os.path.dirname(gpkg) in line:
            print("still names the build folder:", line.strip()[:200])


def main():
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    work = tempfile.mkdtemp()
    gpkg, public = os.path.join(work, "sample.gpkg"), os.path.join(work, "sample-public.gpkg")
    run = ["build/regsosek-geo", "-q", "run", "sample-data/households.csv", "sample-data/boundaries.gpkg",
           "-o", gpkg, "--db", os.path.join(work, "w.sqlite")]
    subprocess.run(run, check=True)
    subprocess.run(["build/regsosek-geo", "-q", "export", public, "--public", "--db", os.path.join(work, "w.sqlite")],
                   check=True)
    build(gpkg, ["households", "kecamatan", "kelurahan"], os.path.join(work, "project.qgs"))
    build(public, ["kecamatan", "kelurahan"], os.path.join(work, "project_public.qgs"))
    for name in ("project.qgs", "project_public.qgs"):
        os.replace(os.path.join(work, name), os.path.join("export/styles", name))
    print("wrote export/styles/project.qgs and export/styles/project_public.qgs")
    os._exit(0)  # QGIS 3.22 can crash in exitQgis() with layers still referenced


if __name__ == "__main__":
    main()
