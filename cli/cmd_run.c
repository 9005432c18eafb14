#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo run HOUSEHOLDS BOUNDARIES -o OUTPUT [options]\n\n"
           "load, join, classify and export in one go, starting the working database afresh.\n\n"
           "Options:\n"
           "  -o, --output OUTPUT   the map to write (.gpkg or .geojson)\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --rules FILE          classification rules (see `regsosek-geo classify --help`)\n"
           "  --layers LIST, --overwrite   as for export\n" CLI_LOAD_HELP CLI_JOIN_HELP);
}

int cmd_run(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},        {"db", required_argument, NULL, OPT_DB},
        {"rules", required_argument, NULL, OPT_RULES},   {"layers", required_argument, NULL, OPT_LAYERS},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE}, CLI_LOAD_OPTIONS,
        CLI_JOIN_OPTIONS,                                {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    rg_load_opts load = RG_LOAD_OPTS_INIT;
    rg_join_opts join = RG_JOIN_OPTS_INIT;
    rg_export_opts exp = RG_EXPORT_OPTS_INIT;
    exp.command_line = cli->command_line;
    load.mode = RG_LOAD_REPLACE;
    const char *db = NULL, *output = NULL, *rules_path = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        if (c == OPT_HELP) {
            help();
            return EXIT_OK;
        }
        if (c == 'o') {
            output = optarg;
            continue;
        }
        if (c == OPT_DB) {
            db = optarg;
            continue;
        }
        if (c == OPT_RULES) {
            rules_path = optarg;
            continue;
        }
        int took = cli_load_option(cli, c, optarg, &load);
        if (!took)
            took = cli_join_option(cli, c, optarg, &join);
        if (!took)
            took = cli_export_option(cli, c, optarg, &exp);
        if (took < 0)
            return EXIT_USAGE;
        if (!took)
            return cli_usage_error(cli, "unknown option");
    }
    if (optind + 2 != argc)
        return cli_usage_error(cli, "needs HOUSEHOLDS and BOUNDARIES");
    if (!output)
        return cli_usage_error(cli, "needs -o OUTPUT (.gpkg or .geojson)");
    const char *households = argv[optind], *boundaries = argv[optind + 1];

    rg_rules *rules = NULL;
    rg_store *store = NULL;
    int rc = rules_path ? rg_classify_rules_read(&rules, cli->ctx, rules_path) : rg_classify_rules_default(&rules);
    if (rc != RG_OK)
        return cli_fail(cli, rc);
    int status = cli_open_store(cli, db, &store);
    if (status != EXIT_OK)
        goto done;

    rg_load_stats stats;
    rg_join_report jr;
    rg_classify_report cr;
    cli->command = "load";
    if ((rc = rg_io_load(store, households, &load, &stats)) != RG_OK)
        goto failed;
    cli_print_load(cli, households, &stats);
    cli->command = "join";
    if ((rc = rg_geo_join(store, boundaries, &join, &jr)) != RG_OK)
        goto failed;
    cli_print_join(cli, &jr);
    cli->command = "classify";
    if ((rc = rg_classify_run(store, rules, &cr)) != RG_OK)
        goto failed;
    cli_print_classify(cli, &cr);
    cli->command = "export";
    if ((rc = rg_io_export(store, output, &exp)) != RG_OK)
        goto failed;
    cli_say(cli, "wrote %s", output);
    goto done;

failed:
    status = cli_fail(cli, rc);
done:
    rg_io_store_free(store);
    rg_classify_rules_free(rules);
    return status;
}
