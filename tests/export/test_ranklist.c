#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "io/io.h"
#include "support.h"
#include "export/export.h"

/* Oebobo: welfare per head H03 0, H01 1M, H02 1M (tie: by id), H06 3M; H04 has no
 * spending and H05 no members, so they close the list unranked. */
static rg_store *ranked_store(rg_ctx *ctx)
{
    return classified_store_from(ctx, "rank.sqlite", write_tmp("rank.csv", "id,lat,lon,jumlah_art,pengeluaran,alamat\n"
                                            "H01,-10.16893,123.60105,1,1000000,\"Jl. A, No. 1\"\n"
                                            "H02,-10.16894,123.60106,2,2000000,\n"
                                            "H03,-10.16895,123.60107,3,0,\n"
                                            "H04,-10.16896,123.60108,1,,\n"
                                            "H05,-10.16897,123.60109,0,500000,\n"
                                            "H06,-10.16898,123.60110,1,3000000,\n"));
}

Test(io_ranklist, poorest_first_then_the_unranked)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = ranked_store(ctx);
    const char *out = tmp_path("oebobo.csv");
    int64_t n = 0;
    /* Oebobo by its Kemendagri code. */
    cr_assert_eq(rg_export_ranklist_write(store, "53.71.04.1001", out, 0, &n), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(n, 6);
    cr_assert_eq(run("test \"$(cut -d, -f1,2 '%s' | tr '\\n' ' ')\" ="
                     " 'welfare_rank,household_id 1,H03 2,H01 3,H02 4,H06 ,H04 ,H05 '",
                     out),
                 0);
    /* The list holds no personal column besides the id: no address. */
    cr_assert_neq(run("grep -q 'Jl. A' '%s'", out), 0);
    cr_assert_eq(rg_export_ranklist_write(store, "5371030009", out, 0, &n), RG_EEXIST);
    cr_assert_eq(rg_export_ranklist_write(store, "5371999999", tmp_path("none.csv"), 0, &n), RG_ENOTFOUND);
    int64_t files = 0;
    const char *folder = tmp_path("forum");
    cr_assert_eq(rg_export_ranklist_write_all(store, folder, 0, &files), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(files, 51);
    cr_assert_eq(run("test $(wc -l < '%s/5371030009-Oebobo.csv') -eq 7", folder), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(io_ranklist, needs_classes)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "unranked.sqlite");
    cr_assert_eq(rg_export_ranklist_write(store, "5371030009", tmp_path("x.csv"), 0, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no households loaded yet"), "%s", rg_ctx_errmsg(ctx));
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Ids that a spreadsheet would run as formulas stay inert text (python's csv reader is the
 * independent reader: no cell it reads opens with = + - @), and numbers read as numbers. */
Test(io_ranklist, formula_looking_ids_stay_text)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store_from(ctx, "formula.sqlite",
                                            write_tmp("formula.csv", "id,lat,lon,jumlah_art,pengeluaran\n"
                                                                     "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
                                                                     "-10.16893,123.60105,1,1000000\n"
                                                                     "+6281234,-10.16894,123.60106,2,2000000\n"
                                                                     "-5,-10.16895,123.60107,3,3000000\n"
                                                                     "@SUM(A1),-10.16896,123.60108,1,4000000\n"));
    const char *out = tmp_path("formula-list.csv");
    cr_assert_eq(rg_export_ranklist_write(store, "5371030009", out, 0, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    const char *reader = write_tmp("read_list.py",
                                   "import csv, sys\n"
                                   "rows = list(csv.DictReader(open(sys.argv[1], newline='')))\n"
                                   "ids = sorted(r['household_id'] for r in rows)\n"
                                   "want = sorted([\"'=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\", \"'+6281234\", \"'-5\","
                                   " \"'@SUM(A1)\"])\n"
                                   "assert ids == want, ids\n"
                                   "assert sorted(r['spending'] for r in rows)[0] == '1000000', rows\n"
                                   "assert all(c[:1] not in '=+-@' for r in rows for c in r.values() if c), rows\n");
    cr_assert_eq(run("python3 '%s' '%s'", reader, out), 0, "ids or numbers read back wrong");
    cr_assert_eq(rg_export_looks_like_formula("=1+1"), 1);
    cr_assert_eq(rg_export_looks_like_formula("KPG-000001"), 0);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
