#!/usr/bin/env python3
"""Two DTSEN editions of one household file, and the truth of what changed between them.

    gen_editions.py INPUT.csv EARLIER.csv LATER.csv TRUTH.csv [--seed N] [--move F] [--add F]
                    [--remove F] [--redesil F]

EARLIER is INPUT with a national desil (desil_nasional, as extracts write it: "3", "03",
"Desil 3") and rank (peringkat), ordered by spending per person where INPUT has it. LATER is
EARLIER a quarter on, seeded: a share of households removed, a share moved (the point and code
of a household of another area: a real move, not a boundary), a share re-desilled by 1-3 up or
down, a share added (new ids at the point and code of an existing household), every row in a
new order, as DTSEN extracts come. TRUTH lists each id with what was done: new, gone, moved
or stayed, and the desil in each edition. Standard library only: runs wherever python3 does.
"""
import argparse
import csv
import random

ID = ("id_keluarga", "household_id", "id")
LAT = ("lintang", "latitude", "lat")
LON = ("bujur", "longitude", "lon")
CODE = ("kode_wilayah", "reported_code")
SPENDING = ("pengeluaran_bulanan", "pengeluaran", "spending")
SIZE = ("jumlah_art", "household_size")


def column(header, names):
    for n in names:
        if n in header:
            return header.index(n)
    return None


def desil_text(d, rng):
    """The forms extracts write a desil in, mostly plain."""
    r = rng.random()
    return str(d) if r < 0.8 else ("Desil %d" % d if r < 0.9 else "%02d" % d)


def main():
    ap = argparse.ArgumentParser()
    for name in ("input", "earlier", "later", "truth"):
        ap.add_argument(name)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--move", type=float, default=0.05)
    ap.add_argument("--add", type=float, default=0.04)
    ap.add_argument("--remove", type=float, default=0.03)
    ap.add_argument("--redesil", type=float, default=0.20)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with open(a.input, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    i_id = column(header, ID)
    # Rows a load would reject whatever the edition (the sample keeps some on purpose) are left out.
    # So are the later rows of a repeated id: the load keeps the first.
    seen = set()
    rows = [r for r in rows[1:] if len(r) == len(header) and i_id is not None and r[i_id].strip()
            and not (r[i_id] in seen or seen.add(r[i_id]))]
    i_id, i_lat, i_lon, i_code = (column(header, n) for n in (ID, LAT, LON, CODE))
    i_sp, i_size = column(header, SPENDING), column(header, SIZE)
    if i_id is None or i_code is None:
        raise SystemExit("%s: needs an id and a kode_wilayah column" % a.input)

    def welfare(r):
        try:
            return float(r[i_sp]) / max(1.0, float(r[i_size]))
        except (TypeError, ValueError, IndexError):
            return rng.random() * 1e7

    order = sorted(range(len(rows)), key=lambda k: (welfare(rows[k]), rows[k][i_id]))
    desil, rank = {}, {}
    for pos, k in enumerate(order):
        desil[k] = pos * 10 // len(rows) + 1
        rank[k] = pos + 1
    header_out = header + ["desil_nasional", "peringkat"]
    earlier = [rows[k] + [desil_text(desil[k], rng), str(rank[k])] for k in range(len(rows))]

    truth = {}
    later = []
    for k, r in enumerate(rows):
        hid = r[i_id]
        if rng.random() < a.remove:
            truth[hid] = ("gone", desil[k], "", r[i_code], "")
            continue
        r2 = list(r)
        status = "stayed"
        if rng.random() < a.move:
            donor = rows[rng.randrange(len(rows))]
            for _ in range(50):
                if donor[i_code] != r[i_code]:
                    break
                donor = rows[rng.randrange(len(rows))]
            if donor[i_code] != r[i_code]:
                r2[i_code] = donor[i_code]
                if i_lat is not None:
                    r2[i_lat], r2[i_lon] = donor[i_lat], donor[i_lon]
                status = "moved"
        d = desil[k]
        if rng.random() < a.redesil:
            step = rng.choice((-3, -2, -1, 1, 2, 3))
            d = min(10, max(1, d + step))
            if d == desil[k]:
                d = min(10, max(1, d - step))
        later.append(r2 + [desil_text(d, rng), str(rank[k])])
        truth[hid] = (status, desil[k], d, r[i_code], r2[i_code])
    for n in range(int(round(a.add * len(rows)))):
        donor = rows[rng.randrange(len(rows))]
        r2 = list(donor)
        r2[i_id] = "BARU-%06d" % (n + 1)
        d = rng.randint(1, 10)
        later.append(r2 + [desil_text(d, rng), str(len(rows) + n + 1)])
        truth[r2[i_id]] = ("new", "", d, "", donor[i_code])
    rng.shuffle(later)

    for path, out in ((a.earlier, earlier), (a.later, later)):
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(header_out)
            w.writerows(out)
    with open(a.truth, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["household_id", "status", "old_desil", "new_desil", "old_code", "new_code"])
        for hid in sorted(truth):
            w.writerow([hid, *truth[hid]])


if __name__ == "__main__":
    main()
