#!/usr/bin/python3
"""QGIS opens each published PostGIS layer with its default style from the database: the
same renderer and labels as the layer's .qml gives a layer that loads it from the file.

usage: qgis_postgis.py SOCKET_DIR DBNAME SCHEMA STYLES_DIR
"""
import sys

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

host, dbname, schema, styles = sys.argv[1:]
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
failures = []
for name, kind in (("provinsi", "MultiPolygon"), ("kabkota", "MultiPolygon"), ("kecamatan", "MultiPolygon"),
                   ("kelurahan", "MultiPolygon"), ("households", "Point")):
    uri = QgsDataSourceUri()
    uri.setConnection(host, "5432", dbname, "postgres", "")
    uri.setDataSource(schema, name, "geom", "", "fid")
    layer = QgsVectorLayer(uri.uri(False), name, "postgres")
    if not layer.isValid():
        failures.append("%s: QGIS cannot open it" % name)
        continue
    if layer.featureCount() < 1:
        failures.append("%s: no features" % name)
    reference = QgsVectorLayer("%s?crs=EPSG:4326" % kind, name, "memory")
    message, ok = reference.loadNamedStyle("%s/%s.qml" % (styles, name))
    if not ok:
        failures.append("%s: the .qml does not load: %s" % (name, message))
    if layer.renderer().dump() != reference.renderer().dump():
        failures.append("%s: opened with %s, not its default style %s" % (
            name, layer.renderer().type(), reference.renderer().type()))
    if layer.labelsEnabled() != reference.labelsEnabled():
        failures.append("%s: labels differ from the default style's" % name)
app.exitQgis()
if failures:
    sys.exit("\n".join(failures))
print("ok: QGIS opens every layer with its default style")
