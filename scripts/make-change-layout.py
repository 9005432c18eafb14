#!/usr/bin/python3
"""Regenerates compare/styles/change_layout.xml with PyQGIS: the print layout of the change
map's QGIS project (what `regsosek-geo compare` stores in its GeoPackage), A4 landscape: the
map, its title (the project's: the programme and the two editions), what it shows, the
legend, scale bar, north arrow, and the source (the project variable regsosek_source). Laid
out with the export's own pieces (scripts/make-project.py), as its overview sheet is.

Run from the repository root:
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/make-change-layout.py
The map's extent is written as a box no data has (11.125 22.25 33.375 44.5): compare puts the
kelurahan's extent there. The file is committed, readable XML.
"""
import importlib.util
import os
import sys

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsPrintLayout, QgsProject, QgsReadWriteContext
from qgis.PyQt.QtXml import QDomDocument

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("make_project", os.path.join(HERE, "make-project.py"))
sheet = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sheet)


def main():
    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("Peta perubahan")
    sheet.page_a4_landscape(layout)
    main_map = sheet.map_item(layout, 10, 10, 190, 190, sheet.MARK)
    main_map.setCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
    sheet.label(layout, "[% upper(@project_title) %]", 205, 10, 85, 14, 13, True)
    sheet.label(layout, "Perubahan bersih rumah tangga dalam program, per desa/kelurahan, relatif terhadap"
                        " edisi sebelumnya (merah: bertambah, biru: berkurang). Titik: rumah tangga yang"
                        " berubah, dari skala 1:50.000.", 205, 25, 85, 20, 7.5)
    sheet.legend(layout, main_map, 205, 47, 85, 120)
    sheet.label(layout, "Sumber: [% @regsosek_source %]\nDibuat [% format_date(now(), 'yyyy-MM-dd') %] dengan"
                        " regsosek-geo compare dan QGIS.", 205, 172, 85, 28, 6.5)
    sheet.decorations(layout, main_map, 186, 13)
    doc = QDomDocument()
    doc.appendChild(layout.writeXml(doc, QgsReadWriteContext()))
    out = os.path.join(HERE, "..", "compare", "styles", "change_layout.xml")
    with open(out, "w", encoding="utf-8") as f:
        f.write(doc.toString(1))
    print("wrote", out)
    sys.stdout.flush()
    os._exit(0)


main()
