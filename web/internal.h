/*
 * internal.h: shared by the web module's files. The site is written into a working folder
 * (tmp) from the public GeoPackage the export wrote there; each part below fills its own
 * corner of that folder.
 */
#ifndef RG_WEB_INTERNAL_H
#define RG_WEB_INTERNAL_H

#include "core/internal.h"
#include "web/web.h"

#include <gdal.h>

/* A level of the map: its layer in the public GeoPackage, and the zooms its tiles are made
 * for (XYZ, as OpenLayers' 512-pixel grid counts them: a tile of zoom z is drawn at the view's
 * zoom z + 1). The site shows a level from its first view zoom to the next level's. */
typedef struct {
    const char *layer;
    int tile_min, tile_max;
} rg_web_level;

#define RG_WEB_LEVELS 5 /* the last, the SLS, only when the boundaries were an SLS map */
extern const rg_web_level rg_web__levels[RG_WEB_LEVELS];

/* Where the site's pieces go, relative to its folder. */
#define RG_WEB_GPKG "unduh/regsosek-publik.gpkg"

/* What rg_web__data() read of the public GeoPackage that site.json tells the page. */
typedef struct {
    double extent[4];     /* minx, miny, maxx, maxy of the kelurahan, EPSG:4326 */
    char **programmes;    /* NULL-terminated, CSL: free with CSLDestroy() */
    int64_t areas[RG_WEB_LEVELS];
    int levels;           /* the levels the map has: RG_WEB_LEVELS, or one fewer without SLS */
} rg_web_facts;

/** Writes tmp/tiles/LEVEL/z/x/y.pbf for the first `levels` levels from the GeoPackage at gpkg, each level
 * simplified for each of its zooms. @return RG_OK, RG_EGDAL, RG_ENOMEM. */
int rg_web__tiles(rg_ctx *ctx, const char *gpkg, const char *tmp, int levels);

/** Writes tmp/data/ (each area's figures, grouped by parent), tmp/search.json and the CSV
 * summaries of tmp/unduh/ from the GeoPackage at gpkg; fills *facts (the caller frees its
 * programmes). @return RG_OK, RG_EGDAL, RG_EIO, RG_EDATA (a code unfit to name a file),
 * RG_ENOMEM. */
int rg_web__data(rg_ctx *ctx, const char *gpkg, const char *tmp, rg_web_facts *facts);

/** Writes the page, its script and style, and OpenLayers into tmp. @return RG_OK, RG_EIO. */
int rg_web__assets(rg_ctx *ctx, const char *tmp);

/** Writes len bytes to tmp/rel (its folder made as needed). @return RG_OK or RG_EIO. */
int rg_web__file(rg_ctx *ctx, const char *tmp, const char *rel, const char *bytes, size_t len);

/** Makes the folder tmp/rel and those above it. @return RG_OK or RG_EIO. */
int rg_web__folder(rg_ctx *ctx, const char *tmp, const char *rel);

/* The folder as one (folder.c). */
/** Removes path and everything under it. */
void rg_web__remove_tree(const char *path);
/** Gives every file and folder under tmp the modes of a public output. @return RG_OK, RG_EIO. */
int rg_web__publish_modes(rg_ctx *ctx, const char *tmp);
/** Removes the working folders beside dir that writers since gone left. */
void rg_web__remove_stale(const char *dir);
/** Puts the finished tmp in dir's place in one step, then removes what dir held. @return RG_OK, RG_EIO. */
int rg_web__swap(rg_ctx *ctx, const char *tmp, const char *dir);

/** The GDAL/CPL error now, or what; for messages. Static storage of GDAL's, or what. */
const char *rg_web__gdal_error(const char *what);

#endif
