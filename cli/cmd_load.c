#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo load HOUSEHOLDS [--db FILE] [options]\n\n"
           "Reads household points from a CSV/TSV (optionally .gz) or any OGR point source into the\n"
           "working SpatiaLite database. Every row is loaded, loaded with a flag, or written to the\n"
           "table `rejects` with its line and reason.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --replace             replace the households already loaded\n"
           "  --append              add to the households already loaded\n" CLI_LOAD_HELP);
}

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    return cli_load_option(cli, opt, arg, opts);
}

int cmd_load(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},     {"replace", no_argument, NULL, OPT_REPLACE},
        {"append", no_argument, NULL, OPT_APPEND},   CLI_LOAD_OPTIONS,
        {"help", no_argument, NULL, OPT_HELP},       {NULL, 0, NULL, 0},
    };
    rg_load_opts opts = RG_LOAD_OPTS_INIT;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, &opts, &db);
    if (status >= 0)
        return status;
    if (optind + 1 != argc)
        return cli_usage_error(cli, "needs exactly one HOUSEHOLDS file");
    rg_store *store = NULL;
    status = cli_open_store(cli, db, &store);
    if (status != EXIT_OK)
        return status;
    rg_load_stats stats;
    int rc = rg_load_run(store, argv[optind], &opts, &stats);
    if (rc == RG_OK)
        cli_print_load(cli, argv[optind], &stats);
    else
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    return status;
}
