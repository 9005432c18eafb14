#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo check [EXPORT.gpkg] [--db FILE]\n"
           "       regsosek-geo check PG:\"dbname=... host=... user=...\" [--schema NAME]\n\n"
           "Re-verifies the working database: every input row loaded or rejected, no household id\n"
           "twice, a sound spatial index, households = within + boundary + nearest + code + unmatched,\n"
           "households placed by code in the kelurahan their code names, class counts per kelurahan\n"
           "(with and without a point) and its desil counts, and each level's totals (kecamatan,\n"
           "kab/kota, provinsi) = the sums of the level below. With EXPORT.gpkg, also that the\n"
           "export matches the database (only its own area when it was written with --only).\n"
           "With PG:..., verifies a PostGIS publication on its own: each published area holds the\n"
           "households its latest publication counted, each level the sum of the one below, every row\n"
           "in a published area; and says which run each area's rows are from.\n"
           "Prints one line per check on stdout; exit status 1 when any check fails.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --schema NAME         with PG:, the schema of the publication (default regsosek)\n");
}

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli;
    if (opt != OPT_SCHEMA)
        return 0;
    *(const char **)opts = arg;
    return 1;
}

static void print_check(const char *check, int64_t violations, void *userdata)
{
    (void)userdata;
    if (violations)
        printf("FAIL  %s: %lld violations\n", check, (long long)violations);
    else
        printf("ok    %s\n", check);
}

int cmd_check(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *schema = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, &schema, &db);
    if (status >= 0)
        return status;
    if (argc - optind > 1)
        return cli_usage_error(cli, "takes at most one EXPORT.gpkg");
    int failed = 0;
    if (optind < argc && rg_export_is_postgis(argv[optind])) {
        /* A password in the string or a bad --schema: usage errors, as export has them. */
        int rc = rg_export_pg_target_check(cli->ctx, argv[optind], schema);
        if (rc == RG_EINVAL)
            return cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
        if (rc == RG_OK)
            rc = rg_export_postgis_check(cli->ctx, argv[optind], schema, print_check, NULL, &failed);
        if (rc != RG_OK)
            return cli_fail(cli, rc);
        if (failed)
            fprintf(stderr, "regsosek-geo: check: %d checks failed\n", failed);
        return failed ? EXIT_FAIL : EXIT_OK;
    }
    if (schema)
        return cli_usage_error(cli, "--schema goes with a PG: database");
    rg_store *store = NULL;
    if ((status = cli_open_existing_store(cli, db, &store)) != EXIT_OK)
        return status;
    int rc = rg_check_run(store, optind < argc ? argv[optind] : NULL, print_check, NULL, &failed);
    if (rc != RG_OK)
        status = cli_fail(cli, rc);
    else if (failed) {
        fprintf(stderr, "regsosek-geo: check: %d checks failed\n", failed);
        status = EXIT_FAIL;
    }
    rg_io_store_free(store);
    return status;
}
