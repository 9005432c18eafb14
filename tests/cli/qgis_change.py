"""Opens a change map (regsosek-geo compare) in QGIS and checks what a person would see.

usage: qgis_change.py CHANGE.gpkg OUT.png
The kelurahan_change layer loads with its stored default style: rules on the mapped
programme's relative net change (eight classes, a diverging ramp, one for suppressed or no
data); the household_changes layer categorized on status, drawn from 1:50,000 in. Rendered,
every kelurahan is drawn in the colour of the class its own fields put it in (worked out here
from the fields, not from the style); zoomed in on the new households' middle, they are drawn
over the areas in their own colour. Writes the city's map to OUT.png, and the zoomed one
beside it (OUT-zoom.png).
"""
import os
import sqlite3
import sys

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsPointXY,
                       QgsRectangle, QgsVectorLayer, NULL)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

RAMP = ["#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac", "#cccccc"]


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def expected_class(f, p):
    net, old, pct = f[p + "_net"], f[p + "_old"], f[p + "_net_pct"]
    if net == NULL:
        return 7
    if net == 0:
        return 3
    if (pct != NULL and pct >= 20) or (old == 0 and net > 0):
        return 0
    if pct == NULL:
        return 7
    if 5 <= pct < 20:
        return 1
    if net > 0 and pct < 5:
        return 2
    if net < 0 and pct > -5:
        return 4
    if -20 < pct <= -5:
        return 5
    return 6


def render(layers, extent, size, labels):
    settings = QgsMapSettings()
    settings.setFlag(QgsMapSettings.DrawLabeling, labels)
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[-1].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor("#ff00ff"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage(), settings


def check_project(gpkg, png):
    """The project stored in the GeoPackage, opened from a copy in another folder: every layer
    valid (its sources are relative), styled as the layers' own defaults, titled with the two
    editions; its map rendered from the project's own layers and extent."""
    import shutil
    import tempfile
    from qgis.core import QgsProject
    folder = tempfile.mkdtemp()
    copy = os.path.join(folder, os.path.basename(gpkg))
    shutil.copy(gpkg, copy)
    project = QgsProject.instance()
    if not project.read("geopackage:%s?projectName=peta_perubahan" % copy):
        fail("the stored project does not open: %s" % project.error())
    layers = {l.name(): l for l in project.mapLayers().values()}
    if len(layers) != 7 or not all(l.isValid() for l in layers.values()):
        fail("project layers: %s" % {n: l.isValid() for n, l in layers.items()})
    if any(os.path.dirname(l.source().split("|")[0]) != folder for l in layers.values() if l.isSpatial()):
        fail("a layer of the copy reads another file: %s" % [l.source() for l in layers.values()])
    if layers["Desa/kelurahan"].renderer().type() != "RuleRenderer" or \
            layers["Rumah tangga yang berubah"].renderer().type() != "categorizedSymbol":
        fail("the project's layers are not styled")
    if "2025-Q1" not in project.title() or "2025-Q2" not in project.title():
        fail("project title: %s" % project.title())
    tree = [n.name() for n in project.layerTreeRoot().findLayers() if n.isVisible()]
    drawn = [layers[n] for n in tree if layers[n].isSpatial()]
    extent = project.viewSettings().defaultViewExtent()
    image, _ = render(drawn, extent if not extent.isEmpty() else layers["Desa/kelurahan"].extent(), (900, 700), True)
    image.save(png)
    from qgis.core import QgsLayoutExporter
    layouts = project.layoutManager().layouts()
    if len(layouts) != 1:
        fail("the project has %d print layouts" % len(layouts))
    sheet = png.replace(".png", "-layout.png")
    settings = QgsLayoutExporter.ImageExportSettings()
    settings.dpi = 100
    settings.generateWorldFile = False
    settings.exportMetadata = False
    if QgsLayoutExporter(layouts[0]).exportToImage(sheet, settings) != QgsLayoutExporter.Success:
        fail("the print layout does not export")
    from qgis.PyQt.QtGui import QImage
    printed = QImage(sheet)
    colours = {printed.pixel(x, y) for x in range(0, printed.width(), 7) for y in range(0, printed.height(), 7)}
    if printed.width() < 1000 or len(colours) < 8 or QColor("#b2182b").rgb() not in colours and \
            QColor("#2166ac").rgb() not in colours and QColor("#ef8a62").rgb() not in colours:
        fail("the printed sheet is blank or has none of the ramp's colours (%d colours)" % len(colours))
    print("ok: the stored project opens from a copy, %d layers valid and styled, its sheet printed" % len(layers))


def main():
    gpkg, png = sys.argv[1], sys.argv[2]
    db = sqlite3.connect(gpkg)
    programme = db.execute("SELECT md_standard_uri, metadata FROM gpkg_metadata").fetchall()
    db.close()
    p = next((m.split("PROGRAMME\">")[1].split("<")[0] for _, m in programme if "PROGRAMME" in m), None)
    if not p:
        fail("no PROGRAMME in the metadata")
    app = QgsApplication([], False)
    app.initQgis()
    areas = QgsVectorLayer("%s|layername=kelurahan_change" % gpkg, "kelurahan_change", "ogr")
    points = QgsVectorLayer("%s|layername=household_changes" % gpkg, "household_changes", "ogr")
    if not areas.isValid() or not points.isValid():
        fail("the layers do not load")
    renderer = areas.renderer()
    if renderer.type() != "RuleRenderer":
        fail("kelurahan_change is drawn by %s, not its stored rules" % renderer.type())
    rules = renderer.rootRule().children()
    if len(rules) != 8 or p + "_net" not in rules[0].filterExpression():
        fail("kelurahan_change rules: %d, %s" % (len(rules), rules[0].filterExpression()))
    if points.renderer().type() != "categorizedSymbol" or points.renderer().classAttribute() != "status":
        fail("household_changes is not categorized on status")
    extent = QgsRectangle(areas.extent())
    extent.scale(1.05)
    image, settings = render([areas], extent, (1000, 800), False)
    checked = 0
    for f in areas.getFeatures():
        inside = f.geometry().pointOnSurface().asPoint()
        px = settings.mapToPixel().transform(QgsPointXY(inside))
        seen = QColor(image.pixel(int(px.x()), int(px.y()))).name()
        want = RAMP[expected_class(f, p)]
        if seen != want:
            fail("kelurahan %s: drawn %s, its %s change puts it in %s" % (f["code"], seen, p, want))
        checked += 1
    full, _ = render([points, areas], extent, (1400, 1100), True)
    full.save(png)
    new = [f.geometry().asPoint() for f in points.getFeatures() if f["status"] == "new" and f.hasGeometry()]
    middle = sorted(new, key=lambda q: q.x())[len(new) // 2]
    near = QgsRectangle(middle.x() - 0.004, middle.y() - 0.003, middle.x() + 0.004, middle.y() + 0.003)
    zoom, settings = render([points, areas], near, (1000, 750), True)
    if settings.scale() > 50000:
        fail("the zoomed map is at 1:%d" % settings.scale())
    green = QColor(26, 150, 65).rgb()
    drawn = sum(zoom.pixel(x, y) == green for x in range(0, 1000, 2) for y in range(0, 750, 2))
    if drawn < 20:
        fail("new households are not drawn at 1:%d (%d pixels)" % (settings.scale(), drawn))
    zoom.save(png.replace(".png", "-zoom.png"))
    check_project(gpkg, png.replace(".png", "-project.png"))
    print("ok: %d kelurahan drawn in their class's colour; map in %s" % (checked, png))
    sys.stdout.flush()
    # QGIS 3.22 can crash in exitQgis() while layers are still referenced; the checks are done.
    os._exit(0)


main()
