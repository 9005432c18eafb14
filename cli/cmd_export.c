#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo export OUTPUT [--db FILE] [options]   (or -o OUTPUT, as in run)\n\n"
           "Writes the poverty map: OUTPUT.gpkg holds the layers households, kelurahan and kecamatan\n"
           "with QGIS styles as their defaults; OUTPUT.geojson writes RFC 7946 GeoJSON and\n"
           "OUTPUT.geojsonl/.geojsons GeoJSON Text Sequences, one file per layer\n"
           "(STEM-households.geojson, ... when there are several). The households layer carries no\n"
           "names, NIK, addresses, spending or other input columns unless --fields asks.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n" CLI_EXPORT_HELP);
}

typedef struct {
    rg_export_opts exp;
    const char *output;
} export_args;

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    export_args *a = opts;
    if (opt == 'o') {
        a->output = arg;
        return 1;
    }
    return cli_export_option(cli, opt, arg, &a->exp);
}

int cmd_export(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, OPT_DB},
        CLI_EXPORT_OPTIONS,
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    export_args args = {RG_EXPORT_OPTS_INIT, NULL};
    args.exp.command_line = cli->command_line;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:f:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (!args.output && optind < argc)
        args.output = argv[optind++];
    if (!args.output || optind != argc)
        return cli_usage_error(cli, "needs exactly one OUTPUT (.gpkg or .geojson)");
    if ((status = cli_check_export(cli, &args.exp)) >= 0)
        return status;
    rg_export_plan plan;
    if ((status = cli_plan_export(cli, args.output, &args.exp, &plan)) >= 0)
        return status;
    rg_store *store = NULL;
    status = cli_open_existing_store(cli, db, &store);
    int rc = status == EXIT_OK ? rg_export_run(store, args.output, &args.exp) : RG_OK;
    if (status == EXIT_OK && rc == RG_OK)
        cli_say_written(cli, &plan);
    else if (status == EXIT_OK)
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    rg_export_plan_free(&plan);
    return status;
}
