#include "cli/cli.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo rank --kelurahan CODE -o LIST.csv [--db FILE] [--overwrite]\n"
           "       regsosek-geo rank --all -o FOLDER [--db FILE] [--overwrite]\n\n"
           "Writes the ranked list a consultation forum works from: the kelurahan's households from\n"
           "the poorest (welfare_rank 1) up, then those that could not be ranked, with poverty class,\n"
           "desil, welfare, spending, household size and the flags from load and join. CODE may be\n"
           "the BPS or the Kemendagri code. These lists hold personal data.\n\nOptions:\n"
           "  --kelurahan CODE      the kelurahan\n"
           "  --all                 one list per kelurahan, CODE-Name.csv in FOLDER\n"
           "  -o, --output PATH     the list (with --kelurahan) or the folder (with --all)\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --overwrite           replace existing lists\n");
}

typedef struct {
    const char *kelurahan, *output;
    int all, overwrite;
} rank_args;

enum { OPT_KELURAHAN = 1000, OPT_ALL };

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli;
    rank_args *a = opts;
    switch (opt) {
    case OPT_KELURAHAN: a->kelurahan = arg; return 1;
    case OPT_ALL: a->all = 1; return 1;
    case 'o': a->output = arg; return 1;
    case OPT_OVERWRITE: a->overwrite = 1; return 1;
    default: return 0;
    }
}

int cmd_rank(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"kelurahan", required_argument, NULL, OPT_KELURAHAN}, {"all", no_argument, NULL, OPT_ALL},
        {"output", required_argument, NULL, 'o'},              {"db", required_argument, NULL, OPT_DB},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE},       {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    rank_args args = {NULL, NULL, 0, 0};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if ((status = cli_check_area_choice(cli, optind != argc, args.output, args.all, args.kelurahan)) >= 0)
        return status;
    if (!args.all && rg_io_file_target_check(cli->ctx, args.output) != RG_OK)
        return cli_usage_error(cli, "%s (with --all, -o names the folder of the lists)", rg_ctx_errmsg(cli->ctx));
    rg_store *store = NULL;
    if ((status = cli_open_existing_store(cli, db, &store)) != EXIT_OK)
        return status;
    int64_t n = 0;
    int rc = args.all ? rg_export_ranklist_write_all(store, args.output, args.overwrite, &n)
                      : rg_export_ranklist_write(store, args.kelurahan, args.output, args.overwrite, &n);
    if (rc != RG_OK)
        status = cli_fail(cli, rc);
    else if (args.all)
        cli_say(cli, "wrote %lld ranked lists into %s", (long long)n, args.output);
    else
        cli_say(cli, "wrote %s: %lld households", args.output, (long long)n);
    rg_io_store_free(store);
    return status;
}
