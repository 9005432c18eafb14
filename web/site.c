/*
 * export DIR -f web: the public GeoPackage first (the one place suppression is decided), then
 * everything the site shows read back from it, then the page, all in a working folder that
 * replaces DIR only when whole.
 */
#include "web/internal.h"

#include "export/export.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_error.h>
#include <cpl_string.h>

const char *rg_web__gdal_error(const char *what)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : what;
}

/* The poverty-rate classes and colours of export/styles/kelurahan.qml (scripts/make-styles.py's
 * RATE_BREAKS): a reader who knows the QGIS map reads the web map the same way. */
static const struct {
    double lower, upper;
    const char *colour;
} rate_classes[] = {
    {0.0, 0.1, "#ffffb2"}, {0.1, 0.2, "#fecc5c"}, {0.2, 0.3, "#fd8d3c"}, {0.3, 0.5, "#f03b20"}, {0.5, 1.0, "#bd0026"},
};
#define HIDDEN_COLOUR "#737373" /* the hatching of a suppressed area, on white */
#define NODATA_COLOUR "#d9d9d9"

/* The export's own account of itself, as the QGIS project shows it. */
static const char *const metadata_items[] = {"CREATED", "EDITION", "METHOD", "POVERTY_RATE", "INPUTS",
                                             "BOUNDARIES", "HOUSEHOLDS", "MIN_COUNT", "DESIL_GIVEN_BY"};

/* A site of ours holds site.json naming its generator; only such a folder, or an empty one,
 * is replaced: --overwrite must not empty a folder a person pointed at by mistake. */
static int replaceable(const char *dir)
{
    char path[4096], head[256] = {0};
    snprintf(path, sizeof path, "%s/site.json", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(head, 1, sizeof head - 1, f);
        fclose(f);
        head[n] = '\0';
        return strstr(head, "\"generator\": \"regsosek-geo") != NULL;
    }
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int check_basemap(rg_ctx *ctx, const char *url, const char *credit)
{
    if (!url)
        return credit ? rg_ctx_error(ctx, RG_EINVAL, "--basemap-credit goes with --basemap") : RG_OK;
    if (!credit || !*credit)
        return rg_ctx_error(ctx, RG_EINVAL,
                            "--basemap %s: a basemap's tiles come with a licence: say whose they are with"
                            " --basemap-credit (e.g. '© OpenStreetMap contributors')",
                            url);
    int scheme = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
    if (!scheme || !strstr(url, "{z}") || !strstr(url, "{x}") || !strstr(url, "{y}") || strpbrk(url, "\"<>\\ "))
        return rg_ctx_error(ctx, RG_EINVAL,
                            "--basemap %s: expected an http(s) tile address with {z}, {x} and {y}"
                            " (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png)",
                            url);
    return RG_OK;
}

int rg_web_check(rg_ctx *ctx, const char *dir, const rg_web_opts *opts)
{
    struct stat sb;
    int rc = check_basemap(ctx, opts->basemap, opts->basemap_credit);
    if (rc != RG_OK || stat(dir, &sb) != 0)
        return rc;
    if (!S_ISDIR(sb.st_mode))
        return rg_ctx_error(ctx, RG_EINVAL, "%s: exists and is not a folder; a web map is a folder", dir);
    if (!opts->overwrite)
        return rg_ctx_error(ctx, RG_EEXIST, "%s: already exists; use --overwrite to replace it", dir);
    if (!replaceable(dir))
        return rg_ctx_error(ctx, RG_EINVAL,
                            "%s: is not empty and holds no web map of regsosek-geo (no site.json of ours):"
                            " it is not replaced; name a new folder",
                            dir);
    return RG_OK;
}

static int append_metadata(rg_buf *b, GDALDatasetH ds)
{
    int rc = rg__buf_appendf(b, "  \"metadata\": {");
    for (size_t i = 0; i < sizeof metadata_items / sizeof *metadata_items && rc == RG_OK; i++) {
        const char *v = GDALGetMetadataItem(ds, metadata_items[i], NULL);
        rc = rg__buf_appendf(b, "%s\n    ", i ? "," : "");
        rc = rc == RG_OK ? rg__buf_append_json_string(b, metadata_items[i]) : rc;
        rc = rc == RG_OK ? rg__buf_append(b, ": ", 2) : rc;
        rc = rc == RG_OK ? (v ? rg__buf_append_json_string(b, v) : rg__buf_append(b, "null", 4)) : rc;
    }
    return rc == RG_OK ? rg__buf_appendf(b, "\n  },\n") : rc;
}

static int append_levels(rg_buf *b, const rg_web_facts *facts)
{
    int rc = rg__buf_appendf(b, "  \"levels\": [");
    for (int i = 0; i < facts->levels && rc == RG_OK; i++)
        rc = rg__buf_appendf(b, "%s\n    {\"id\": \"%s\", \"tile_min\": %d, \"tile_max\": %d, \"areas\": %lld}",
                             i ? "," : "", rg_web__levels[i].layer, rg_web__levels[i].tile_min,
                             rg_web__levels[i].tile_max, (long long)facts->areas[i]);
    rc = rc == RG_OK ? rg__buf_appendf(b, "\n  ],\n  \"classes\": [") : rc;
    for (size_t i = 0; i < sizeof rate_classes / sizeof *rate_classes && rc == RG_OK; i++)
        rc = rg__buf_appendf(b, "%s\n    {\"lower\": %g, \"upper\": %g, \"colour\": \"%s\"}", i ? "," : "",
                             rate_classes[i].lower, rate_classes[i].upper, rate_classes[i].colour);
    rc = rc == RG_OK ? rg__buf_appendf(b, "\n  ],\n  \"hidden_colour\": \"" HIDDEN_COLOUR
                                          "\",\n  \"nodata_colour\": \"" NODATA_COLOUR "\",\n  \"programmes\": [")
                     : rc;
    for (int i = 0; facts->programmes && facts->programmes[i] && rc == RG_OK; i++) {
        rc = i ? rg__buf_append(b, ", ", 2) : RG_OK;
        rc = rc == RG_OK ? rg__buf_append_json_string(b, facts->programmes[i]) : rc;
    }
    return rc == RG_OK ? rg__buf_appendf(b, "],\n") : rc;
}

/* site.json: what the page needs to know (levels, legend, the export's metadata as the QGIS
 * project states it). */
static int site_json(rg_ctx *ctx, const char *gpkg, const char *tmp, const rg_web_facts *facts,
                     const rg_web_opts *opts)
{
    GDALDatasetH ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        return rg_ctx_error(ctx, RG_EGDAL, "%s: %s", gpkg, rg_web__gdal_error("cannot be read back"));
    rg_buf b = {0};
    int rc = rg__buf_appendf(&b, "{\n  \"generator\": \"regsosek-geo %s\",\n", RG_VERSION);
    rc = rc == RG_OK ? append_metadata(&b, ds) : rc;
    rc = rc == RG_OK ? append_levels(&b, facts) : rc;
    rc = rc == RG_OK ? rg__buf_appendf(&b, "  \"extent\": [%.6f, %.6f, %.6f, %.6f],\n  \"min_count\": %d,\n",
                                       facts->extent[0], facts->extent[1], facts->extent[2], facts->extent[3],
                                       opts->min_count)
                     : rc;
    rc = rc == RG_OK ? rg__buf_appendf(&b, "  \"basemap\": ") : rc;
    rc = rc == RG_OK ? (opts->basemap ? rg__buf_append_json_string(&b, opts->basemap) : rg__buf_append(&b, "null", 4))
                     : rc;
    rc = rc == RG_OK ? rg__buf_appendf(&b, ",\n  \"basemap_credit\": ") : rc;
    rc = rc == RG_OK ? (opts->basemap_credit ? rg__buf_append_json_string(&b, opts->basemap_credit)
                                             : rg__buf_append(&b, "null", 4))
                     : rc;
    rc = rc == RG_OK ? rg__buf_appendf(&b, ",\n  \"gpkg\": \"" RG_WEB_GPKG "\"\n}\n") : rc;
    GDALClose(ds);
    rc = rc == RG_OK ? rg_web__file(ctx, tmp, "site.json", b.data, b.len) : rc;
    rg__buf_free(&b);
    return rc;
}

/* The public GeoPackage, as `export --public` writes it (with the SLS of an SLS map): the
 * site's one source. */
static int write_public_gpkg(rg_store *store, const char *tmp, const rg_web_opts *opts, char *gpkg, size_t cap,
                             int *levels)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    int64_t sls = 0;
    int rc = rg_io_store_count(store, "SELECT count(*) FROM sls", &sls);
    rc = rc == RG_OK ? rg_web__folder(ctx, tmp, "unduh") : rc;
    *levels = RG_WEB_LEVELS - (sls == 0);
    snprintf(gpkg, cap, "%s/" RG_WEB_GPKG, tmp);
    rg_export_opts e = RG_EXPORT_OPTS_INIT;
    e.layers = RG_LAYER_AREAS | (sls ? RG_LAYER_SLS : 0);
    e.public_only = 1;
    e.min_count = opts->min_count;
    e.command_line = opts->command_line;
    e.format = "GPKG";
    return rc == RG_OK ? rg_export_run(store, gpkg, &e) : rc;
}

static int build(rg_store *store, const char *tmp, const rg_web_opts *opts)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    char gpkg[4096];
    rg_web_facts facts = {{0}, NULL, {0}, 0};
    int rc = write_public_gpkg(store, tmp, opts, gpkg, sizeof gpkg, &facts.levels);
    rc = rc == RG_OK ? rg_web__data(ctx, gpkg, tmp, &facts) : rc;
    rc = rc == RG_OK ? rg_web__tiles(ctx, gpkg, tmp, facts.levels) : rc;
    rc = rc == RG_OK ? site_json(ctx, gpkg, tmp, &facts, opts) : rc;
    rc = rc == RG_OK ? rg_web__assets(ctx, tmp) : rc;
    rc = rc == RG_OK ? rg_web__publish_modes(ctx, tmp) : rc;
    CSLDestroy(facts.programmes);
    return rc;
}

static int stat_ok(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

int rg_web_write(rg_store *store, const char *dir, const rg_web_opts *opts)
{
    static const rg_web_opts defaults = RG_WEB_OPTS_INIT;
    opts = opts ? opts : &defaults;
    rg_ctx *ctx = rg_io_store_ctx(store);
    char target[4096];
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') /* "site/" and "site" are one folder */
        n--;
    snprintf(target, sizeof target, "%.*s", (int)n, dir);
    int rc = rg_web_check(ctx, target, opts);
    rc = rc == RG_OK ? rg_io_store_step_require(store, RG_STEP_CLASSIFY, "nothing to publish yet") : rc;
    if (rc != RG_OK)
        return rc;
    GDALAllRegister();
    rg_web__remove_stale(target);
    char *tmp = rg_io_partial_name(target, "");
    if (!tmp)
        return RG_ENOMEM;
    if (mkdir(tmp, 0700) != 0)
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot write in its folder: %s", target, strerror(errno));
    rc = rc == RG_OK ? build(store, tmp, opts) : rc;
    rc = rc == RG_OK ? rg_web__swap(ctx, tmp, target) : rc;
    if (rc != RG_OK && rc != RG_ENOMEM) {
        /* The message may name the working folder: say which site it was, and that the old one stands. */
        char why[1024];
        snprintf(why, sizeof why, "%s", rg_ctx_errmsg(ctx));
        rg_ctx_error(ctx, rc, "%s: not written, %s: %s", target,
                     stat_ok(target) ? "the previous site is as it was" : "nothing is left of it", why);
    }
    if (rc != RG_OK)
        rg_web__remove_tree(tmp);
    rg_free(tmp);
    return rc;
}
