"""Checks GeoJSON files against the rules of RFC 7946 that a writer can break.

usage: check_rfc7946.py FILE...   (.geojson: one FeatureCollection; .geojsonl/.geojsons:
one Feature per line, RS-prefixed for .geojsons). Exit status 0 when every rule holds.
Rules: no "crs" member (section 4); positions are [lon, lat] within WGS84 bounds with at
most 7 decimals as written here; linear rings closed with at least four positions;
polygon exterior rings counterclockwise and holes clockwise (section 3.1.6, right-hand
rule); Feature objects with "type", "geometry" and "properties" (section 3.2).
"""
import json
import sys

problems = []


def fail(where, message):
    problems.append("%s: %s" % (where, message))


def ring_area(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2


def check_position(where, p):
    if not (isinstance(p, list) and len(p) in (2, 3) and all(isinstance(v, (int, float)) for v in p)):
        fail(where, "bad position %r" % (p,))
        return
    if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
        fail(where, "position %r outside WGS84 lon/lat" % (p,))
    for v in p[:2]:
        if round(v, 7) != v:
            fail(where, "more than 7 decimals in %r" % v)


def check_polygon(where, rings):
    for k, ring in enumerate(rings):
        for p in ring:
            check_position(where, p)
        if len(ring) < 4 or ring[0] != ring[-1]:
            fail(where, "ring %d not closed or too short" % k)
            continue
        area = ring_area(ring)
        if k == 0 and area <= 0:
            fail(where, "exterior ring is not counterclockwise")
        if k > 0 and area >= 0:
            fail(where, "hole %d is not clockwise" % k)


def check_feature(where, f):
    if f.get("type") != "Feature" or "geometry" not in f or "properties" not in f:
        fail(where, "not a Feature with geometry and properties")
        return
    g = f["geometry"]
    if g is None:
        return
    t, c = g.get("type"), g.get("coordinates")
    if t == "Point":
        check_position(where, c)
    elif t == "Polygon":
        check_polygon(where, c)
    elif t == "MultiPolygon":
        for poly in c:
            check_polygon(where, poly)
    else:
        fail(where, "unexpected geometry type %s" % t)


def main():
    checked = 0
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if path.endswith((".geojsonl", ".geojsons")):
            for n, line in enumerate(text.splitlines(), 1):
                line = line.lstrip("\x1e")
                if line.strip():
                    check_feature("%s:%d" % (path, n), json.loads(line))
                    checked += 1
            continue
        doc = json.loads(text)
        if doc.get("type") != "FeatureCollection":
            fail(path, "not a FeatureCollection")
            continue
        if "crs" in doc:
            fail(path, "has a crs member, which RFC 7946 removed")
        for n, f in enumerate(doc["features"]):
            check_feature("%s: feature %d" % (path, n), f)
            checked += 1
    for p in problems[:20]:
        print("FAIL:", p)
    if problems:
        sys.exit(1)
    if checked == 0:
        print("FAIL: no features checked")
        sys.exit(1)
    print("ok: %d features in %d files follow RFC 7946" % (checked, len(sys.argv) - 1))


if __name__ == "__main__":
    main()
