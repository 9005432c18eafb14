#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo export OUTPUT [--db FILE] [--layers LIST] [--overwrite]\n\n"
           "Writes the poverty map: OUTPUT.gpkg holds the layers households, kelurahan and kecamatan\n"
           "with QGIS styles as their defaults; OUTPUT.geojson writes RFC 7946 GeoJSON, one file per\n"
           "layer (STEM-households.geojson, ... when there are several). Household layers carry\n"
           "no names, NIK, addresses or other input columns.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --layers LIST         comma-separated: households,kelurahan,kecamatan (default all)\n"
           "  --overwrite           replace an existing OUTPUT\n");
}

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    return cli_export_option(cli, opt, arg, opts);
}

int cmd_export(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},       {"layers", required_argument, NULL, OPT_LAYERS},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE}, {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    rg_export_opts opts = RG_EXPORT_OPTS_INIT;
    opts.command_line = cli->command_line;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, &opts, &db);
    if (status >= 0)
        return status;
    if (optind + 1 != argc)
        return cli_usage_error(cli, "needs exactly one OUTPUT (.gpkg or .geojson)");
    rg_store *store = NULL;
    status = cli_open_store(cli, db, &store);
    if (status != EXIT_OK)
        return status;
    int rc = rg_io_export(store, argv[optind], &opts);
    if (rc == RG_OK)
        cli_say(cli, "wrote %s", argv[optind]);
    else
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    return status;
}
