#!/usr/bin/env python3
"""Checks a site written by `export DIR -f web` against the working database it came from,
with none of the tool's code: sqlite3 on the store's summaries, GDAL's own MVT reader on the
tiles, OGR on the boundaries, the QGIS style file for the legend. Then writes what the browser
test should find (expect.json): a kelurahan, a point inside it away from its label, its counts
and colour, and a suppressed area with the cells that must not show.

usage: oracle.py SITE STORE.sqlite KELURAHAN.qml MIN_COUNT OUT.json"""
import glob
import json
import os
import re
import sqlite3
import stat
import sys
import xml.etree.ElementTree as ET

from osgeo import gdal, ogr

ogr.UseExceptions()
site, store_path, qml_path, min_count, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
TILE_FIELDS = {"code", "name", "parent", "rate", "hidden", "mvt_id"}  # mvt_id: the reader's feature id
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


store = sqlite3.connect(store_path)
store.row_factory = sqlite3.Row


def sls_recount():
    """The SLS's counts, recounted from the households view (an SLS holds the households its
    point lies in), and each programme as the sum of its desil (classify_programmes)."""
    programmes = "".join(", 0%s AS \"%s\"" % ("".join(" + total(desil = %d)" % d for d in range(a, b + 1)), name)
                         for name, a, b in store.execute("SELECT name, first_desil, last_desil FROM classify_programmes"))
    return ("SELECT l.code, count(h.sls_code) AS households, total(h.poverty_class_final = 'sangat miskin') AS sangat_miskin,"
            " total(h.poverty_class_final = 'miskin') AS miskin, total(h.poverty_class_final = 'rentan miskin') AS rentan_miskin,"
            " total(h.poverty_class_final = 'tidak miskin') AS tidak_miskin,"
            " total(h.sls_code IS NOT NULL AND h.poverty_class_final IS NULL) AS unclassified,"
            " total(h.geom IS NOT NULL) AS with_point, total(h.sls_code IS NOT NULL AND h.geom IS NULL) AS without_point,"
            " total(h.code_mismatch = 1) AS code_mismatches, "
            + ", ".join("total(h.desil = %d) AS desil_%d" % (d, d) for d in range(1, 11)) + programmes +
            " FROM sls l LEFT JOIN households h ON h.sls_code = l.code GROUP BY l.code")


def summaries(level):
    """The store's counts, and the rate as the export's metadata defines it: (sangat miskin +
    miskin) / classified households."""
    out = {}
    sql = sls_recount() if level == "sls" else "SELECT * FROM %s_summary" % level
    for r in store.execute(sql):
        r = {k: int(v) if isinstance(v, float) else v for k, v in dict(r).items()}
        classified = r["households"] - r["unclassified"]
        r["poverty_rate"] = (r["sangat_miskin"] + r["miskin"]) / classified if classified else None
        out[r["code"]] = r
    return out


def qml_classes(path):
    """The choropleth's classes as QGIS wrote them: lower, upper, colour of each rate rule."""
    root = ET.parse(path).getroot()
    colours = {}
    for sym in root.iter("symbol"):
        for opt in sym.iter("Option"):
            if opt.get("name") == "color":
                colours.setdefault(sym.get("name"), opt.get("value"))
                break
        else:
            for prop in sym.iter("prop"):
                if prop.get("k") == "color":
                    colours.setdefault(sym.get("name"), prop.get("v"))
                    break
    classes = []
    for rule in root.iter("rule"):
        m = re.match(r'"poverty_rate" >= ([\d.]+) AND "poverty_rate" <=? ([\d.]+)', rule.get("filter") or "")
        if m and rule.get("symbol") in colours:
            r, g, b = (int(v) for v in colours[rule.get("symbol")].split(",")[:3])
            classes.append({"lower": float(m.group(1)), "upper": float(m.group(2)), "colour": "#%02x%02x%02x" % (r, g, b)})
    return sorted(classes, key=lambda c: c["lower"])


# ---------------------------------------------------------------- the legend is the QGIS style's
site_json = json.load(open(os.path.join(site, "site.json")))
LEVELS = [level["id"] for level in site_json["levels"]]
has_sls = store.execute("SELECT count(*) FROM sls").fetchone()[0] > 0
if LEVELS != ["provinsi", "kabkota", "kecamatan", "kelurahan"] + (["sls"] if has_sls else []):
    fail("the site's levels %s, the store %s SLS" % (LEVELS, "has" if has_sls else "has no"))
classes = qml_classes(qml_path)
if len(classes) != 5:
    fail("kelurahan.qml: expected 5 rate classes, read %d" % len(classes))
if [(c["lower"], c["upper"], c["colour"]) for c in site_json["classes"]] != \
        [(c["lower"], c["upper"], c["colour"]) for c in classes]:
    fail("site.json classes %s differ from the QGIS style's %s" % (site_json["classes"], classes))


def colour_of(rate):
    for c in classes:
        if rate < c["upper"] or c["upper"] >= 1:
            return c["colour"]
    return classes[-1]["colour"]


# ---------------------------------------------------------------- each area's figures
COUNT_FIELDS = None
records = {}
for i, level in enumerate(LEVELS):
    truth = summaries(level)
    files = [os.path.join(site, "data", level + ".json")] if i == 0 else \
        glob.glob(os.path.join(site, "data", level, "*.json"))
    seen = {}
    for f in files:
        for code, r in json.load(open(f)).items():
            if code in seen:
                fail("%s %s is in two files" % (level, code))
            seen[code] = r
            parent = os.path.basename(f)[:-5]
            if i > 0 and r["parent_code"] != parent:
                fail("%s %s filed under %s, its parent is %s" % (level, code, parent, r["parent_code"]))
    if set(seen) != set(truth):
        fail("%s: the site has %d areas, the store %d" % (level, len(seen), len(truth)))
    for code, r in seen.items():
        t = truth.get(code, {})
        counts = [k for k in t if k not in ("code", "poverty_rate")]
        hidden = [k for k in counts if r.get(k) is None and t[k] is not None]
        for k in counts:
            v = r.get(k)
            if v is not None and v != t[k]:
                fail("%s %s %s: site %s, store %s" % (level, code, k, v, t[k]))
            if v is not None and 0 < v < min_count:
                fail("%s %s %s: a small count (%s) is published" % (level, code, k, v))
        if hidden and r.get("suppressed") != 1:
            fail("%s %s: cells hidden (%s) but not flagged suppressed" % (level, code, hidden))
        if r.get("poverty_rate") is not None and abs(r["poverty_rate"] - t["poverty_rate"]) > 5.01e-5:
            fail("%s %s rate: site %s, store %s" % (level, code, r["poverty_rate"], t["poverty_rate"]))
        # Its parents, provinsi first, as the store's tables chain them.
        chain, up = [], t and store.execute("SELECT parent_code FROM %s WHERE code = ?" % level, (code,)).fetchone()[0]
        for parent_level in reversed(LEVELS[:i]):
            name = store.execute("SELECT name, parent_code FROM %s WHERE code = ?" % parent_level, (up,)).fetchone()
            chain.insert(0, [up, name[0]])
            up = name[1]
        if r.get("parents") != chain:
            fail("%s %s: parents %s, the store %s" % (level, code, r.get("parents"), chain))
        r["_hidden"] = {k: t[k] for k in hidden}
        r["_level"] = i
    records[level] = seen

# ---------------------------------------------------------------- the tiles: GDAL's reader
for i, level in enumerate(LEVELS):
    meta = site_json["levels"][i]
    folder = os.path.join(site, "tiles", level)
    for f in glob.glob(os.path.join(folder, "*", "*", "*.pbf")):
        if os.path.getsize(f) > 500000:
            fail("%s: %d bytes, over 500 KB" % (f, os.path.getsize(f)))
    ds = gdal.OpenEx(os.path.join(folder, str(meta["tile_max"])), gdal.OF_VECTOR)  # a zoom's folder: every tile
    if ds is None:
        fail("%s: GDAL cannot read the tiles" % folder)
        continue
    for name in ("area", "label"):
        layer = ds.GetLayerByName(name)
        if layer is None:
            fail("%s: no %s layer in the tiles" % (level, name))
            continue
        defn = layer.GetLayerDefn()
        fields = {defn.GetFieldDefn(k).GetName() for k in range(defn.GetFieldCount())}
        if fields - TILE_FIELDS:
            fail("%s/%s tiles carry %s beyond %s" % (level, name, fields - TILE_FIELDS, TILE_FIELDS))
        codes = set()
        for feat in layer:
            code = feat.GetField("code")
            codes.add(code)
            r = records[level].get(code)
            rate = feat.GetField("rate") if feat.IsFieldSetAndNotNull("rate") else None
            want = r.get("poverty_rate") if r else None
            if (rate is None) != (want is None) or (rate is not None and abs(rate - want) > 1e-6):
                fail("%s %s in the tiles: rate %s, the public summary %s" % (level, code, rate, want))
        if codes != set(records[level]):
            fail("%s/%s at zoom %d: %d areas, %d expected (missing %s)" % (level, name, meta["tile_max"], len(codes),
                 len(records[level]), sorted(set(records[level]) - codes)[:5]))

# ---------------------------------------------------------------- public files, nothing personal
for root, dirs, files in os.walk(site):
    for d in dirs:
        mode = stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode)
        if mode & 0o005 != 0o005:
            fail("%s: mode %o, a public site reads as the umask lets" % (os.path.join(root, d), mode))
    for f in files:
        mode = stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode)
        if mode & 0o004 == 0:
            fail("%s: mode %o" % (os.path.join(root, f), mode))
gpkg = ogr.Open(os.path.join(site, site_json["gpkg"]))
names = [gpkg.GetLayer(k).GetName() for k in range(gpkg.GetLayerCount())]
if "households" in names or set(LEVELS) - set(names):
    fail("the public GeoPackage's layers: %s" % names)
for level in LEVELS:
    with open(os.path.join(site, "unduh", "ringkasan-%s.csv" % level), encoding="utf-8-sig") as f:
        rows = f.read().splitlines()
    if len(rows) - 1 != len(records[level]):
        fail("ringkasan-%s.csv: %d rows, %d areas" % (level, len(rows) - 1, len(records[level])))

# ---------------------------------------------------------------- what the browser should find
# A big kelurahan, and a point inside it at least 300 m from its label (the label sits at its
# point on surface), computed from the store's own polygon by OGR/GEOS.
src = ogr.Open(store_path)


def target_in(level, away):
    """The largest area of the level with a published rate, and a point inside it `away`
    degrees from its edge and its label, with what the browser should show of it."""
    best = None
    for feat in src.GetLayerByName(level):
        r = records[level].get(feat.GetField("code"))
        g = feat.GetGeometryRef()
        if r and r.get("poverty_rate") is not None and (best is None or g.GetArea() > best[1].GetArea()):
            best = (r, g.Clone())
    r, geom = best
    inside = geom.Buffer(-away).Difference(geom.PointOnSurface().Buffer(away)).PointOnSurface()
    parent = records[LEVELS[LEVELS.index(level) - 1]].get(r["parent_code"], {})
    return {"code": r["code"], "name": r["name"], "households": r["households"], "colour": colour_of(r["poverty_rate"]),
            "lonlat": [inside.GetX(), inside.GetY()], "parents": [p[1] for p in r["parents"]],
            "parent_colour": colour_of(parent["poverty_rate"]) if parent.get("poverty_rate") is not None else None}


suppressed = next((r for lv in ("kelurahan", "kecamatan") for r in records[lv].values()
                   if r.get("suppressed") == 1 and r["_hidden"]), None)
if suppressed is None:
    fail("no suppressed area with hidden cells in the sample: the test needs one")
expect = {
    "classes": classes,
    "method": store.execute("SELECT value FROM classify_meta WHERE key = 'method'").fetchone()[0],
    "nodata": site_json["nodata_colour"],
    "target": target_in("kelurahan", 0.004),
    "sls": target_in("sls", 0.0006) if has_sls else None,
    "suppressed": suppressed and {"code": suppressed["code"], "name": suppressed["name"], "level": suppressed["_level"],
                                  "parent": suppressed.get("parent_code"), "hidden": suppressed["_hidden"]},
}
json.dump(expect, open(out, "w"), indent=1)
print("oracle: %d areas checked, %d failures" % (sum(len(v) for v in records.values()), len(failures)))
sys.exit(1 if failures else 0)
