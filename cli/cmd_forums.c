#include "cli/cli.h"
#include "forum/forum.h"

#include <stdio.h>

static void help(void)
{
    printf("Usage: regsosek-geo forums -o GROUPS.csv [--groups OFFICE.csv] [--db FILE] [--overwrite]\n\n"
           "Groups each desa's SLS into consultation forums (FKP) of at most 12 neighbouring SLS,\n"
           "balanced by families, as Regsosek held them; needs an SLS map joined as the boundaries\n"
           "(without one, each desa/kelurahan is one forum). Writes one line an SLS: idsls, forum\n"
           "(DESA-N), kode_desa, nmsls, keluarga. The same store gives the same groups. The grouping\n"
           "is kept in the store; an office's own (that CSV, edited) is taken back with --groups.\n\nOptions:\n"
           "  -o, --output PATH     the CSV\n"
           "  --groups FILE         take this grouping (columns idsls, forum), checked: every SLS once,\n"
           "                        at most 12 to a forum, one desa to a forum\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --overwrite           replace an existing CSV\n");
}

typedef struct {
    const char *output, *groups;
    int overwrite;
} forums_args;

enum { OPT_GROUPS = 1000 };

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli;
    forums_args *a = opts;
    switch (opt) {
    case 'o': a->output = arg; return 1;
    case OPT_GROUPS: a->groups = arg; return 1;
    case OPT_OVERWRITE: a->overwrite = 1; return 1;
    default: return 0;
    }
}

int cmd_forums(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'}, {"groups", required_argument, NULL, OPT_GROUPS},
        {"db", required_argument, NULL, OPT_DB},
        {"overwrite", no_argument, NULL, OPT_OVERWRITE}, {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    forums_args args = {NULL, NULL, 0};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (optind != argc || !args.output)
        return cli_usage_error(cli, "forums takes no arguments and needs -o GROUPS.csv");
    if (rg_io_file_target_check(cli->ctx, args.output) != RG_OK)
        return cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
    rg_store *store = NULL;
    if ((status = cli_open_existing_store(cli, db, &store)) != EXIT_OK)
        return status;
    rg_forum_groups_report r;
    int rc = rg_forum_groups_write(store, args.output, args.groups, args.overwrite, &r);
    if (rc != RG_OK) {
        status = cli_fail(cli, rc);
    } else {
        cli_say(cli, "wrote %s: %lld SLS of %lld desa in %lld forums of at most %d SLS", args.output,
                (long long)r.sls, (long long)r.desa, (long long)r.forums, RG_FORUM_MAX_SLS);
        if (r.scattered)
            fprintf(stderr, "regsosek-geo: forums: warning: %lld forums hold SLS that do not all border one another"
                            " (SLS apart in the map): see them in %s\n", (long long)r.scattered, args.output);
        if (r.families_without_sls)
            fprintf(stderr, "regsosek-geo: forums: warning: %lld families of those desa have no SLS (no point in one,"
                            " no SLS code) and so no forum\n", (long long)r.families_without_sls);
    }
    rg_io_store_free(store);
    return status;
}
