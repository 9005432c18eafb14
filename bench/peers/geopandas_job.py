"""The GeoPandas peer of bench/run: the whole job in one script, as an analyst would write it.

  geopandas_job.py HOUSEHOLDS.csv BOUNDARIES.gpkg OUT.gpkg WITHIN.txt

Reads the households, joins them to the kelurahan (sjoin, within), dissolves kecamatan by the
first 7 digits of the code, computes welfare per head, desil over the whole file, the class
by desil and the rank in the kelurahan, and writes the three layers to OUT.gpkg; WITHIN.txt
gets "household_id kelurahan_code" for each household strictly inside a kelurahan.
Run with Debian's /usr/bin/python3.
"""
import sys

import geopandas as gpd
import numpy as np
import pandas as pd

CLASSES = {1: "sangat miskin", 2: "miskin", 3: "rentan miskin", 4: "rentan miskin"}


def to_float(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return np.nan
    return value if np.isfinite(value) else np.nan


def main(csv, boundaries, out, within_path):
    # The coordinates as text, parsed by Python's correctly rounded float(): a column with a
    # broken value is read as text, and pandas' own conversion of it is not correctly rounded
    # (a point on a shared vertex would move by a last bit into one of the polygons).
    frame = pd.read_csv(csv, dtype={"id_keluarga": str, "lintang": str, "bujur": str}, on_bad_lines="skip")
    for column in ("lintang", "bujur"):
        frame[column] = frame[column].map(to_float)
    for column in ("jumlah_art", "pengeluaran_bulanan"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    frame = frame[frame["lintang"].notna() & frame["bujur"].notna()]
    households = gpd.GeoDataFrame(
        frame[["id_keluarga", "jumlah_art", "pengeluaran_bulanan"]],
        geometry=gpd.points_from_xy(frame["bujur"], frame["lintang"]), crs=4326)
    kel = gpd.read_file(boundaries, layer="kelurahan")[["kode_kel", "nama_kel", "geometry"]]
    joined = gpd.sjoin(households, kel[["kode_kel", "geometry"]], how="left", predicate="within")
    # Where neighbours overlap, the smallest code, as regsosek-geo's rule says.
    joined = joined.sort_values("kode_kel", kind="stable")
    joined = joined[~joined.index.duplicated(keep="first")].sort_index().drop(columns="index_right")
    joined.loc[joined["kode_kel"].notna(), ["id_keluarga", "kode_kel"]].to_csv(
        within_path, sep=" ", header=False, index=False)
    # Shapely 1.8 has no make_valid; buffer(0) is the usual repair, without which the
    # dissolve stops on a bow-tie desa.
    invalid = ~kel.is_valid
    kel.loc[invalid, "geometry"] = kel.loc[invalid, "geometry"].buffer(0)
    kel["kec"] = kel["kode_kel"].str[:7]
    kec = kel[["kec", "geometry"]].dissolve(by="kec").reset_index()
    # Each upper level from the one below, as regsosek-geo makes them.
    kec["kab"] = kec["kec"].str[:4]
    kab = kec[["kab", "geometry"]].dissolve(by="kab").reset_index()
    kab["prov"] = kab["kab"].str[:2]
    prov = kab[["prov", "geometry"]].dissolve(by="prov").reset_index()

    size = joined["jumlah_art"].where(joined["jumlah_art"] > 0)
    joined["welfare"] = joined["pengeluaran_bulanan"] / size
    n = joined["welfare"].notna().sum()
    below = joined["welfare"].rank(method="min") - 1
    joined["desil"] = (below * 10 // n + 1).astype("Int64")
    joined["poverty_class"] = joined["desil"].map(lambda d: CLASSES.get(d, "tidak miskin") if pd.notna(d) else None)
    joined["welfare_rank"] = (joined.sort_values(["welfare", "id_keluarga"])
                              .groupby("kode_kel").cumcount() + 1).where(joined["welfare"].notna())
    counts = pd.crosstab(joined["kode_kel"], joined["poverty_class"].fillna("unclassified"))
    counts["households"] = counts.sum(axis=1)
    kelurahan = kel.merge(counts, left_on="kode_kel", right_index=True, how="left")
    kecamatan = kec.merge(counts.groupby(counts.index.str[:7]).sum(), left_on="kec", right_index=True, how="left")
    kabkota = kab.merge(counts.groupby(counts.index.str[:4]).sum(), left_on="kab", right_index=True, how="left")
    provinsi = prov.merge(counts.groupby(counts.index.str[:2]).sum(), left_on="prov", right_index=True, how="left")

    joined.rename(columns={"id_keluarga": "household_id", "kode_kel": "kelurahan_code"}).to_file(
        out, layer="households", driver="GPKG")
    kelurahan.to_file(out, layer="kelurahan", driver="GPKG")
    kecamatan.to_file(out, layer="kecamatan", driver="GPKG")
    kabkota.to_file(out, layer="kabkota", driver="GPKG")
    provinsi.to_file(out, layer="provinsi", driver="GPKG")


if __name__ == "__main__":
    main(*sys.argv[1:5])
