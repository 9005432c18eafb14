#include "cli/cli.h"

#include <stdio.h>

#include "forum/forum.h"

static void help(void)
{
    printf("Usage: regsosek-geo classify [--db FILE] [--rules FILE] [--print-rules]\n\n"
           "Puts every joined household in one of four classes (sangat miskin, miskin, rentan miskin,\n"
           "tidak miskin), gives it its desil and its welfare_rank inside its kelurahan (1 = poorest),\n"
           "and sums the classes per kelurahan and kecamatan. The consultation forums' decisions\n"
           "(amend) are kept and still counted, unless --drop-forum-decisions.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --rules FILE          classification rules (default: the built-in classify/rules.ini)\n"
           "  --print-rules         print the rules in force and stop\n"
           "  --drop-forum-decisions  forget every forum's decisions (and their history)\n");
}

typedef struct {
    const char *rules_path;
    int print_rules, drop_decisions;
} classify_args;

enum { OPT_DROP_DECISIONS = 1000 };

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli;
    classify_args *a = opts;
    if (opt == OPT_RULES)
        a->rules_path = arg;
    else if (opt == OPT_PRINT_RULES)
        a->print_rules = 1;
    else if (opt == OPT_DROP_DECISIONS)
        a->drop_decisions = 1;
    else
        return 0;
    return 1;
}

int cli_read_rules(rg_cli *cli, const char *path, rg_rules **out)
{
    int rc = path ? rg_classify_rules_read(out, cli->ctx, path) : rg_classify_rules_default(out);
    return rc == RG_OK ? EXIT_OK : cli_fail(cli, rc);
}

int cmd_classify(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB},       {"rules", required_argument, NULL, OPT_RULES},
        {"print-rules", no_argument, NULL, OPT_PRINT_RULES}, {"help", no_argument, NULL, OPT_HELP},
        {"drop-forum-decisions", no_argument, NULL, OPT_DROP_DECISIONS},
        {NULL, 0, NULL, 0},
    };
    classify_args args = {NULL, 0, 0};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (optind != argc)
        return cli_usage_error(cli, "takes no arguments besides options");
    rg_rules *rules = NULL;
    if ((status = cli_read_rules(cli, args.rules_path, &rules)) != EXIT_OK)
        return status;
    rg_store *store = NULL;
    if (args.print_rules) {
        char *text = NULL;
        int rc = rg_classify_rules_format(rules, &text);
        if (rc == RG_OK)
            fputs(text, stdout);
        else
            status = cli_fail(cli, rc);
        rg_free(text);
    } else if ((status = cli_open_store(cli, db, &store)) == EXIT_OK) {
        rg_classify_report report;
        int rc = rg_classify_run(store, rules, &report);
        int64_t dropped = 0;
        if (rc == RG_OK && args.drop_decisions && (rc = rg_forum_drop_decisions(store, &dropped)) == RG_OK)
            cli_say(cli, "dropped %lld decisions of the consultation forums", (long long)dropped);
        if (rc == RG_OK) {
            cli_print_classify(cli, &report);
            cli_print_totals(cli, store, rules);
        } else
            status = cli_fail(cli, rc);
    }
    rg_io_store_free(store);
    rg_classify_rules_free(rules);
    return status;
}
