#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo join BOUNDARIES [--db FILE] [options]\n\n"
           "Gives every loaded household its kelurahan and kecamatan from the polygons in BOUNDARIES\n"
           "(a GeoPackage or any OGR source with a kelurahan and a kecamatan layer; without a\n"
           "kecamatan layer, kelurahan are dissolved by their parent code). Replaces an earlier join.\n\n"
           "A point inside a polygon is `within`; on a border, `boundary` (the smallest code wins, and\n"
           "the same rule settles overlapping polygons, flagged `overlap`); outside all polygons,\n"
           "`nearest` when within --max-distance metres, else `unmatched` with no codes. A household\n"
           "loaded without a point goes to the kelurahan its reported code names (`code`), or stays\n"
           "`unmatched` with its code listed in the table join_unknown_codes.\n\n"
           "Memory does not grow with the households (about 110 MB for a whole country): they, and\n"
           "the polygons' vertices, wait in temporary files beside the database and in $TMPDIR (else\n"
           "/var/tmp), removed as soon as made; the disk wants ~75 bytes a household, ~25 a vertex.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n" CLI_JOIN_HELP);
}

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    return cli_join_option(cli, opt, arg, opts);
}

int cmd_join(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},
        CLI_JOIN_OPTIONS,
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    rg_join_opts opts = RG_JOIN_OPTS_INIT;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, &opts, &db);
    if (status >= 0)
        return status;
    if (optind + 1 != argc)
        return cli_usage_error(cli, "needs exactly one BOUNDARIES file");
    rg_store *store = NULL;
    status = cli_open_store(cli, db, &store);
    if (status != EXIT_OK)
        return status;
    rg_join_report report;
    int rc = rg_geo_join(store, argv[optind], &opts, &report);
    if (rc == RG_OK)
        cli_print_join(cli, &report);
    else
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    return status;
}
