#include "cli/cli.h"

#include <stdio.h>
#include <sys/stat.h>

#include "forum/forum.h"

static void help(void)
{
    printf("Usage: regsosek-geo pack --kelurahan CODE -o FOLDER [--db FILE] [--fields LIST] [--overwrite]\n"
           "       regsosek-geo pack --all -o FOLDER [--db FILE] [--fields LIST] [--overwrite]\n\n"
           "Writes what each kelurahan's public consultation forum works from: CODE-Name.xlsx, with\n"
           "the sheet \"Rekap\" (codes and names up to the provinsi, the data and the method, households\n"
           "per class and per desil, with and without a GPS point, how many need checking) and the\n"
           "sheet \"Daftar keluarga\" (the families from the poorest up, their class, desil, size, how\n"
           "they were placed and what a supervisor should check, and two columns for the forum: the\n"
           "agreed class, a drop-down of the four classes, and a note). CODE may be the BPS or the\n"
           "Kemendagri code. The packs hold personal data: household ids always, names or addresses\n"
           "only with --fields.\n\nOptions:\n"
           "  --kelurahan CODE      one kelurahan\n"
           "  --all                 every kelurahan\n"
           "  --forums              a pack per forum of SLS (as `forums` grouped them) rather than per\n"
           "                        kelurahan: DESA-N-Name.pdf/.xlsx, the forum's families SLS by SLS\n"
           "  -o, --output FOLDER   where the files go (made when missing)\n"
           "  --fields LIST         input columns to add to the family list, on purpose (e.g.\n"
           "                        nama_kepala_keluarga,alamat): they are personal data\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n"
           "  --overwrite           replace existing files\n");
}

typedef struct {
    const char *kelurahan, *output;
    int all;
    rg_forum_pack_opts opts;
} pack_args;

enum { OPT_KELURAHAN = 1000, OPT_ALL, OPT_FORUMS };

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    (void)cli;
    pack_args *a = opts;
    switch (opt) {
    case OPT_KELURAHAN: a->kelurahan = arg; return 1;
    case OPT_ALL: a->all = 1; return 1;
    case OPT_FORUMS: a->opts.by_forum = 1; return 1;
    case 'o': a->output = arg; return 1;
    case OPT_FIELDS: a->opts.fields = arg; return 1;
    case OPT_OVERWRITE: a->opts.overwrite = 1; return 1;
    default: return 0;
    }
}

int cmd_pack(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"kelurahan", required_argument, NULL, OPT_KELURAHAN}, {"all", no_argument, NULL, OPT_ALL},
        {"forums", no_argument, NULL, OPT_FORUMS},
        {"output", required_argument, NULL, 'o'},              {"fields", required_argument, NULL, OPT_FIELDS},
        {"db", required_argument, NULL, OPT_DB},               {"overwrite", no_argument, NULL, OPT_OVERWRITE},
        {"help", no_argument, NULL, OPT_HELP},                 {NULL, 0, NULL, 0},
    };
    pack_args args = {.opts = RG_FORUM_PACK_OPTS_INIT};
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if ((status = cli_check_area_choice(cli, optind != argc, args.output, args.all, args.kelurahan)) >= 0)
        return status;
    struct stat sb;
    if (stat(args.output, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return cli_usage_error(cli, "-o %s: exists and is not a folder; a pack is a folder of files", args.output);
    rg_store *store = NULL;
    if ((status = cli_open_existing_store(cli, db, &store)) != EXIT_OK)
        return status;
    rg_forum_pack_report r;
    int rc = rg_forum_pack(store, args.all ? NULL : args.kelurahan, args.output, &args.opts, &r);
    if (rc != RG_OK)
        status = cli_fail(cli, rc);
    else
        cli_say(cli, "wrote %lld files for %lld %s (%lld families) into %s", (long long)r.files,
                (long long)r.kelurahan, args.opts.by_forum ? "forums" : "kelurahan", (long long)r.households,
                args.output);
    rg_io_store_free(store);
    return status;
}
