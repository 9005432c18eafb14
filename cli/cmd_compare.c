#include "cli/cli.h"
#include "compare/compare.h"

#include <stdio.h>
#include <stdlib.h>

static void help(void)
{
    printf("Usage: regsosek-geo compare EARLIER.gpkg LATER.gpkg -o CHANGE.gpkg [--programme NAME]\n"
           "                            [--lists FOLDER] [--public [--min-count N]] [--overwrite]\n\n"
           "What changed between two editions (two exports or working databases of this tool, e.g.\n"
           "two DTSEN quarters):\n"
           "households matched by id, new, gone, moved (and at which level), desil up or down, class\n"
           "changed, each programme entered or left; per area at every level, the counts of each and\n"
           "each programme's net change and churn; per desa the families that entered or left desil\n"
           "1-4 or a programme, for the musyawarah, with the forum's class in each edition; what could\n"
           "not be compared (ids twice in an edition, moves that may be a change of boundaries) in\n"
           "layer issues. CHANGE.gpkg opens in QGIS as a map of the net change of one programme.\n\n"
           "Options:\n"
           "  -o, --output PATH     the GeoPackage to write (personal data unless --public)\n"
           "  --programme NAME      the programme the map shows (default: the first both editions define)\n"
           "  --lists FOLDER        also each desa's musyawarah list as FOLDER/CODE-Name.csv, for its staff\n"
           "  --public              area counts only, small counts suppressed with those tied to them\n"
           "  --min-count N         with --public: counts from 1 to N-1 are hidden (default 5)\n"
           "  --overwrite           replace an existing output\n");
}

typedef struct {
    rg_compare_opts opts;
    const char *output;
} compare_args;

enum { OPT_PROGRAMME = 1000, OPT_LISTS };

static int take(rg_cli *cli, int opt, const char *arg, void *userdata)
{
    compare_args *a = userdata;
    switch (opt) {
    case 'o': a->output = arg; return 1;
    case OPT_PROGRAMME: a->opts.programme = arg; return 1;
    case OPT_LISTS: a->opts.lists = arg; return 1;
    case OPT_PUBLIC: a->opts.public_only = 1; return 1;
    case OPT_OVERWRITE: a->opts.overwrite = 1; return 1;
    case OPT_MIN_COUNT: {
        char *end = NULL;
        long v = strtol(arg, &end, 10);
        if (end == arg || *end || v < 1 || v > 1000000) {
            cli_usage_error(cli, "--min-count: '%s' is not a whole number from 1 to 1000000", arg);
            return -1;
        }
        a->opts.min_count = (int)v;
        return 1;
    }
    default: return 0;
    }
}

static void say_report(rg_cli *cli, const compare_args *a, const rg_compare_report *r)
{
    cli_say(cli, "wrote %s: %s -> %s: %lld and %lld households; %lld new, %lld gone, %lld moved, %lld stayed;"
                 " desil up %lld, down %lld; class changed %lld",
            a->output, r->old_edition, r->new_edition, (long long)r->old_households, (long long)r->new_households,
            (long long)r->added, (long long)r->gone, (long long)r->moved, (long long)r->stayed,
            (long long)r->desil_up, (long long)r->desil_down, (long long)r->class_changed);
    if (r->not_comparable)
        fprintf(stderr, "regsosek-geo: compare: warning: %lld households are in another kelurahan but cannot be"
                        " told moved (the point stayed, or the boundaries differ): listed in layer issues\n",
                (long long)r->not_comparable);
    if (r->duplicate_ids)
        fprintf(stderr, "regsosek-geo: compare: warning: %lld rows carry an id that repeats inside its edition: not"
                        " matched, listed in layer issues\n",
                (long long)r->duplicate_ids);
}

int cmd_compare(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},  {"programme", required_argument, NULL, OPT_PROGRAMME},
        {"lists", required_argument, NULL, OPT_LISTS},
        {"public", no_argument, NULL, OPT_PUBLIC}, {"min-count", required_argument, NULL, OPT_MIN_COUNT},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE}, {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    compare_args args = {RG_COMPARE_OPTS_INIT, NULL};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (argc - optind != 2 || !args.output)
        return cli_usage_error(cli, "compare takes EARLIER.gpkg LATER.gpkg and needs -o CHANGE.gpkg");
    if (db)
        return cli_usage_error(cli, "compare takes its two editions as arguments (exports or working databases),"
                                    " not --db");
    args.opts.command_line = cli->command_line;
    rg_compare_report r;
    int rc = rg_compare_run(cli->ctx, argv[optind], argv[optind + 1], args.output, &args.opts, &r);
    if (rc == RG_EINVAL)
        return cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
    if (rc != RG_OK)
        return cli_fail(cli, rc);
    say_report(cli, &args, &r);
    return EXIT_OK;
}
