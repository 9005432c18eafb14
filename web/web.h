/*
 * web.h: the public poverty map as a static web site. One folder any web server can host
 * (no map server, no range requests, no CDN): index.html, OpenLayers, the areas of every
 * level as vector tiles, each area's figures as JSON, a search index, and the public
 * GeoPackage and CSV summaries to download. It holds only what `export --public` holds:
 * the same suppressed counts, read back from that very GeoPackage, never a household.
 */
#ifndef RG_WEB_H
#define RG_WEB_H

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int overwrite;             /**< replace a site this tool wrote before (never another folder) */
    int min_count;             /**< counts from 1 to min_count - 1 are suppressed */
    const char *command_line;  /**< recorded in the public GeoPackage; may be NULL */
    const char *basemap;       /**< an XYZ URL template ({z}/{x}/{y}) drawn under the map; NULL: none,
                                    the site then asks nothing of any other server */
    const char *basemap_credit; /**< the basemap's attribution, shown on the map as text; required with
                                     basemap (its tiles come with a licence) */
} rg_web_opts;

#define RG_WEB_OPTS_INIT {0, 5, NULL, NULL, NULL}

/**
 * Checks that dir can receive a site, creating nothing: it must not exist, or (with
 * opts->overwrite) be a site this tool wrote (it holds site.json of ours) or empty; basemap,
 * when given, must be an http(s) template with {z}, {x} and {y}, and come with its credit.
 * @return RG_OK, RG_EEXIST (dir exists, overwrite off), RG_EINVAL (the message says why).
 */
int rg_web_check(rg_ctx *ctx, const char *dir, const rg_web_opts *opts);

/**
 * Writes the site into dir. Everything is written into a hidden folder beside dir and
 * swapped into place only when complete, so a crash or a full disk leaves the previous
 * site whole, never a half-written one; a killed writer's folder is removed by the next.
 * The site's files read as the umask lets (it is public). File names made from area codes
 * are escaped, so no code can name a path outside dir.
 * @return RG_OK, RG_EEXIST, RG_EINVAL (as rg_web_check()), RG_EDATA (nothing classified
 *   yet), RG_EGDAL, RG_EIO, RG_ESQL, RG_ENOMEM.
 */
int rg_web_write(rg_store *store, const char *dir, const rg_web_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
