/*
 * Eleven households on the real Kupang boundaries, classes worked out by hand:
 * welfare = spending / size over the 9 usable households; desil = below * 10 / 9 + 1.
 *   H03 0 -> desil 1 sangat miskin; M01 800k -> 2 miskin; H01, H02 1M (tie) -> 3 rentan
 *   miskin; H06..H10 3M..7M -> 5..9 tidak miskin; H04 (no spending) and H05 (size 0)
 *   unclassified.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "support.h"
#include "export/export.h"

static const char households[] =
    "id,lat,lon,jumlah_art,pengeluaran,kelas\n"
    "H01,-10.16893,123.60105,1,1000000,Miskin\n"
    "H02,-10.16894,123.60106,2,2000000,SM\n"
    "H03,-10.16895,123.60107,3,0,hampir miskin\n"
    "H04,-10.16896,123.60108,1,,4\n"
    "H05,-10.16897,123.60109,0,500000,kaya\n"
    "H06,-10.16898,123.60110,1,3000000,\n"
    "H07,-10.16899,123.60111,1,4000000,1\n"
    "H08,-10.16900,123.60112,1,5000000,1\n"
    "H09,-10.16901,123.60113,1,6000000,1\n"
    "H10,-10.16902,123.60114,1,7000000,1\n"
    "M01,-10.17038,123.58047,1,800000,1\n";

static rg_store *joined_store(rg_ctx *ctx)
{
    rg_store *store = test_store(ctx, "classify.sqlite");
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, write_tmp("hh.csv", households), NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 11);
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    return store;
}

static const char *field_of(rg_store *store, const char *field, const char *id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM households WHERE household_id = '%s'", field, id);
    return sql_text(store, sql);
}

Test(classify, desil_classes_ranks_and_summaries)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = joined_store(ctx);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_default(&rules), RG_OK);
    rg_classify_report r;
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.households, 11);
    cr_assert_eq(r.classified, 9);
    cr_assert_eq(r.unclassified, 2);
    const struct {
        const char *id, *desil, *cls, *rank;
    } expect[] = {
        {"H03", "1", "sangat miskin", "1"}, {"M01", "2", "miskin", "1"},       {"H01", "3", "rentan miskin", "2"},
        {"H02", "3", "rentan miskin", "3"}, {"H06", "5", "tidak miskin", "4"}, {"H07", "6", "tidak miskin", "5"},
        {"H08", "7", "tidak miskin", "6"},  {"H09", "8", "tidak miskin", "7"}, {"H10", "9", "tidak miskin", "8"},
        {"H04", "", "", ""},                {"H05", "", "", ""},
    };
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        cr_assert_str_eq(field_of(store, "desil", expect[i].id), expect[i].desil, "%s desil", expect[i].id);
        cr_assert_str_eq(field_of(store, "poverty_class", expect[i].id), expect[i].cls, "%s class", expect[i].id);
        cr_assert_str_eq(field_of(store, "welfare_rank", expect[i].id), expect[i].rank, "%s rank", expect[i].id);
    }
    cr_assert_str_eq(sql_text(store, "SELECT households || ' ' || sangat_miskin || ' ' || miskin || ' ' ||"
                                     " rentan_miskin || ' ' || tidak_miskin || ' ' || unclassified"
                                     " FROM kelurahan_summary WHERE code = '5371030009'"),
                     "10 1 0 2 5 2");
    cr_assert_str_eq(sql_text(store, "SELECT households || ' ' || miskin FROM kecamatan_summary WHERE code = '5371010'"),
                     "1 1");
    cr_assert_eq(sql_int(store, "SELECT sum(households) FROM kecamatan_summary"), 11);
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(classify, given_classes_are_normalised_and_bad_ones_listed)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = joined_store(ctx);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("given.ini", "[classify]\nmethod = given\n")), RG_OK);
    rg_classify_report r;
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(field_of(store, "poverty_class", "H01"), "miskin");
    cr_assert_str_eq(field_of(store, "poverty_class", "H02"), "sangat miskin");
    cr_assert_str_eq(field_of(store, "poverty_class", "H03"), "rentan miskin");
    cr_assert_str_eq(field_of(store, "poverty_class", "H04"), "tidak miskin");
    cr_assert_eq(r.unreadable_classes, 2);
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(household_id || ':' || coalesce(value, '-') || ':' || source_line)"
                                     " FROM (SELECT * FROM classify_issues ORDER BY household_id)"),
                     "H05:kaya:6,H06:-:7");
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* A DTSEN extract: a national desil in the forms extracts write it, a national rank for some,
 * no spending. In kelurahan 5371030009, worked by hand: by desil, then rank (none or unreadable
 * last), then id: G05 (1, 15), G02 (2, 120), G09 (2, 'abc'), G04 (3, 2900), G01 (3, 3000),
 * G03 (3, none), G10 (5), G06 (10); G07 (11) and G08 (none) unclassified. */
static const char dtsen[] =
    "id_keluarga,lat,lon,desil_nasional,peringkat\n"
    "G01,-10.16893,123.60105,Desil 3,3000\n"
    "G02,-10.16894,123.60106,2,120\n"
    "G03,-10.16895,123.60107,03,\n"
    "G04,-10.16896,123.60108,3.0,2900\n"
    "G05,-10.16897,123.60109,d1,15\n"
    "G06,-10.16898,123.60110,10,\n"
    "G07,-10.16899,123.60111,11,7\n"
    "G08,-10.16900,123.60112,,8\n"
    "G09,-10.16901,123.60113,2,abc\n"
    "G10,-10.16902,123.60114,desil_5,50000\n"
    "M01,-10.17038,123.58047,4,100\n";

Test(classify, a_given_national_desil_classes_ranks_and_counts_programmes)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "dtsen.sqlite");
    cr_assert_eq(rg_load_run(store, write_tmp("hh-desil.csv", dtsen), NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("dtsen.ini", "[classify]\nmethod = given_desil\n")),
                 RG_OK, "%s", rg_ctx_errmsg(ctx));
    rg_classify_report r;
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(r.households, 11);
    cr_assert_eq(r.unclassified, 2);
    cr_assert_eq(r.unreadable_desil, 2);
    cr_assert_eq(r.unreadable_ranks, 1);
    const struct {
        const char *id, *desil, *cls, *rank;
    } expect[] = {
        {"G05", "1", "sangat miskin", "1"}, {"G02", "2", "miskin", "2"},        {"G09", "2", "miskin", "3"},
        {"G04", "3", "rentan miskin", "4"}, {"G01", "3", "rentan miskin", "5"}, {"G03", "3", "rentan miskin", "6"},
        {"G10", "5", "tidak miskin", "7"},  {"G06", "10", "tidak miskin", "8"}, {"G07", "", "", ""},
        {"G08", "", "", ""},                {"M01", "4", "rentan miskin", "1"},
    };
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
        cr_assert_str_eq(field_of(store, "desil", expect[i].id), expect[i].desil, "%s desil", expect[i].id);
        cr_assert_str_eq(field_of(store, "poverty_class", expect[i].id), expect[i].cls, "%s class", expect[i].id);
        cr_assert_str_eq(field_of(store, "welfare_rank", expect[i].id), expect[i].rank, "%s rank", expect[i].id);
        cr_assert_str_eq(field_of(store, "coalesce(welfare, '')", expect[i].id), "", "%s: no welfare measured",
                         expect[i].id);
    }
    cr_assert_str_eq(sql_text(store, "SELECT households || ' ' || sangat_miskin || ' ' || miskin || ' ' || rentan_miskin"
                                     " || ' ' || tidak_miskin || ' ' || unclassified || ' ' || desil_2 || ' ' || desil_3"
                                     " || ' ' || desil_10 || ' ' || pkh || ' ' || sembako"
                                     " FROM kelurahan_summary WHERE code = '5371030009'"),
                     "10 1 2 3 2 2 2 3 1 6 7");
    cr_assert_str_eq(sql_text(store, "SELECT group_concat(household_id || ':' || coalesce(value, '-') || ':' || source_line,"
                                     " ' ') FROM (SELECT * FROM classify_issues ORDER BY household_id)"),
                     "G07:11:8 G08:-:9 G09:abc:10");
    cr_assert_str_eq(sql_text(store, "SELECT value FROM classify_meta WHERE key = 'method'"), "given_desil");
    const char *by = sql_text(store, "SELECT value FROM classify_meta WHERE key = 'desil_given_by'");
    cr_assert(strstr(by, "hh-desil.csv, edisi 20"), "the file and its edition (its date): %s", by);
    cr_assert(strstr(sql_text(store, "SELECT value FROM classify_meta WHERE key = 'poverty_rate'"), "given with each"));
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(classify, needs_a_join_first)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "nojoin.sqlite");
    rg_rules *rules = NULL;
    rg_classify_rules_default(&rules);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "no households loaded yet: run `regsosek-geo load` first"), "%s",
              rg_ctx_errmsg(ctx));
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, write_tmp("nojoin.csv", households), NULL, &s), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "the households are not joined yet: run `regsosek-geo join BOUNDARIES`"),
              "%s", rg_ctx_errmsg(ctx));
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Re-running a step drops what was made from its old results: households appended after
 * a join are not joined, so nothing may be classified or exported until the join is run
 * again, and every message says which step to run. */
Test(classify, an_append_without_a_join_makes_every_later_step_refuse)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = joined_store(ctx);
    rg_rules *rules = NULL;
    rg_classify_rules_default(&rules);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_export_run(store, tmp_path("before.gpkg"), NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));

    rg_load_opts o = RG_LOAD_OPTS_INIT;
    o.mode = RG_LOAD_APPEND;
    rg_load_stats s;
    cr_assert_eq(rg_load_run(store, write_tmp("more.csv", "id,lat,lon,jumlah_art,pengeluaran\nN01,-10.169,123.601,2,900000\n"),
                             &o, &s),
                 RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(s.loaded, 1);
    /* The old answers are gone with the step that made them stale, not left half true. */
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_areas"), 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM household_classes"), 0);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM kelurahan_summary"), 0);

    const char *stale = "households were loaded after the last join: run `regsosek-geo join BOUNDARIES`";
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), stale), "%s", rg_ctx_errmsg(ctx));
    const char *map = tmp_path("after.gpkg");
    cr_assert_eq(rg_export_run(store, map, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), stale), "%s", rg_ctx_errmsg(ctx));
    cr_assert(strstr(rg_ctx_errmsg(ctx), "then `regsosek-geo classify`"), "%s", rg_ctx_errmsg(ctx));
    cr_assert_neq(run("test -e '%s'", map), 0, "a refused export wrote %s", map);
    cr_assert_eq(rg_export_ranklist_write(store, "5371030009", tmp_path("list.csv"), 0, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), stale), "%s", rg_ctx_errmsg(ctx));

    /* After the join, classify is what is missing, and then everything goes again. */
    rg_join_report jr;
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, &jr), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(jr.households, 12);
    cr_assert_eq(rg_export_run(store, map, NULL), RG_EDATA);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "not classified since their last join: run `regsosek-geo classify`"), "%s",
              rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_export_run(store, map, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(field_of(store, "kelurahan_code", "N01"), "5371030009");
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

static void collect_total(const rg_area_total *t, void *userdata)
{
    char *out = userdata;
    snprintf(out + strlen(out), 200, "%s:%lld/%lld/%lld/%lld/%lld/%lld;", t->code, (long long)t->households,
             (long long)t->by_class[1], (long long)t->by_class[2], (long long)t->by_class[3],
             (long long)t->by_class[4], (long long)t->unclassified);
}

Test(classify, kabkota_totals_sum_the_kecamatan)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = joined_store(ctx);
    rg_rules *rules = NULL;
    rg_classify_rules_default(&rules);
    cr_assert_eq(rg_classify_run(store, rules, NULL), RG_OK);
    char got[512] = "";
    cr_assert_eq(rg_classify_kabkota_totals(store, collect_total, got), RG_OK);
    /* The eleven households by hand: 1 sangat miskin, 1 miskin, 2 rentan, 5 tidak, 2 unclassified. */
    cr_assert_str_eq(got, "5371:11/1/1/2/5/2;");
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* The built-in line for NTT (53) is Rp 460,823: per-capita spending of 300,000 is 0.65 of
 * it (sangat miskin, below 0.75), 345,617.25 is exactly 0.75 (miskin), 400,000 is 0.87
 * (miskin), 460,823 is exactly 1.0 (rentan miskin), 600,000 is 1.30 (rentan miskin) and
 * 700,000 is 1.52 (tidak miskin). */
static rg_store *threshold_store(rg_ctx *ctx)
{
    rg_store *store = test_store(ctx, "threshold.sqlite");
    const char *csv = write_tmp("threshold.csv", "id,lat,lon,jumlah_art,pengeluaran\n"
                                                 "T1,-10.16893,123.60105,1,300000\n"
                                                 "T2,-10.16894,123.60106,4,1382469\n"
                                                 "T3,-10.16895,123.60107,2,800000\n"
                                                 "T4,-10.16896,123.60108,1,460823\n"
                                                 "T5,-10.16897,123.60109,1,600000\n"
                                                 "T6,-10.16898,123.60110,1,700000\n"
                                                 "T7,-10.148,123.58,1,100000\n");
    cr_assert_eq(rg_load_run(store, csv, NULL, NULL), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_geo_join(store, RG_SAMPLE_DIR "/boundaries.gpkg", NULL, NULL), RG_OK);
    return store;
}

static const char *classes_of(rg_store *store)
{
    return sql_text(store, "SELECT group_concat(household_id || ':' || coalesce(poverty_class, '-'), ',')"
                           " FROM (SELECT * FROM households ORDER BY household_id)");
}

Test(classify, threshold_by_the_urban_or_rural_line)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = threshold_store(ctx);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("ur.ini", "[classify]\nmethod = threshold\n"
                                                                          "[poverty_line]\n53 = 460823\n"
                                                                          "53.perkotaan = 300000\n"
                                                                          "53.perdesaan = 600000\n")),
                 RG_OK, "%s", rg_ctx_errmsg(ctx));
    /* T3 spends Rp 400,000 a head: 400/600 = 0.67 of the rural line, 1.33 of the urban
     * one, 0.87 of the line for all. */
    static const struct {
        const char *type, *expected;
    } cases[] = {{"'perdesaan'", "sangat miskin"}, {"'perkotaan'", "rentan miskin"}, {"NULL", "miskin"}};
    for (size_t i = 0; i < 3; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "UPDATE kelurahan SET urban_rural = %s", cases[i].type);
        cr_assert_eq(rg_io_store_exec(store, "test", sql), RG_OK);
        rg_classify_report r;
        cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
        cr_assert_str_eq(field_of(store, "poverty_class", "T3"),
                         cases[i].expected, "%s", cases[i].type);
    }
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

Test(classify, threshold_against_the_poverty_line)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = threshold_store(ctx);
    rg_rules *rules = NULL;
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("t.ini", "[classify]\nmethod = threshold\n")), RG_OK);
    rg_classify_report r;
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_str_eq(classes_of(store), "T1:sangat miskin,T2:miskin,T3:miskin,T4:rentan miskin,T5:rentan miskin,"
                                        "T6:tidak miskin,T7:-");
    cr_assert_eq(r.no_poverty_line, 1, "T7 is out at sea, in no kelurahan");
    cr_assert_str_eq(sql_text(store, "SELECT message FROM classify_issues"), "not in any kelurahan");
    cr_assert_str_eq(sql_text(store, "SELECT desil FROM households WHERE household_id = 'T1'"), "2",
                     "desil are computed for every method");
    rg_classify_rules_free(rules);

    /* A Kota Kupang line overrides the province's: 400,000 / 600,000 = 0.67, sangat miskin. */
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("t2.ini", "[classify]\nmethod = threshold\n"
                                                                          "[poverty_line]\n53 = 460823\n"
                                                                          "53.71 = 600000\n")),
                 RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK);
    cr_assert_str_eq(field_of(store, "poverty_class", "T3"),
                     "sangat miskin");
    rg_classify_rules_free(rules);

    /* An area without a line: unclassified, and listed. */
    cr_assert_eq(rg_classify_rules_read(&rules, ctx, write_tmp("t3.ini", "[classify]\nmethod = threshold\n"
                                                                          "[poverty_line]\n5372 = 500000\n")),
                 RG_OK);
    cr_assert_eq(rg_classify_run(store, rules, &r), RG_OK);
    cr_assert_eq(r.classified, 0);
    cr_assert_eq(r.no_poverty_line, 7);
    cr_assert_eq(sql_int(store, "SELECT count(*) FROM classify_issues WHERE message LIKE 'no poverty line%'"), 6);
    rg_classify_rules_free(rules);
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
