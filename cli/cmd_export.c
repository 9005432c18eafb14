#include "cli/cli.h"

#include "web/web.h"

#include <stdio.h>
#include <strings.h>

static void help(void)
{
    printf("Usage: regsosek-geo export OUTPUT [--db FILE] [options]   (or -o OUTPUT, as in run)\n\n"
           "Writes the poverty map: OUTPUT.gpkg holds the layers households, kelurahan and kecamatan\n"
           "with QGIS styles as their defaults; OUTPUT.geojson writes RFC 7946 GeoJSON and\n"
           "OUTPUT.geojsonl/.geojsons GeoJSON Text Sequences, one file per layer\n"
           "(STEM-households.geojson, ... when there are several). The households layer carries no\n"
           "names, NIK, addresses, spending or other input columns unless --fields asks.\n\nOptions:\n"
           "  --db FILE             the working database (default " DEFAULT_DB ")\n" CLI_EXPORT_HELP
           "\n-f web writes OUTPUT, a folder, as the public poverty map for a web server: index.html,\n"
           "OpenLayers, every level's areas as vector tiles, each area's figures, a search, and the\n"
           "public GeoPackage and CSV summaries to download. It implies --public (never a household).\n"
           "  --basemap URL         with -f web: an XYZ tile address drawn under the map\n"
           "                        (https://.../{z}/{x}/{y}.png); default none, the site asks no other server\n"
           "  --basemap-credit TEXT the basemap's attribution, shown on the map (required with --basemap)\n");
}

typedef struct {
    rg_export_opts exp;
    const char *output;
    const char *basemap, *basemap_credit;
} export_args;

static int take(rg_cli *cli, int opt, const char *arg, void *opts)
{
    export_args *a = opts;
    if (opt == 'o') {
        a->output = arg;
        return 1;
    }
    if (opt == OPT_BASEMAP || opt == OPT_BASEMAP_CREDIT) {
        *(opt == OPT_BASEMAP ? &a->basemap : &a->basemap_credit) = arg;
        return 1;
    }
    return cli_export_option(cli, opt, arg, &a->exp);
}

/* What a public web map cannot hold, refused before any work. */
static int check_web(rg_cli *cli, const rg_export_opts *o)
{
    if (o->fields)
        return cli_usage_error(cli, "-f web publishes area summaries only: no --fields, no household data");
    if (o->layers != RG_LAYER_ALL && (o->layers & RG_LAYER_HOUSEHOLDS))
        return cli_usage_error(cli, "-f web never shows households: its map is the area summaries, as --public");
    if (o->layers != RG_LAYER_ALL)
        return cli_usage_error(cli, "-f web writes every level, each at its zooms: no --layers");
    if (o->only || o->schema || o->unlocated_at_area)
        return cli_usage_error(cli, "-f web writes the whole store's public map: no %s",
                               o->only ? "--only" : o->schema ? "--schema" : "--unlocated-at");
    return -1;
}

static int export_web(rg_cli *cli, const char *db, const export_args *a)
{
    rg_web_opts w = RG_WEB_OPTS_INIT;
    w.overwrite = a->exp.overwrite;
    w.min_count = a->exp.min_count;
    w.command_line = cli->command_line;
    w.basemap = a->basemap;
    w.basemap_credit = a->basemap_credit;
    int status = check_web(cli, &a->exp);
    if (status >= 0)
        return status;
    int rc = rg_web_check(cli->ctx, a->output, &w);
    if (rc == RG_EINVAL)
        return cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
    if (rc != RG_OK)
        return cli_fail(cli, rc);
    rg_store *store = NULL;
    status = cli_open_existing_store(cli, db, &store);
    rc = status == EXIT_OK ? rg_web_write(store, a->output, &w) : RG_OK;
    if (status == EXIT_OK && rc == RG_OK)
        cli_say(cli, "wrote %s (open index.html through a web server: python3 -m http.server -d %s)", a->output,
                a->output);
    else if (status == EXIT_OK)
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    return status;
}

int cmd_export(rg_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"db", required_argument, NULL, OPT_DB},
        {"basemap", required_argument, NULL, OPT_BASEMAP},
        {"basemap-credit", required_argument, NULL, OPT_BASEMAP_CREDIT},
        CLI_EXPORT_OPTIONS,
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    export_args args = {RG_EXPORT_OPTS_INIT, NULL, NULL, NULL};
    args.exp.command_line = cli->command_line;
    const char *db = NULL;
    int status = cli_parse(cli, argc, argv, options, "o:f:", help, take, &args, &db);
    if (status >= 0)
        return status;
    if (!args.output && optind < argc)
        args.output = argv[optind++];
    if (!args.output || optind != argc)
        return cli_usage_error(cli, "needs exactly one OUTPUT (.gpkg or .geojson)");
    if (args.exp.format && strcasecmp(args.exp.format, "web") == 0)
        return export_web(cli, db, &args);
    if (args.basemap || args.basemap_credit)
        return cli_usage_error(cli, "--basemap and --basemap-credit are for -f web");
    if ((status = cli_check_export(cli, &args.exp)) >= 0)
        return status;
    rg_export_plan plan;
    if ((status = cli_plan_export(cli, args.output, &args.exp, &plan)) >= 0)
        return status;
    rg_store *store = NULL;
    status = cli_open_existing_store(cli, db, &store);
    int rc = status == EXIT_OK ? rg_export_run(store, args.output, &args.exp) : RG_OK;
    if (status == EXIT_OK && rc == RG_OK)
        cli_say_written(cli, &plan);
    else if (status == EXIT_OK)
        status = cli_fail(cli, rc);
    rg_io_store_free(store);
    rg_export_plan_free(&plan);
    return status;
}
