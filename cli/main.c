/* regsosek-geo: household points to poverty maps. */
#include "cli/cli.h"

#include <cpl_error.h>
#include <gdal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *name;
    cli_fn fn;
    const char *summary;
} commands[] = {
    {"run", cmd_run, "load, join, classify and export in one go"},
    {"load", cmd_load, "read household points (CSV or any OGR source) into the working database"},
    {"join", cmd_join, "give every household its kelurahan and kecamatan from boundary polygons"},
    {"classify", cmd_classify, "poverty class, desil and rank of every household; area summaries"},
    {"export", cmd_export, "write the poverty map layers as GeoPackage or GeoJSON"},
    {"rank", cmd_rank, "write the ranked household lists for the consultation forums"},
    {"forums", cmd_forums, "group each desa's SLS into consultation forums of at most 12 (with an SLS map)"},
    {"pack", cmd_pack, "write each kelurahan's consultation forum workbook"},
    {"amend", cmd_amend, "bring a consultation forum's decisions back into the data"},
    {"compare", cmd_compare, "what changed between two editions (exports): households, areas, programmes"},
    {"check", cmd_check, "re-verify the database's invariants, and an export against it"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: regsosek-geo [-q | -v] COMMAND [ARGS]\n\n"
                 "Turns Regsosek household GPS points into poverty maps.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nOptions:\n"
                 "  -q, --quiet     only errors and warnings on stderr\n"
                 "  -v, --verbose   more detail on stderr\n"
                 "  -h, --help      this help; `regsosek-geo COMMAND --help` for a command's\n"
                 "  -V, --version   the version\n\n"
                 "Example:\n"
                 "  regsosek-geo run sample-data/households.csv sample-data/boundaries.gpkg -o kupang.gpkg\n");
}

static char *join_args(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        strcat(s, argv[i]);
        if (i + 1 < argc)
            strcat(s, " ");
    }
    return s;
}

/* -q and -v are taken anywhere, as git and ogr2ogr users expect (`classify -q`): they are
 * removed from the command's arguments before it parses them. A "--" ends the search. */
static int take_global_flags(rg_cli *cli, int argc, char **argv)
{
    int kept = 0, after_dashes = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        after_dashes = after_dashes || strcmp(a, "--") == 0;
        if (!after_dashes && (!strcmp(a, "-q") || !strcmp(a, "--quiet")))
            cli->quiet = 1;
        else if (!after_dashes && (!strcmp(a, "-v") || !strcmp(a, "--verbose")))
            cli->verbose = 1;
        else
            argv[kept++] = argv[i];
    }
    argv[kept] = NULL;
    return kept;
}

int main(int argc, char **argv)
{
    rg_cli cli = {.command = "regsosek-geo"};
    rg_files_private(); /* what the steps create holds personal data; --public loosens its own */
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
            printf("regsosek-geo %s (GDAL %s)\n", rg_version(), GDALVersionInfo("RELEASE_NAME"));
            return EXIT_OK;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            cli.quiet = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            cli.verbose = 1;
        } else {
            fprintf(stderr, "regsosek-geo: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i == argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
        if (strcmp(argv[i], commands[c].name) != 0)
            continue;
        if (rg_ctx_new(&cli.ctx) != RG_OK) {
            fprintf(stderr, "regsosek-geo: cannot start: out of memory\n");
            return EXIT_FAIL;
        }
        rg_ctx_set_notice(cli.ctx, cli_notice, &cli);
        GDALAllRegister();
        char *line = join_args(argc, argv);
        cli.command = commands[c].name;
        cli.command_line = line;
        /* After the command line is recorded (it says what the user typed). */
        int command_argc = take_global_flags(&cli, argc - i - 1, argv + i + 1) + 1;
        /* GDAL's reasons reach the user inside our own messages; -v shows GDAL's own too. */
        if (!cli.verbose)
            CPLPushErrorHandler(CPLQuietErrorHandler);
        double started = cli_seconds();
        int status = commands[c].fn(&cli, command_argc, argv + i);
        if (cli.verbose && !cli.quiet)
            fprintf(stderr, "regsosek-geo: %s: %s in %.2f s\n", commands[c].name, status == EXIT_OK ? "done" : "stopped",
                    cli_seconds() - started);
        free(line);
        rg_ctx_free(cli.ctx);
        if (!cli.verbose)
            CPLPopErrorHandler();
        GDALDestroyDriverManager();
        return status;
    }
    fprintf(stderr, "regsosek-geo: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return EXIT_USAGE;
}
