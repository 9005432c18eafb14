#include "cli/cli.h"

#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_fail(rg_cli *cli, int code)
{
    const char *msg = rg_ctx_errmsg(cli->ctx);
    fprintf(stderr, "regsosek-geo: %s: %s\n", cli->command, msg[0] ? msg : rg_strerror(code));
    return EXIT_FAIL;
}

int cli_usage_error(rg_cli *cli, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "regsosek-geo: %s: ", cli->command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'regsosek-geo %s --help'.\n", cli->command);
    return EXIT_USAGE;
}

void cli_say(rg_cli *cli, const char *fmt, ...)
{
    if (cli->quiet)
        return;
    va_list ap;
    fprintf(stderr, "regsosek-geo: %s: ", cli->command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_notice(rg_notice_level level, const char *message, void *userdata)
{
    rg_cli *cli = userdata;
    switch (level) {
    case RG_NOTICE_PROGRESS:
        if (!cli->quiet && isatty(STDERR_FILENO))
            fprintf(stderr, "\r%s\033[K", message);
        break;
    case RG_NOTICE_INFO:
        if (!cli->quiet)
            fprintf(stderr, "regsosek-geo: %s: %s\n", cli->command, message);
        break;
    case RG_NOTICE_DETAIL:
        if (cli->verbose && !cli->quiet)
            fprintf(stderr, "regsosek-geo: %s: %s\n", cli->command, message);
        break;
    case RG_NOTICE_WARNING:
        fprintf(stderr, "regsosek-geo: %s: warning: %s\n", cli->command, message);
        break;
    }
}

int cli_open_store(rg_cli *cli, const char *db, rg_store **out)
{
    int rc = rg_io_store_open(out, cli->ctx, db ? db : DEFAULT_DB);
    return rc == RG_OK ? EXIT_OK : cli_fail(cli, rc);
}

int cli_open_existing_store(rg_cli *cli, const char *db, rg_store **out)
{
    int rc = rg_io_store_open_existing(out, cli->ctx, db ? db : DEFAULT_DB);
    return rc == RG_OK ? EXIT_OK : cli_fail(cli, rc);
}

int cli_parse(rg_cli *cli, int argc, char **argv, const struct option *options, const char *shortopts,
              void (*help)(void), cli_option_fn take, void *opts, const char **db)
{
    int c;
    /* Our own messages name the command and point to its --help; a leading ':' makes
     * getopt tell a missing value from an unknown option. */
    char spec[32];
    snprintf(spec, sizeof spec, ":%s", shortopts);
    opterr = 0;
    while ((c = getopt_long(argc, argv, spec, options, NULL)) != -1) {
        if (c == OPT_HELP) {
            help();
            return EXIT_OK;
        }
        if (c == OPT_DB) {
            *db = optarg;
            continue;
        }
        /* A short option inside a group ("-zq") leaves optind where it was: name it by optopt. */
        if ((c == '?' || c == ':') && optopt > ' ' && optopt < 127)
            return cli_usage_error(cli, "%s '-%c'", c == ':' ? "missing value for" : "unknown option", optopt);
        if (c == '?' || c == ':')
            return cli_usage_error(cli, "%s '%s'", c == ':' ? "missing value for" : "unknown option", argv[optind - 1]);
        int took = take(cli, c, optarg, opts);
        if (took < 0)
            return EXIT_USAGE;
        if (!took)
            return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
    }
    return -1;
}

static int parse_double(rg_cli *cli, const char *name, const char *arg, double lo, double hi, double *out)
{
    char *end = NULL;
    double v = strtod(arg, &end);
    /* NaN compares false both ways: only a finite number inside the range passes. */
    if (end == arg || *end || !isfinite(v) || !(v >= lo && v <= hi)) {
        cli_usage_error(cli, "--%s: '%s' is not a number from %g to %g", name, arg, lo, hi);
        return -1;
    }
    *out = v;
    return 1;
}

int cli_load_option(rg_cli *cli, int opt, const char *arg, rg_load_opts *o)
{
    switch (opt) {
    case OPT_ID: o->id_column = arg; return 1;
    case OPT_LAT: o->lat_column = arg; return 1;
    case OPT_LON: o->lon_column = arg; return 1;
    case OPT_SIZE: o->size_column = arg; return 1;
    case OPT_SPENDING: o->spending_column = arg; return 1;
    case OPT_CODE: o->code_column = arg; return 1;
    case OPT_CODE_PARTS: o->code_parts = arg; return 1;
    case OPT_CLASS: o->class_column = arg; return 1;
    case OPT_DESIL: o->desil_column = arg; return 1;
    case OPT_RANK: o->rank_column = arg; return 1;
    case OPT_EDITION:
        if (rg_load_edition_check(cli->ctx, arg) != RG_OK) {
            cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
            return -1;
        }
        o->edition = arg;
        return 1;
    case OPT_CARRY: o->carry_decisions = 1; return 1;
    case OPT_LAYER: o->layer = arg; return 1;
    case OPT_REPLACE: o->mode = RG_LOAD_REPLACE; return 1;
    case OPT_APPEND: o->mode = RG_LOAD_APPEND; return 1;
    case OPT_FIX_SWAPPED: o->fix_swapped = 1; return 1;
    case OPT_CRS: o->crs = arg; return 1;
    case OPT_X: o->lon_column = arg; return 1;
    case OPT_Y: o->lat_column = arg; return 1;
    case OPT_COLUMNS: o->columns = arg; return 1;
    case OPT_MAX_REJECT_RATE: return parse_double(cli, "max-reject-rate", arg, 0, 1, &o->max_reject_rate);
    default: return 0;
    }
}

int cli_join_option(rg_cli *cli, int opt, const char *arg, rg_join_opts *o)
{
    switch (opt) {
    case OPT_MAX_DISTANCE: return parse_double(cli, "max-distance", arg, 0, 1e6, &o->max_distance_m);
    case OPT_THREADS: {
        double v = 0;
        if (parse_double(cli, "threads", arg, 1, 64, &v) < 0)
            return -1;
        o->threads = (int)v;
        return 1;
    }
    case OPT_KEL_LAYER: o->kelurahan.layer = arg; return 1;
    case OPT_KEL_CODE: o->kelurahan.code_field = arg; return 1;
    case OPT_KEL_NAME: o->kelurahan.name_field = arg; return 1;
    case OPT_KEC_LAYER: o->kecamatan.layer = arg; return 1;
    case OPT_KEC_CODE: o->kecamatan.code_field = arg; return 1;
    case OPT_KEC_NAME: o->kecamatan.name_field = arg; return 1;
    case OPT_REPREPARE: o->reprepare = 1; return 1;
    default: return 0;
    }
}

int cli_export_option(rg_cli *cli, int opt, const char *arg, rg_export_opts *o)
{
    switch (opt) {
    case OPT_OVERWRITE: o->overwrite = 1; return 1;
    case 'f':
    case OPT_FORMAT: o->format = arg; return 1;
    case OPT_FIELDS: o->fields = arg; return 1;
    case OPT_PUBLIC: o->public_only = 1; return 1;
    case OPT_MIN_COUNT: {
        double v = 0;
        if (parse_double(cli, "min-count", arg, 1, 1000000, &v) < 0)
            return -1;
        if (v != (int)v) {
            cli_usage_error(cli, "--min-count: '%s' is not a whole number", arg);
            return -1;
        }
        o->min_count = (int)v;
        return 1;
    }
    case OPT_LAYERS:
        if (rg_export_layers_parse(cli->ctx, arg, &o->layers) != RG_OK) {
            cli_usage_error(cli, "--layers: %s", rg_ctx_errmsg(cli->ctx));
            return -1;
        }
        return 1;
    case OPT_UNLOCATED_AT:
        if (strcmp(arg, "area") != 0 && strcmp(arg, "none") != 0) {
            cli_usage_error(cli, "--unlocated-at: '%s': area or none", arg);
            return -1;
        }
        o->unlocated_at_area = strcmp(arg, "area") == 0;
        return 1;
    case OPT_ONLY: o->only = arg; return 1;
    case OPT_SCHEMA: o->schema = arg; return 1;
    default: return 0;
    }
}

int cli_check_export(rg_cli *cli, const rg_export_opts *o)
{
    if (o->public_only && o->fields)
        return cli_usage_error(cli, "--public and --fields do not go together: public maps carry no households");
    if (o->public_only && (o->layers & RG_LAYER_HOUSEHOLDS) && o->layers != RG_LAYER_ALL)
        return cli_usage_error(cli, "--public writes area summaries only, never households");
    return -1;
}

void cli_print_load(rg_cli *cli, const char *path, const rg_load_stats *s)
{
    if (cli->quiet)
        return;
    fprintf(stderr, "regsosek-geo: load: %s: %lld rows read, %lld loaded (%lld flagged), %lld rejected\n", path,
            (long long)s->rows_read, (long long)s->loaded, (long long)s->flagged, (long long)s->rejected);
    if (s->without_point)
        fprintf(stderr, "regsosek-geo: load:   %lld households have no usable point: the join places them by their"
                        " area code\n",
                (long long)s->without_point);
    for (int r = 0; r < RG_REJECT_COUNT; r++)
        if (s->by_reason[r])
            fprintf(stderr, "regsosek-geo: load:   rejected %-20s %lld\n", rg_load_reject_reason_name((rg_reject_reason)r),
                    (long long)s->by_reason[r]);
    if (s->rejected)
        fprintf(stderr, "regsosek-geo: load:   every rejected row is in the table `rejects` with its line and reason\n");
}

void cli_print_join(rg_cli *cli, const rg_join_report *r)
{
    if (cli->quiet)
        return;
    fprintf(stderr,
            "regsosek-geo: join: %lld households: %lld within, %lld on a boundary, %lld nearest"
            " (max %.1f m, median %.1f m), %lld placed by their area code, %lld unmatched\n",
            (long long)r->households, (long long)r->within, (long long)r->boundary, (long long)r->nearest,
            r->nearest_max_m, r->nearest_median_m, (long long)r->code, (long long)r->unmatched);
    if (r->without_point)
        fprintf(stderr, "regsosek-geo: join: %lld households without a point: %lld placed by code, %lld with a code"
                        " that names no kelurahan here\n",
                (long long)r->without_point, (long long)r->code, (long long)r->unknown_codes);
    fprintf(stderr,
            "regsosek-geo: join: %zu kelurahan, %zu kecamatan%s%s; %zu polygon%s repaired; %lld in overlapping"
            " kelurahan; %lld reported codes differ; %lld outside their kecamatan polygon\n",
            r->kelurahan, r->kecamatan, r->kecamatan_dissolved ? " (dissolved from kelurahan)" : "",
            r->boundaries_reused ? ", as prepared by an earlier join" : "", r->repaired, r->repaired == 1 ? "" : "s",
            (long long)r->overlaps, (long long)r->code_mismatches, (long long)r->kecamatan_mismatches);
    if (r->sls)
        fprintf(stderr, "regsosek-geo: join: %zu SLS: %lld households in the SLS their point lies in or their"
                        " 14-digit code names (column sls_code), %lld without one\n",
                r->sls, (long long)r->in_sls, (long long)(r->households - r->in_sls));
    if (r->sls_other_desa)
        fprintf(stderr, "regsosek-geo: join: %lld households lie in an SLS of another desa than the desa they"
                        " are placed in: they keep the desa, get no SLS, and are flagged sls_other_desa\n",
                (long long)r->sls_other_desa);
}

static void print_total(const rg_area_total *t, void *userdata)
{
    (void)userdata;
    int64_t classified = t->households - t->unclassified;
    int64_t poor = t->by_class[RG_CLASS_SANGAT_MISKIN] + t->by_class[RG_CLASS_MISKIN];
    fprintf(stderr,
            "regsosek-geo: classify: kab/kota %s total: %lld households, %lld sangat miskin, %lld miskin,"
            " %lld rentan miskin, %lld tidak miskin, %lld unclassified; poverty rate %.1f%%\n",
            t->code, (long long)t->households, (long long)t->by_class[RG_CLASS_SANGAT_MISKIN],
            (long long)t->by_class[RG_CLASS_MISKIN], (long long)t->by_class[RG_CLASS_RENTAN_MISKIN],
            (long long)t->by_class[RG_CLASS_TIDAK_MISKIN], (long long)t->unclassified,
            classified ? 100.0 * (double)poor / (double)classified : 0.0);
}

void cli_print_totals(rg_cli *cli, rg_store *store, const rg_rules *rules)
{
    if (cli->quiet)
        return;
    if (rg_classify_kabkota_totals(store, print_total, NULL) != RG_OK)
        fprintf(stderr, "regsosek-geo: classify: warning: %s\n", rg_ctx_errmsg(cli->ctx));
    char *definition = NULL;
    if (rg_classify_poverty_rate_definition(rules, &definition) == RG_OK)
        fprintf(stderr, "regsosek-geo: classify: %s\n", definition);
    rg_free(definition);
}

void cli_print_classify(rg_cli *cli, const rg_classify_report *r)
{
    if (r->decisions_not_applied)
        fprintf(stderr, "regsosek-geo: classify: warning: %lld forum decisions not applied: their households are now"
                        " in another kelurahan, or no longer loaded (kept in forum_decisions; listed in table"
                        " classify_issues)\n",
                (long long)r->decisions_not_applied);
    if (r->unreadable_desil)
        fprintf(stderr, "regsosek-geo: classify: warning: %lld households have no readable desil (1 to 10) and are"
                        " unclassified: each is listed with its line in table classify_issues\n",
                (long long)r->unreadable_desil);
    if (r->unreadable_ranks)
        fprintf(stderr, "regsosek-geo: classify: warning: %lld ranks (peringkat) are not numbers: those households"
                        " are ranked after the others of their desil (listed in table classify_issues)\n",
                (long long)r->unreadable_ranks);
    if (cli->quiet)
        return;
    fprintf(stderr, "regsosek-geo: classify: %lld households, %lld classified, %lld unclassified\n",
            (long long)r->households, (long long)r->classified, (long long)r->unclassified);
    for (int c = RG_CLASS_SANGAT_MISKIN; c <= RG_CLASS_TIDAK_MISKIN; c++)
        fprintf(stderr, "regsosek-geo: classify:   %-14s %8lld  %5.1f%%\n", rg_classify_class_name((rg_poverty_class)c),
                (long long)r->by_class[c], r->classified ? 100.0 * (double)r->by_class[c] / (double)r->classified : 0.0);
    if (r->no_poverty_line)
        fprintf(stderr, "regsosek-geo: classify:   %lld households have no poverty line for their area: see table"
                        " classify_issues\n",
                (long long)r->no_poverty_line);
    if (r->unreadable_classes)
        fprintf(stderr, "regsosek-geo: classify:   %lld given classes could not be read: see table classify_issues\n",
                (long long)r->unreadable_classes);
}

double cli_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void cli_detail_elapsed(rg_cli *cli, double started)
{
    if (cli->verbose && !cli->quiet)
        fprintf(stderr, "regsosek-geo: %s: took %.2f s\n", cli->command, cli_seconds() - started);
}

int cli_plan_export(rg_cli *cli, const char *output, const rg_export_opts *o, rg_export_plan *plan)
{
    int rc = rg_export_plan_make(cli->ctx, output, o, plan);
    /* A --schema the server would refuse is a usage error too, found before any work. */
    if (rc == RG_OK && rg_export_is_postgis(output) && o->schema &&
        (rc = rg_export_pg_target_check(cli->ctx, output, o->schema)) != RG_OK)
        rg_export_plan_free(plan);
    if (rc == RG_EINVAL)
        return cli_usage_error(cli, "%s", rg_ctx_errmsg(cli->ctx));
    return rc == RG_OK ? -1 : cli_fail(cli, rc);
}

void cli_say_written(rg_cli *cli, const rg_export_plan *plan)
{
    for (size_t i = 0; i < plan->count; i++)
        cli_say(cli, "wrote %s", plan->paths[i]);
}

int cli_check_area_choice(rg_cli *cli, int extra_args, const char *output, int all, const char *kelurahan)
{
    if (extra_args)
        return cli_usage_error(cli, "takes no arguments besides options");
    if (!output)
        return cli_usage_error(cli, "needs -o OUTPUT");
    if (!all == !kelurahan)
        return cli_usage_error(cli, "needs either --kelurahan CODE or --all");
    return -1;
}
