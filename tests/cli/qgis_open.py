"""Opens an exported poverty map in QGIS and checks what a person would see.

usage: qgis_open.py MAP.gpkg OUT.png [PUBLIC.gpkg]
Asserts the five layers load valid with the right CRS and feature counts, carry the
default styles stored in the GeoPackage (households categorized on poverty_class_final with
the four classes, a shape each, shown from 1:50,000 in; kelurahan by rules on poverty_rate
with a class for suppressed areas and one for no data; kecamatan as labelled outlines, not
fills; kab/kota and provinsi filled by poverty_rate only zoomed out, outlined always), that a
rendered map is not blank, and that each level fills the map at its own scales: at the
city's scale the kelurahan colour it and the kab/kota only outlines it, at 1:3,000,000 the
kab/kota's own rate class fills it. With PUBLIC.gpkg (a --public export), renders
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


def render(layers, extent, background, size=(1200, 900), labels=True):
    settings = QgsMapSettings()
    settings.setFlag(QgsMapSettings.DrawLabeling, labels)
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


RATE_COLOURS = [(0.10, "#ffffb2"), (0.20, "#fecc5c"), (0.30, "#fd8d3c"), (0.50, "#f03b20"), (1.01, "#bd0026")]


def rate_colour(rate):
    return next(QColor(c).rgb() for upper, c in RATE_COLOURS if rate < upper)


def pixel_at(layers, extent, point, size):
    # Without labels: a name drawn over the point would hide the fill it is there to check.
    image, settings = render(layers, extent, QColor("#ff00ff"), size, labels=False)
    p = settings.mapToPixel().transform(QgsPointXY(point))
    return image.pixel(int(p.x()), int(p.y())), settings.scale()


def share_of(image, colour):
    """The share of the drawn (not background) pixels that have exactly this colour."""
    magenta, drawn, hits = QColor("#ff00ff").rgb(), 0, 0
    for x in range(image.width()):
        for y in range(image.height()):
            p = image.pixel(x, y)
            drawn += p != magenta
            hits += p == colour
    return hits / drawn if drawn else 0


def check_fill_by_scale(kelurahan, kabkota):
    """A point inside a kelurahan, drawn with the kab/kota over the kelurahan: at the city's
    scale it has its kelurahan's colour; zoomed out to about 1:1,700,000 the map has the kab/kota's
    colour and no kelurahan's (a small city at that scale is mostly its outline, drawn round
    the gaps its kecamatan layer leaves too)."""
    kab = next(kabkota.getFeatures())
    kel = next(f for f in kelurahan.getFeatures() if f["poverty_rate"] != NULL
               and rate_colour(f["poverty_rate"]) != rate_colour(kab["poverty_rate"]))
    inside = kel.geometry().pointOnSurface().asPoint()
    city = QgsRectangle(kelurahan.extent())
    city.scale(1.05)
    seen, scale = pixel_at([kabkota, kelurahan], city, inside, (900, 700))
    if scale > 1500000 or seen != rate_colour(kel["poverty_rate"]):
        fail("at 1:%d kelurahan %s is not drawn in its own rate's colour" % (scale, kel["code"]))
    wide = QgsRectangle(city)
    wide.scale(4.5)
    image, settings = render([kabkota, kelurahan], wide, QColor("#ff00ff"), (240, 180), labels=False)
    scale = settings.scale()
    if not 1500000 < scale < 10000000:
        fail("the wide view is at 1:%d, not between 1:1,500,000 and 1:10,000,000" % scale)
    share = share_of(image, rate_colour(kab["poverty_rate"]))
    if share < 0.15:
        fail("at 1:%d only %.0f%% of the map has the kab/kota %s's rate colour" % (scale, share * 100, kab["code"]))
    if share_of(image, rate_colour(kel["poverty_rate"])) > 0:
        fail("at 1:%d kelurahan %s's colour still shows under the kab/kota" % (scale, kel["code"]))
    print("ok: kelurahan fill the city's map, the kab/kota %.0f%% of the map at 1:%d" % (share * 100, scale))


def main():
    gpkg, png = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(gpkg)
    expected = {name: db.execute('SELECT count(*) FROM "%s"' % name).fetchone()[0]
                for name in ("households", "kelurahan", "kecamatan", "kabkota", "provinsi")}
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
    labels = [rule.label() for rule in r.rootRule().descendants()]
    if "Disembunyikan: jumlah kecil" not in labels or "Tidak ada data" not in labels:
        fail("kelurahan: no class for suppressed areas or for no data (%s)" % labels)
    r = layers["kecamatan"].renderer()
    if r.type() != "singleSymbol" or r.symbol().symbolLayer(0).brushStyle() != 0:
        fail("kecamatan: not drawn as outlines (%s)" % r.type())
    for name in ("kelurahan", "kecamatan", "kabkota", "provinsi"):
        if not layers[name].labelsEnabled():
            fail("%s: labels are off" % name)
    for name in ("kabkota", "provinsi"):
        r = layers[name].renderer()
        if r.type() != "RuleRenderer" or "Batas" not in [rule.label() for rule in r.rootRule().children()]:
            fail("%s: default style not applied (%s)" % (name, r.type()))
    check_fill_by_scale(layers["kelurahan"], layers["kabkota"])

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
    print("ok: 5 layers valid, styles applied, map rendered with %d colours -> %s" % (len(colours), png))
    sys.stdout.flush()
    # QGIS 3.22 can crash in exitQgis() while layers are still referenced; the checks are done.
    os._exit(0)


if __name__ == "__main__":
    main()
