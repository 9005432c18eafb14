"""The GeoPandas peer of bench/join-bench.sh: sjoin(points, kelurahan, predicate='within').

Prints `read_s` and `join_s` (seconds of each phase), `within` (points inside a polygon,
each counted once) and `peak_mb` (this process's peak resident memory). Run with Debian's
/usr/bin/python3.
"""
import resource
import sys
import time

import geopandas as gpd
import pandas as pd


def main(points_csv, boundaries):
    started = time.perf_counter()
    # pandas' default float parser is not correctly rounded: a point exactly on a shared
    # vertex would move by a last bit into one of the polygons.
    frame = pd.read_csv(points_csv, dtype={"id": str}, float_precision="round_trip")
    points = gpd.GeoDataFrame(frame[["id"]], geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)
    del frame
    kelurahan = gpd.read_file(boundaries, layer="kelurahan")[["kode_kel", "geometry"]]
    read_done = time.perf_counter()
    joined = gpd.sjoin(points, kelurahan, how="left", predicate="within")
    join_done = time.perf_counter()
    print(f"read_s {read_done - started:.3f}")
    print(f"join_s {join_done - read_done:.3f}")
    print(f"within {joined.index[joined['kode_kel'].notna()].nunique()}")
    print(f"peak_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
