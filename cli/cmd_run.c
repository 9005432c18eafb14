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
           CLI_EXPORT_HELP CLI_LOAD_HELP CLI_JOIN_HELP);
}

typedef struct {
    rg_load_opts load;
    rg_join_opts join;
    rg_export_opts exp;
    const char *output, *rules_path;
} run_args;

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    run_args *a = opts;
    if (opt == 'o') {
        a->output = arg;
        return 1;
    }
    if (opt == OPT_RULES) {
        a->rules_path = arg;
        return 1;
    }
    int took = cli_load_option(cli, opt, arg, &a->load);
    if (!took)
        took = cli_join_option(cli, opt, arg, &a->join);
    if (!took)
        took = cli_export_option(cli, opt, arg, &a->exp);
    return took;
}

int cmd_run(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},        {"db", required_argument, NULL, OPT_DB},
        {"rules", required_argument, NULL, OPT_RULES},   CLI_EXPORT_OPTIONS,
        CLI_LOAD_OPTIONS,                                CLI_JOIN_OPTIONS,
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    run_args args = {RG_LOAD_OPTS_INIT, RG_JOIN_OPTS_INIT, RG_EXPORT_OPTS_INIT, NULL, NULL};
    args.exp.command_line = cli->command_line;
    args.load.mode = RG_LOAD_REPLACE;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:f:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (optind + 2 != argc)
        return cli_usage_error(cli, "needs HOUSEHOLDS and BOUNDARIES");
    if (!args.output)
        return cli_usage_error(cli, "needs -o OUTPUT (.gpkg or .geojson)");
    if ((status = cli_check_export(cli, &args.exp)) >= 0)
        return status;
    /* The output is checked before anything is loaded: a map that may not be replaced
     * must not cost a whole load, join and classify first. */
    rg_export_plan plan;
    if ((status = cli_plan_export(cli, args.output, &args.exp, &plan)) >= 0)
        return status;
    const char *households = argv[optind], *boundaries = argv[optind + 1];

    rg_rules *rules = NULL;
    rg_store *store = NULL;
    int rc;
    if ((status = cli_read_rules(cli, args.rules_path, &rules)) != EXIT_OK)
        goto done;
    if ((status = cli_open_store(cli, db, &store)) != EXIT_OK)
        goto done;

    rg_load_stats stats;
    rg_join_report jr;
    rg_classify_report cr;
    cli->command = "load";
    double started = cli_seconds();
    if ((rc = rg_load_run(store, households, &args.load, &stats)) != RG_OK)
        goto failed;
    cli_print_load(cli, households, &stats);
    cli_detail_elapsed(cli, started);
    cli->command = "join";
    started = cli_seconds();
    if ((rc = rg_geo_join(store, boundaries, &args.join, &jr)) != RG_OK)
        goto failed;
    cli_print_join(cli, &jr);
    cli_detail_elapsed(cli, started);
    cli->command = "classify";
    started = cli_seconds();
    if ((rc = rg_classify_run(store, rules, &cr)) != RG_OK)
        goto failed;
    cli_print_classify(cli, &cr);
    cli_print_totals(cli, store, rules);
    cli_detail_elapsed(cli, started);
    cli->command = "export";
    started = cli_seconds();
    if ((rc = rg_export_run(store, args.output, &args.exp)) != RG_OK)
        goto failed;
    cli_say_written(cli, &plan);
    cli_detail_elapsed(cli, started);
    cli->command = "run";
    goto done;

failed:
    status = cli_fail(cli, rc);
done:
    rg_io_store_free(store);
    rg_classify_rules_free(rules);
    rg_export_plan_free(&plan);
    return status;
}
