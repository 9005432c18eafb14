#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo classify [--db FILE] [--rules FILE] [--print-rules]\n\n"
           "Puts every joined household in one of four classes (sangat miskin, miskin, rentan miskin,\n"
           "tidak miskin), gives it its desil and its welfare_rank inside its kelurahan (1 = poorest),\n"
           "and sums the classes per kelurahan and kecamatan.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --rules FILE          classification rules (default: the built-in classify/rules.ini)\n"
           "  --print-rules         print the rules in force and stop\n");
}

int cmd_classify(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},       {"rules", required_argument, NULL, OPT_RULES},
        {"print-rules", no_argument, NULL, OPT_PRINT_RULES}, {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *rules_path = NULL;
    int print_rules = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case OPT_HELP: help(); return EXIT_OK;
        case OPT_DB: db = optarg; break;
        case OPT_RULES: rules_path = optarg; break;
        case OPT_PRINT_RULES: print_rules = 1; break;
        default: return cli_usage_error(cli, "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error(cli, "takes no arguments besides options");
    rg_rules *rules = NULL;
    int rc = rules_path ? rg_classify_rules_read(&rules, cli->ctx, rules_path) : rg_classify_rules_default(&rules);
    if (rc != RG_OK)
        return cli_fail(cli, rc);
    int status = EXIT_OK;
    if (print_rules) {
        char *text = NULL;
        if ((rc = rg_classify_rules_format(rules, &text)) == RG_OK)
            fputs(text, stdout);
        else
            status = cli_fail(cli, rc);
        rg_free(text);
        rg_classify_rules_free(rules);
        return status;
    }
    rg_store *store = NULL;
    if ((status = cli_open_store(cli, db, &store)) == EXIT_OK) {
        rg_classify_report report;
        rc = rg_classify_run(store, rules, &report);
        if (rc == RG_OK)
            cli_print_classify(cli, &report);
        else
            status = cli_fail(cli, rc);
    }
    rg_io_store_free(store);
    rg_classify_rules_free(rules);
    return status;
}
