/*
 * The web map's library side: what rg_web_check() refuses before any work, what a write does
 * to the folders around it, and that its counts are the store's (sqlite3 on the store and the
 * area files, SQL and string search, none of the module's readers). The page itself is tested
 * in Chromium by tests/cli/web.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"
#include "web/web.h"

static const char households[] =
    "id_keluarga,lintang,bujur,jumlah_art,pengeluaran_bulanan,kode_wilayah\n"
    "KPG-SECRET-1,-10.1600,123.6000,4,2000000,5371010001\n"
    "KPG-SECRET-2,-10.1700,123.6100,3,1500000,5371010002\n"
    "KPG-SECRET-3,-10.1650,123.6050,5,900000,5371010002\n";

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

Test(web, refuses_what_it_must_not_replace_before_any_work)
{
    rg_ctx *ctx = test_ctx();
    rg_web_opts o = RG_WEB_OPTS_INIT;
    const char *file = write_tmp("web-a-file", "x");
    cr_assert_eq(rg_web_check(ctx, file, &o), RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "not a folder"), "%s", rg_ctx_errmsg(ctx));

    const char *folder = tmp_path("web-thesis");
    cr_assert_eq(run("mkdir '%s' && echo precious > '%s/thesis.txt'", folder, folder), 0);
    cr_assert_eq(rg_web_check(ctx, folder, &o), RG_EEXIST);
    o.overwrite = 1;
    cr_assert_eq(rg_web_check(ctx, folder, &o), RG_EINVAL, "a folder of other things is not replaced");
    cr_assert(strstr(rg_ctx_errmsg(ctx), "holds no web map of regsosek-geo"), "%s", rg_ctx_errmsg(ctx));

    const char *empty = tmp_path("web-empty");
    cr_assert_eq(run("mkdir '%s'", empty), 0);
    cr_assert_eq(rg_web_check(ctx, empty, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_web_check(ctx, tmp_path("web-new"), &o), RG_OK);

    o.basemap = "https://tile.example.org/{z}/{x}/{y}.png";
    cr_assert_eq(rg_web_check(ctx, empty, &o), RG_EINVAL, "a basemap without its credit");
    o.basemap_credit = "© Example";
    cr_assert_eq(rg_web_check(ctx, empty, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    const char *bad[] = {"ftp://x/{z}/{x}/{y}.png", "https://x/{z}/{x}.png", "https://x/\"{z}/{x}/{y}",
                         "javascript:alert(1)//{z}{x}{y}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.basemap = bad[i];
        cr_assert_eq(rg_web_check(ctx, empty, &o), RG_EINVAL, "basemap %s accepted", bad[i]);
    }
    rg_ctx_free(ctx);
}

Test(web, writes_nothing_for_a_store_not_classified)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = test_store(ctx, "web-unclassified.sqlite");
    const char *site = tmp_path("web-unclassified-site");
    rg_web_opts o = RG_WEB_OPTS_INIT;
    cr_assert_eq(rg_web_write(store, site, &o), RG_EDATA);
    cr_assert(!is_dir(site));
    cr_assert_eq(run("ls -a \"$(dirname '%s')\" | grep -q 'web-unclassified-site.partial'", site), 1,
                 "a working folder left");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}

/* Three households in two kelurahan: every count of the site's kelurahan is 1 to 4, so each is
 * hidden; the kecamatan's total (3) too. The site holds the areas, never a number from 1 to 4. */
Test(web, a_tiny_store_publishes_no_small_count)
{
    rg_ctx *ctx = test_ctx();
    rg_store *store = classified_store_from(ctx, "web-tiny.sqlite", write_tmp("web-tiny.csv", households));
    const char *site = tmp_path("web-tiny-site");
    rg_web_opts o = RG_WEB_OPTS_INIT;
    cr_assert_eq(rg_web_write(store, site, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert(is_dir(site));
    long long kelurahan = sql_int(store, "SELECT count(*) FROM kelurahan");
    cr_assert_eq(run("test $(cat '%s'/data/kelurahan/*.json | grep -o '\"code\":' | wc -l) -eq %lld", site, kelurahan), 0,
                 "every kelurahan has its record");
    cr_assert_eq(run("grep -rhoE '\"(households|sangat_miskin|miskin|rentan_miskin|tidak_miskin|with_point|"
                     "without_point|desil_[0-9]+|pkh|sembako|pbi_jk)\":[1-4],' '%s/data' '%s/search.json'",
                     site, site),
                 1, "a count from 1 to 4 is published");
    long long lived_in = sql_int(store, "SELECT count(*) FROM kelurahan_summary WHERE households > 0");
    cr_assert_gt(lived_in, 0);
    cr_assert_eq(run("test $(cat '%s'/data/kelurahan/*.json | grep -o '\"households\":null' | wc -l) -eq %lld", site,
                     lived_in),
                 0, "each kelurahan with households shows them hidden");
    cr_assert_eq(run("grep -rq 'KPG-SECRET' '%s'", site), 1, "a household id in the site");
    /* Written again over itself: the previous site is exchanged, nothing left beside it. */
    o.overwrite = 1;
    cr_assert_eq(rg_web_write(store, site, &o), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(run("ls -a \"$(dirname '%s')\" | grep -q 'web-tiny-site.partial'", site), 1, "a folder left beside");
    rg_io_store_free(store);
    rg_ctx_free(ctx);
}
