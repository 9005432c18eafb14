#!/usr/bin/env python3
"""The compare job in pandas/GeoPandas, as an analyst would write it: both editions' households
read from the exports (pandas over SQLite, the fast way in), matched by id with an outer merge,
each household's status and programme change, counts per area at the four levels, the area
polygons joined and written to a GeoPackage with the changed households.

    compare_geopandas.py EARLIER.gpkg LATER.gpkg OUT.gpkg
The programme is pkh = desil 1-4 (the rules both editions were classified by)."""
import sqlite3
import sys

import geopandas as gpd
import pandas as pd

LEVELS = [("provinsi", "provinsi_code"), ("kabkota", "kabkota_code"), ("kecamatan", "kecamatan_code"),
          ("kelurahan", "kelurahan_code")]
COLS = "household_id, provinsi_code, kabkota_code, kecamatan_code, kelurahan_code, desil, poverty_class_final"


def read(path):
    with sqlite3.connect(path) as db:
        return pd.read_sql("SELECT %s FROM households" % COLS, db)


def main():
    a_path, b_path, out = sys.argv[1:4]
    a, b = read(a_path), read(b_path)
    m = a.merge(b, on="household_id", how="outer", suffixes=("_old", "_new"), indicator=True)
    m["added"] = m["_merge"] == "right_only"
    m["gone"] = m["_merge"] == "left_only"
    both = m["_merge"] == "both"
    m["moved"] = both & (m["kelurahan_code_old"] != m["kelurahan_code_new"])
    m["up"] = both & (m["desil_new"] > m["desil_old"])
    m["down"] = both & (m["desil_new"] < m["desil_old"])
    m["pkh_old"] = m["desil_old"].between(1, 4)
    m["pkh_new"] = m["desil_new"].between(1, 4)
    m["entered"] = m["pkh_new"] & ~m["pkh_old"]
    m["left"] = m["pkh_old"] & ~m["pkh_new"]
    for level, col in LEVELS:
        old, new = col + "_old", col + "_new"
        crossed = m[old] != m[new]
        o = m[m[old].notna()].assign(moved_out=lambda d: d["moved"] & crossed[d.index]).groupby(old).agg(
            households_old=("household_id", "size"), gone=("gone", "sum"), moved_out=("moved_out", "sum"),
            pkh_old=("pkh_old", "sum"), pkh_left=("left", "sum"))
        n = m[m[new].notna()].assign(moved_in=lambda d: d["moved"] & crossed[d.index]).groupby(new).agg(
            households_new=("household_id", "size"), added=("added", "sum"), moved_in=("moved_in", "sum"),
            desil_up=("up", "sum"), desil_down=("down", "sum"), pkh_new=("pkh_new", "sum"),
            pkh_entered=("entered", "sum"))
        counts = o.join(n, how="outer").fillna(0).astype("int64")
        counts["pkh_net"] = counts["pkh_new"] - counts["pkh_old"]
        areas = gpd.read_file(b_path, layer=level)[["code", "name", "geometry"]]
        areas.merge(counts, left_on="code", right_index=True, how="left").to_file(
            out, layer=level + "_change", driver="GPKG")
    changed = m[m["added"] | m["gone"] | m["moved"] | m["up"] | m["down"]].drop(columns="_merge")
    # The points of the later edition, else the earlier (the gone ones).
    pts = []
    for path in (b_path, a_path):
        with sqlite3.connect(path) as db:
            pts.append(pd.read_sql("SELECT household_id, geom FROM households", db))
    pts = pd.concat(pts).drop_duplicates("household_id")
    pts["geometry"] = gpd.GeoSeries.from_wkb(pts["geom"].map(lambda g: g[8:] if g is not None else None))
    changed = changed.merge(pts.drop(columns="geom"), on="household_id", how="left")
    gpd.GeoDataFrame(changed, geometry="geometry", crs="EPSG:4326").to_file(
        out, layer="household_changes", driver="GPKG")


if __name__ == "__main__":
    main()
