/* cli.h: shared by the subcommands; only cli/ talks to the user. */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <getopt.h>

#include "check/check.h"
#include "classify/classify.h"
#include "core/core.h"
#include "export/export.h"
#include "geo/geo.h"
#include "io/io.h"
#include "load/load.h"

/* Exit statuses (tippecanoe's rule: avoid 124-127 and 137). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define DEFAULT_DB "regsosek.sqlite"

typedef struct {
    int quiet;
    int verbose;
    const char *command;   /* the subcommand, for message prefixes */
    const char *command_line;
    rg_ctx *ctx;
} rg_cli;

typedef int (*cli_fn)(rg_cli *cli, int argc, char **argv);

int cmd_load(rg_cli *cli, int argc, char **argv);
int cmd_join(rg_cli *cli, int argc, char **argv);
int cmd_classify(rg_cli *cli, int argc, char **argv);
int cmd_export(rg_cli *cli, int argc, char **argv);
int cmd_run(rg_cli *cli, int argc, char **argv);
int cmd_rank(rg_cli *cli, int argc, char **argv);
int cmd_forums(rg_cli *cli, int argc, char **argv);
int cmd_pack(rg_cli *cli, int argc, char **argv);
int cmd_amend(rg_cli *cli, int argc, char **argv);
int cmd_check(rg_cli *cli, int argc, char **argv);
int cmd_compare(rg_cli *cli, int argc, char **argv);

/* "regsosek-geo: join: <message>" on stderr; returns EXIT_FAIL. */
int cli_fail(rg_cli *cli, int code);
/* A usage error: message, then a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(rg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Informational line on stderr unless -q. */
void cli_say(rg_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The notice callback: warnings always, info with -v, progress on a terminal. */
void cli_notice(rg_notice_level level, const char *message, void *userdata);
int cli_open_store(rg_cli *cli, const char *db, rg_store **out);
/* The same for the steps that only read it (check, export, rank): creates nothing. */
int cli_open_existing_store(rg_cli *cli, const char *db, rg_store **out);
/* The rules at path, or the built-in ones when path is NULL; an exit status. Caller owns *out. */
int cli_read_rules(rg_cli *cli, const char *path, rg_rules **out);

/* Options shared by load/join/classify/export and run: ids above any character. */
enum {
    OPT_DB = 256, OPT_ID, OPT_LAT, OPT_LON, OPT_SIZE, OPT_SPENDING, OPT_CODE, OPT_CODE_PARTS, OPT_CLASS, OPT_DESIL, OPT_RANK, OPT_EDITION, OPT_CARRY, OPT_LAYER,
    OPT_REPLACE, OPT_APPEND, OPT_FIX_SWAPPED, OPT_MAX_REJECT_RATE, OPT_CRS, OPT_X, OPT_Y, OPT_COLUMNS,
    OPT_MAX_DISTANCE, OPT_THREADS, OPT_KEL_LAYER, OPT_KEL_CODE, OPT_KEL_NAME, OPT_KEC_LAYER, OPT_KEC_CODE, OPT_KEC_NAME, OPT_REPREPARE,
    OPT_RULES, OPT_PRINT_RULES, OPT_LAYERS, OPT_FORMAT, OPT_OVERWRITE, OPT_FIELDS, OPT_PUBLIC, OPT_MIN_COUNT, OPT_UNLOCATED_AT, OPT_ONLY, OPT_SCHEMA, OPT_BASEMAP, OPT_BASEMAP_CREDIT, OPT_HELP
};

/* Takes one parsed option into opts: 1 taken, 0 not this command's, -1 bad value (reported). */
typedef int (*cli_option_fn)(rg_cli *cli, int opt, const char *arg, void *opts);

/*
 * Parses a subcommand's options with getopt_long: --help prints help(), --db sets *db,
 * the rest go to take(). Returns -1 when the command should go on with argv[optind..],
 * or the exit status to return now (after --help, or a usage error).
 */
int cli_parse(rg_cli *cli, int argc, char **argv, const struct option *options, const char *shortopts,
              void (*help)(void), cli_option_fn take, void *opts, const char **db);

/* Each returns 1 when it took the option, 0 when the option is not its own, -1 on a bad value. */
int cli_load_option(rg_cli *cli, int opt, const char *arg, rg_load_opts *o);
int cli_join_option(rg_cli *cli, int opt, const char *arg, rg_join_opts *o);
int cli_export_option(rg_cli *cli, int opt, const char *arg, rg_export_opts *o);

#define CLI_LOAD_OPTIONS                                                                                       \
    {"id", required_argument, NULL, OPT_ID}, {"lat", required_argument, NULL, OPT_LAT},                       \
        {"lon", required_argument, NULL, OPT_LON}, {"size", required_argument, NULL, OPT_SIZE},               \
        {"spending", required_argument, NULL, OPT_SPENDING}, {"code", required_argument, NULL, OPT_CODE},     \
        {"code-parts", required_argument, NULL, OPT_CODE_PARTS},                                              \
        {"class", required_argument, NULL, OPT_CLASS}, {"layer", required_argument, NULL, OPT_LAYER},         \
        {"desil", required_argument, NULL, OPT_DESIL}, {"rank", required_argument, NULL, OPT_RANK},           \
        {"edition", required_argument, NULL, OPT_EDITION}, {"carry-decisions", no_argument, NULL, OPT_CARRY}, \
        {"fix-swapped", no_argument, NULL, OPT_FIX_SWAPPED},                                                  \
        {"max-reject-rate", required_argument, NULL, OPT_MAX_REJECT_RATE},                                    \
        {"crs", required_argument, NULL, OPT_CRS}, {"x", required_argument, NULL, OPT_X},                     \
        {"y", required_argument, NULL, OPT_Y}, {"columns", required_argument, NULL, OPT_COLUMNS}

#define CLI_JOIN_OPTIONS                                                                                       \
    {"max-distance", required_argument, NULL, OPT_MAX_DISTANCE},                                              \
        {"threads", required_argument, NULL, OPT_THREADS},                                                    \
        {"kelurahan-layer", required_argument, NULL, OPT_KEL_LAYER},                                          \
        {"kelurahan-code", required_argument, NULL, OPT_KEL_CODE},                                            \
        {"kelurahan-name", required_argument, NULL, OPT_KEL_NAME},                                            \
        {"kecamatan-layer", required_argument, NULL, OPT_KEC_LAYER},                                          \
        {"kecamatan-code", required_argument, NULL, OPT_KEC_CODE},                                            \
        {"kecamatan-name", required_argument, NULL, OPT_KEC_NAME},                                            \
        {"reprepare", no_argument, NULL, OPT_REPREPARE}

#define CLI_EXPORT_OPTIONS                                                                                     \
    {"layers", required_argument, NULL, OPT_LAYERS}, {"overwrite", no_argument, NULL, OPT_OVERWRITE},         \
        {"format", required_argument, NULL, OPT_FORMAT},                                                      \
        {"fields", required_argument, NULL, OPT_FIELDS}, {"public", no_argument, NULL, OPT_PUBLIC},            \
        {"min-count", required_argument, NULL, OPT_MIN_COUNT},                                               \
        {"unlocated-at", required_argument, NULL, OPT_UNLOCATED_AT}, {"only", required_argument, NULL, OPT_ONLY},      \
        {"schema", required_argument, NULL, OPT_SCHEMA}

#define CLI_EXPORT_HELP                                                                                        \
    "  --layers LIST         comma-separated: provinsi,kabkota,kecamatan,kelurahan,households (default all),\n"  \
    "                        and sls (an SLS map's SLS, written only when named)\n"                      \
    "  --only CODE           one area's map: the provinsi, kab/kota, kecamatan or kelurahan CODE (either\n"    \
    "                        scheme: 53.71 or 5371), the areas and households in it, and its parents\n"      \
    "  --overwrite           replace an existing OUTPUT\n"                                                     \
    "  -f, --format NAME     GPKG, GeoJSON, GeoJSONSeq or FlatGeobuf (default: from OUTPUT's ending:\n"        \
    "                        .gpkg .geojson .geojsonl .geojsons .fgb)\n"                                        \
    "  --fields LIST         add household fields beyond the allow-list, on purpose (e.g. spending,\n"        \
    "                        or an input column such as nik): they are personal data\n"                      \
    "  --public              only the area summaries, small counts suppressed\n"                               \
    "  --min-count N         with --public: counts from 1 to N-1 are shown as NULL (default 5)\n"          \
    "  --unlocated-at area   draw households without a GPS point at a point inside their kelurahan\n"       \
    "                        (point_source = area; not their dwelling); default: rows without geometry\n"  \
    "  --schema NAME         PG: output: the schema of the national tables (default regsosek, or\n"       \
    "                        regsosek_public with --public)\n"

#define CLI_LOAD_HELP                                                                                          \
    "  --id COL, --lat COL, --lon COL   name the id and coordinate columns (detected by default:\n"           \
    "                        household_id/id_keluarga, latitude/lat/lintang, longitude/lon/lng/bujur)\n"       \
    "  --size COL, --spending COL, --code COL, --class COL\n"                                                 \
    "                        household size, monthly spending, reported area code, given class\n"             \
    "  --desil COL, --rank COL  a national desil given with each family (DTSEN: desil, desil_nasional,\n"   \
    "                        'Desil 3') and the national rank that orders it (peringkat): read by\n"       \
    "                        classify's method given_desil\n"                                              \
    "  --edition NAME        what this load is called (e.g. 2025-Q3), recorded in every export and read\n"  \
    "                        by compare (default: the edition replaced, or the input file's date)\n"   \
    "  --carry-decisions     with --replace by a new edition: the forum's decisions of the edition\n"   \
    "                        replaced apply to it too (each only where its family is in the same desa)\n" \
    "  --code-parts P,K,C,D[,S]  the area code in separate columns: provinsi, kab/kota, kecamatan,\n"          \
    "                        desa[, SLS] (detected by default: r101..r105, kode_prov..kode_sls);\n"        \
    "                        numbers that lost their leading zeros are padded\n"                            \
    "                        A row without a point is kept when its code names a desa/kelurahan:\n"        \
    "                        the join places it there\n"                                                    \
    "  --crs CRS             the CRS of the coordinate columns, e.g. EPSG:32751 (default WGS84 lon/lat)\n"    \
    "  --x COL, --y COL      the easting and northing columns of a projected CRS\n"                         \
    "  --columns SPEC        keep only these other columns, renamed and typed:\n"                             \
    "                        SOURCE[=TARGET][:text|integer|real],... (default: all, as text)\n"              \
    "  --layer NAME          the layer of a multi-layer OGR source\n"                                         \
    "  --fix-swapped         swap latitude/longitude back where they are clearly swapped\n"                   \
    "  --max-reject-rate R   fail, loading nothing, when more than R (0..1) of the rows are rejected\n"

#define CLI_JOIN_HELP                                                                                          \
    "  --max-distance M      points outside every polygon join the nearest one within M metres\n"             \
    "                        (default 500)\n"                                                                  \
    "  --threads N           threads locating points (default: one per core)\n"                                \
    "  --kelurahan-layer L, --kelurahan-code F, --kelurahan-name F\n"                                         \
    "  --kecamatan-layer L, --kecamatan-code F, --kecamatan-name F\n"                                         \
    "                        name the layers and fields (detected by default)\n"                             \
    "  --reprepare           read and repair the boundaries again even when the database holds them\n"       \
    "                        prepared from the same file (same SHA-256) with the same choices\n"

/* Usage errors in export options that only show in combination; an exit status or -1 to go on. */
int cli_check_export(rg_cli *cli, const rg_export_opts *o);

/* Checks an export's output before any work (a usage error for an output no export writes,
 * a failure for one that exists without --overwrite) and names its files into *plan (the
 * caller frees it with rg_export_plan_free()). -1 to go on, or the exit status. */
int cli_plan_export(rg_cli *cli, const char *output, const rg_export_opts *o, rg_export_plan *plan);
/* rank and pack: no arguments, an -o, and --kelurahan or --all; -1 to go on, or the exit status. */
int cli_check_area_choice(rg_cli *cli, int extra_args, const char *output, int all, const char *kelurahan);
/* "wrote FILE" for each file of the plan. */
void cli_say_written(rg_cli *cli, const rg_export_plan *plan);

/* Seconds on a monotonic clock; with -v, "COMMAND: took N s" since started. */
double cli_seconds(void);
void cli_detail_elapsed(rg_cli *cli, double started);

void cli_print_load(rg_cli *cli, const char *path, const rg_load_stats *s);
void cli_print_join(rg_cli *cli, const rg_join_report *r);
void cli_print_classify(rg_cli *cli, const rg_classify_report *r);
/* The kab/kota total rows, and what poverty_rate means under the rules, at the end of
 * classify and run. */
void cli_print_totals(rg_cli *cli, rg_store *store, const rg_rules *rules);

#endif
