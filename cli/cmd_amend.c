#include "cli/cli.h"

#include <stdio.h>

#include "forum/forum.h"

static void help(void)
{
    printf("Usage: regsosek-geo amend FILE.xlsx|FILE.csv [--db FILE]\n\n"
           "Reads a consultation forum's filled-in family list back (the workbook `pack` wrote, or a\n"
           "CSV with its columns): for every household whose \"Kelas disepakati\" differs from its\n"
           "class, records the decision (class before and after, the note, which file, when). Every\n"
           "row is applied, unchanged, or rejected with its reason (table forum_rejects): an unknown\n"
           "household id, a household of another kelurahan, a class that is none of the four, a\n"
           "household listed twice. Amending the same file again changes nothing; a later file\n"
           "overrides an earlier one, and the history stays. The export then carries poverty_class\n"
           "(the ranking's) and poverty_class_final (after the forum), and the summaries count the\n"
           "final classes.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n");
}

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli, (void)opt, (void)arg, (void)opts;
    return 0;
}

int cmd_amend(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, OPT_DB}, {"help", no_argument, NULL, OPT_HELP}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "", help, take, NULL, &db);
    if (status >= 0)
        return status;
    if (optind + 1 != argc)
        return cli_usage_error(cli, "needs exactly one FILE");
    rg_store *store = NULL;
    if ((status = cli_open_existing_store(cli, db, &store)) != EXIT_OK)
        return status;
    rg_amend_report r;
    int rc = rg_forum_amend(store, argv[optind], &r);
    if (rc != RG_OK) {
        status = cli_fail(cli, rc);
    } else {
        cli_say(cli, "%s: %lld rows: %lld decisions applied, %lld unchanged, %lld rejected", argv[optind],
                (long long)r.rows_read, (long long)r.applied, (long long)r.unchanged, (long long)r.rejected);
        for (int i = 0; i < RG_AMEND_REASON_COUNT; i++)
            if (r.by_reason[i])
                cli_say(cli, "  rejected %-20s %lld", rg_forum_amend_reason_name((rg_amend_reason)i),
                        (long long)r.by_reason[i]);
        if (r.rejected)
            cli_say(cli, "  every rejected row is in the table forum_rejects with its row and reason");
    }
    rg_io_store_free(store);
    return status;
}
