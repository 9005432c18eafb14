"""Opens the QGIS project an export stored in its GeoPackage, as a user would (Project >
Open From > GeoPackage), and prints its overview sheet and its atlas.

usage: qgis_project.py MAP.gpkg OUT_DIR LAYERS
LAYERS: the layer names expected, top to bottom ("households,kecamatan,kelurahan").
Asserts the project reads, its layers are in that order, valid, styled, and all of them the
GeoPackage the project is stored in; no absolute path is in the project; writes
OUT_DIR/overview.pdf and OUT_DIR/atlas.pdf and OUT_DIR/atlas-names.txt (the kelurahan in
atlas order). Exit status 0 on success.
"""
import io
import os
import sqlite3
import sys
import zipfile

from qgis.core import QgsApplication, QgsLayoutExporter, QgsProject

RENDERERS = {"households": "categorizedSymbol", "kecamatan": "singleSymbol", "kelurahan": "RuleRenderer"}


def fail(message):
    print("FAIL:", message)
    sys.stdout.flush()
    os._exit(1)


def main():
    gpkg, out, expected = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
    db = sqlite3.connect(gpkg)
    rows = db.execute("SELECT name, content FROM qgis_projects").fetchall()
    names = [r[0] for r in db.execute("SELECT name FROM kelurahan ORDER BY code")]
    db.close()
    if [r[0] for r in rows] != ["peta_kemiskinan"]:
        fail("qgis_projects holds %s" % [r[0] for r in rows])
    archive = zipfile.ZipFile(io.BytesIO(bytes.fromhex(rows[0][1])))
    qgs = archive.read(archive.namelist()[0]).decode("utf-8")
    for folder in ("/tmp", "/work", "/home", "/root", "/var", "/usr/local"):
        if folder + "/" in qgs:
            fail("the project names a path in %s" % folder)

    app = QgsApplication([], False)
    app.initQgis()
    project = QgsProject.instance()
    if not project.read("geopackage:%s?projectName=peta_kemiskinan" % gpkg):
        fail("the project does not open from %s" % gpkg)
    order = project.layerTreeRoot().layerOrder()
    got = [layer.source().split("layername=")[-1] for layer in order]
    if got != expected:
        fail("layer order %s, expected %s" % (got, expected))
    for layer in order:
        name = layer.source().split("layername=")[-1]
        if not layer.isValid():
            fail("%s does not load" % name)
        if os.path.abspath(layer.source().split("|")[0]) != gpkg:
            fail("%s comes from %s, not the GeoPackage itself" % (name, layer.source()))
        if layer.renderer().type() != RENDERERS[name]:
            fail("%s: style %s" % (name, layer.renderer().type()))

    layouts = project.layoutManager()
    overview, atlas = layouts.layoutByName("Peta ringkasan"), layouts.layoutByName("Atlas kelurahan")
    if not overview or not atlas or not atlas.atlas().enabled():
        fail("the layouts are missing")
    settings = QgsLayoutExporter.PdfExportSettings()
    if QgsLayoutExporter(overview).exportToPdf(os.path.join(out, "overview.pdf"), settings) != 0:
        fail("the overview sheet does not print")
    result, error = QgsLayoutExporter.exportToPdf(atlas.atlas(), os.path.join(out, "atlas.pdf"), settings)
    if result != 0:
        fail("the atlas does not print: %s" % error)
    with open(os.path.join(out, "atlas-names.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    print("ok: project opens, %d layers from the GeoPackage, overview and atlas printed" % len(order))
    sys.stdout.flush()
    os._exit(0)  # QGIS 3.22 can crash in exitQgis() while layers are still referenced


if __name__ == "__main__":
    main()
