"""Opens an exported poverty map in QGIS and checks what a person would see.

usage: qgis_open.py MAP.gpkg OUT.png [PUBLIC.gpkg]
Asserts the three layers load valid with the right CRS and feature counts, carry the
default styles stored in the GeoPackage (households categorized on poverty_class_final with
the four classes, a shape each, shown from 1:50,000 in; kelurahan by rules on poverty_rate
with a class for suppressed areas and one for no data; kecamatan as labelled outlines, not
fills), and that a rendered map is not blank. With PUBLIC.gpkg (a --public export), renders
its kelurahan over a magenta background and checks, pixel by pixel, that every suppressed
kelurahan is drawn. Exit status 0 on success.
"""
import os
import sqlite3
import sys

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsPointXY, QgsRectangle, QgsVectorLayer, NULL)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

CLASSES = {"sangat miskin", "miskin", "rentan miskin", "tidak miskin"}


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def render(layers, extent, background, size=(1200, 900)):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(background)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), settings


def check_suppressed_drawn(public):
    """A suppressed kelurahan has no poverty_rate; it must still be drawn, hatched, not left
    as a hole in the map: over magenta, no pixel inside it may stay magenta."""
    layer = QgsVectorLayer("%s|layername=kelurahan" % public, "kelurahan", "ogr")
    if not layer.isValid():
        fail("public kelurahan do not load")
    hidden = [f for f in layer.getFeatures() if f["suppressed"] == 1 and f["poverty_rate"] == NULL]
    if not hidden:
        fail("the public export has no suppressed kelurahan to check")
    extent = QgsRectangle(layer.extent())
    extent.scale(1.02)
    image, settings = render([layer], extent, QColor("#ff00ff"))
    to_pixel = settings.mapToPixel()
    magenta = QColor("#ff00ff").rgb()
    for f in hidden:
        inside = f.geometry().pointOnSurface().asPoint()
        p = to_pixel.transform(QgsPointXY(inside))
        x, y = int(p.x()), int(p.y())
        if image.pixel(x, y) == magenta:
            fail("suppressed kelurahan %s is not drawn (background at %d,%d)" % (f["code"], x, y))
    print("ok: %d suppressed kelurahan drawn" % len(hidden))


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
    shapes = {c.symbol().symbolLayer(0).shape() for c in renderer.categories() if c.value() in CLASSES}
    if len(shapes) != 4:
        fail("households: the four classes do not have four shapes")
    if not layers["households"].hasScaleBasedVisibility() or layers["households"].minimumScale() != 50000:
        fail("households: not hidden beyond 1:50,000")
    r = layers["kelurahan"].renderer()
    if r.type() != "RuleRenderer":
        fail("kelurahan: default style not applied (%s)" % r.type())
    labels = [rule.label() for rule in r.rootRule().children()]
    if "Disembunyikan: jumlah kecil" not in labels or "Tidak ada data" not in labels:
        fail("kelurahan: no class for suppressed areas or for no data (%s)" % labels)
    r = layers["kecamatan"].renderer()
    if r.type() != "singleSymbol" or r.symbol().symbolLayer(0).brushStyle() != 0:
        fail("kecamatan: not drawn as outlines (%s)" % r.type())
    for name in ("kelurahan", "kecamatan"):
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
    if len(sys.argv) > 3:
        check_suppressed_drawn(sys.argv[3])
    print("ok: 3 layers valid, styles applied, map rendered with %d colours -> %s" % (len(colours), png))
    sys.stdout.flush()
    # QGIS 3.22 can crash in exitQgis() while layers are still referenced; the checks are done.
    os._exit(0)


if __name__ == "__main__":
    main()
