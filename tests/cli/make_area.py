#!/usr/bin/python3
"""Makes another kab/kota out of the sample, for the PostGIS tests: its boundaries and its
households moved east by DX degrees, every code's first four digits (provinsi and kab/kota)
made NEWKAB's, every household id given a prefix of its own.

usage: make_area.py BOUNDARIES.gpkg HOUSEHOLDS.csv NEWKAB DX OUT.gpkg OUT.csv
"""
import csv
import subprocess
import sys

src_gpkg, src_csv, kab, dx, out_gpkg, out_csv = sys.argv[1:]
dotted = kab[:2] + "." + kab[2:]
for layer, code in (("kecamatan", "kode_kec"), ("kelurahan", "kode_kel")):
    extra = ", nama_kec, nama_kab || ' ' || '%s' AS nama_kab, nama_prov, '%s' || substr(kode_kec, 5) AS kode_kec" % (kab, kab) \
        if layer == "kelurahan" else ", nama_kec"
    name = "nama_kel, " if layer == "kelurahan" else ""
    sql = ("SELECT '%s' || substr(%s, 5) AS %s, '%s' || substr(kode_kemendagri, 6) AS kode_kemendagri, %s"
           "ST_Translate(geom, %s, 0, 0) AS geom%s FROM %s" % (kab, code, code, dotted, name, dx, extra, layer))
    subprocess.run(["ogr2ogr", "-f", "GPKG", out_gpkg, src_gpkg, "-dialect", "SQLite", "-sql", sql, "-nln", layer,
                    "-nlt", "MULTIPOLYGON"] + (["-update"] if layer == "kelurahan" else []), check=True)
with open(src_csv, newline="") as f, open(out_csv, "w", newline="") as g:
    rows = csv.reader(f)
    out = csv.writer(g, lineterminator="\n")
    header = next(rows)
    out.writerow(header)
    at = {name: i for i, name in enumerate(header)}
    for row in rows:
        if len(row) != len(header):  # the sample's malformed rows stay as they are: rejected alike
            out.writerow(row)
            continue
        row[at["id_keluarga"]] = kab + "-" + row[at["id_keluarga"]]
        if row[at["bujur"]]:
            row[at["bujur"]] = "%.6f" % (float(row[at["bujur"]]) + float(dx))
        code = row[at["kode_wilayah"]]
        if "." in code and len(code) >= 5:
            row[at["kode_wilayah"]] = dotted + code[5:]
        elif len(code) >= 4:
            row[at["kode_wilayah"]] = kab + code[4:]
        out.writerow(row)
