"""Opens an exported poverty map in QGIS and checks what a person would see.

usage: qgis_open.py MAP.gpkg OUT.png
Asserts the three layers load valid with the right CRS and feature counts, carry the
default styles stored in the GeoPackage (categorized households on poverty_class_final with
the four classes, graduated kelurahan and kecamatan on poverty_rate, labels on), and
that a rendered map is not blank. Exit status 0 on success.
"""
import os
import sqlite3
import sys

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

CLASSES = {"sangat miskin", "miskin", "rentan miskin", "tidak miskin"}


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    gpkg, png = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(gpkg)
    expected = {name: db.execute('SELECT count(*) FROM "%s"' % name).fetchone()[0]
                for name in ("households", "kelurahan", "kecamatan")}
    db.close()

    app = QgsApplication([], False)
    app.initQgis()
    layers = {}
    for name, count in expected.items():
        layer = QgsVectorLayer("%s|layername=%s" % (gpkg, name), name, "ogr")
        if not layer.isValid():
            fail("%s does not load" % name)
        if layer.featureCount() != count or count == 0:
            fail("%s: %d features, expected %d" % (name, layer.featureCount(), count))
        if layer.crs().authid() != "EPSG:4326":
            fail("%s: CRS %s" % (name, layer.crs().authid()))
        layers[name] = layer

    renderer = layers["households"].renderer()
    if renderer.type() != "categorizedSymbol" or renderer.classAttribute() != "poverty_class_final":
        fail("households: default style not applied (%s)" % renderer.type())
    values = {c.value() for c in renderer.categories() if c.value() not in (None, "")}
    if values != CLASSES:
        fail("households: categories %s" % sorted(values))
    for name in ("kelurahan", "kecamatan"):
        r = layers[name].renderer()
        if r.type() != "graduatedSymbol" or r.classAttribute() != "poverty_rate":
            fail("%s: default style not applied (%s)" % (name, r.type()))
        if not layers[name].labelsEnabled():
            fail("%s: labels are off" % name)

    settings = QgsMapSettings()
    settings.setLayers([layers["households"], layers["kelurahan"]])
    settings.setDestinationCrs(layers["kelurahan"].crs())
    extent = QgsRectangle(layers["kelurahan"].extent())
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(900, 700))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    colours = set()
    for x in range(0, image.width(), 7):
        for y in range(0, image.height(), 7):
            colours.add(image.pixel(x, y))
    if len(colours) < 10:
        fail("the rendered map is blank (%d colours)" % len(colours))
    image.save(png)
    print("ok: 3 layers valid, styles applied, map rendered with %d colours -> %s" % (len(colours), png))
    sys.stdout.flush()
    # QGIS 3.22 can crash in exitQgis() while layers are still referenced; the checks are done.
    os._exit(0)


if __name__ == "__main__":
    main()
