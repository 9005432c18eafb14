/* Shared inside geo/ only. */
#ifndef RG_GEO_INTERNAL_H
#define RG_GEO_INTERNAL_H

#include "core/internal.h"
#include "geo/geo.h"

#include <ogr_api.h>
#include <sys/types.h>

/*
 * An area's polygon is not kept in memory: the 84,000 kelurahan of the country are 28
 * million vertices, more than a gigabyte as GEOS geometries. Each is written as WKB to a
 * scratch file when read (or dissolved) and read back by whoever needs it: a locator
 * keeps only the few it is using prepared. The file is unlinked as soon as it is made.
 */
/* Levels above an area's: kecamatan, kab/kota, provinsi above a desa; the desa too above an
 * SLS. */
#define RG_GEO__UPPER_NAMES 4

typedef struct {
    char *code, *name, *parent, *alt_code;
    /* The names of its parent, grandparent, ... as its own layer gives them (a desa layer's
     * nama_kec, nama_kab, nama_prov): a level dissolved from this one takes them. */
    char *upper_names[RG_GEO__UPPER_NAMES];
    off_t wkb_at;          /* the polygon's WKB in the scratch file */
    size_t wkb_size;
    double bounds[4];      /* minx, miny, maxx, maxy */
    int coordinates;       /* vertices, for a locator's memory budget */
    int repaired;
    rg_urban_rural area_type;
} rg_geo__area;

struct rg_areas {
    rg_ctx *ctx;
    rg_geo__area *items;
    size_t count, cap;
    GEOSSTRtree *tree;
    int scratch_fd;
    char scratch_path[4096]; /* for messages: the file itself is already unlinked */
    atomic_llong scratch_end;
};

/* Empty areas with their scratch file (in $TMPDIR, else /var/tmp). Caller owns *out. */
int rg_geo__areas_new(rg_areas **out, rg_ctx *ctx);
/* Writes g's WKB to the scratch file and fills area's wkb_at, wkb_size, bounds and
 * coordinates; g stays the caller's. Safe from any thread with its own ctx. */
int rg_geo__areas_put(rg_areas *areas, rg_ctx *ctx, const GEOSGeometry *g, rg_geo__area *area);
/* The same for a polygon already in WKB (Polygon or MultiPolygon, XY); the caller fills
 * area's bounds and coordinates. wkb stays the caller's. */
int rg_geo__areas_put_wkb(rg_areas *areas, rg_ctx *ctx, const unsigned char *wkb, size_t size, rg_geo__area *area);
/* Area i's polygon read back from the scratch file, through buf (the caller's, reused).
 * Safe from any thread with its own ctx. Caller owns *out (GEOSGeom_destroy_r with
 * ctx's handle). @return RG_OK, RG_EIO, RG_EGEOS, RG_ENOMEM (message on ctx). */
int rg_geo__areas_geom(const rg_areas *areas, rg_ctx *ctx, size_t i, rg_buf *buf, GEOSGeometry **out);
/* Area i's polygon as WKB into `into`, which has room for its wkb_size bytes. Safe from any
 * thread with its own ctx. @return RG_OK, RG_EIO. */
int rg_geo__areas_read_wkb(const rg_areas *areas, rg_ctx *ctx, size_t i, void *into);
/* Sorts by code, rejects duplicates and builds the STRtree, before any thread shares it.
 * (Prepared geometries belong to each locator, see index.c.) */
int rg_geo__areas_finish(rg_areas *areas, const char *source);
/* Appends an area, taking ownership of its strings. */
int rg_geo__areas_add(rg_areas *areas, rg_geo__area *area);
void rg_geo__area_clear(rg_geo__area *area);

/* boundaries.c, for the layers sls.c reads. The field of defn named wanted (when given) or
 * the first of candidates, compared in lower case with spaces and dashes as '_'; -1 when
 * none. */
int rg_geo__find_field(OGRFeatureDefnH defn, const char *wanted, const char *const *candidates);
/* A field's value trimmed of spaces, or NULL when unset or blank. Caller frees. */
char *rg_geo__dup_field(OGRFeatureH f, int index);
/* The transformation from the layer's CRS to EPSG:4326 (an OGRCoordinateTransformationH);
 * *ct stays NULL when it is 4326 already or says nothing. Caller owns *ct
 * (rg_io_crs_free). */
int rg_geo__layer_transform(rg_ctx *ctx, const char *path, OGRLayerH layer, const char *what, void **ct);
/* Feature f's polygon, checked and repaired as every level's are, added to areas under
 * *attributes (code, names, parent: taken, *attributes left empty), or skipped with a
 * warning naming path, what (the level) and the feature. ct: to EPSG:4326, or NULL.
 * @return RG_OK (added or skipped), RG_EDATA (a code that cannot name an area), RG_EGEOS,
 * RG_EPROJ, RG_EIO, RG_ENOMEM. */
int rg_geo__feature_area(rg_areas *areas, rg_ctx *ctx, const char *path, const char *what, OGRFeatureH f,
                         void *ct, rg_geo__area *attributes);

/* sls.c: BPS's wilkerstat SLS map (one layer of sub-SLS with kdprov .. kdsls, idsls, nm*
 * fields, whatever the layer is named) as the parts the desa/kelurahan are dissolved from:
 * each feature with its SLS code, its desa as parent, and nmdesa, nmkec, nmkab, nmprov as
 * the names above it. @return RG_OK, RG_ENOTFOUND (no such layer: no message), RG_EGDAL,
 * RG_EDATA, RG_EGEOS, RG_EIO, RG_ENOMEM. Caller owns *out; free with rg_geo_areas_free(). */
int rg_geo__sls_read(rg_areas **out, rg_ctx *ctx, const char *path);

/* sls_check.c: says how far an SLS map and the desa layer beside it disagree: SLS naming a
 * desa the layer lacks, SLS lying partly outside their desa polygon (how many, over half of
 * their area, the worst). Notices only. @return RG_OK, RG_EIO, RG_EGEOS, RG_ENOMEM. */
int rg_geo__sls_check(rg_ctx *ctx, const char *path, const rg_areas *sls, const rg_areas *kelurahan);

/* wkb.c: WKB read without GEOS. A reader over p..end, swap when its byte order is not the
 * machine's (set by rg_geo__wkb_header). Each call steps past what it read. @return RG_OK
 * or RG_EDATA (truncated, or no WKB). */
typedef struct {
    const unsigned char *p, *end;
    int swap;
} rg_geo__wkb_reader;
int rg_geo__wkb_u32(rg_geo__wkb_reader *r, uint32_t *value);
int rg_geo__wkb_header(rg_geo__wkb_reader *r, uint32_t *type);
/* Whether a Polygon or MultiPolygon (XY) has a hole: 1, 0, or -1 when it is no such WKB. */
int rg_geo__wkb_has_holes(const unsigned char *wkb, size_t size);

/* gaps.c: fills the holes of each area of made that are gaps between its parts (small, and
 * covered by no part of another area) and says how many. parts must be finished (their
 * tree built). @return RG_OK, RG_ENOMEM, RG_EIO, RG_EGEOS. */
int rg_geo__fill_gaps(rg_areas *made, const rg_areas *parts, const char *what);

/* outline.c: the areas of a level the file gives (given), each with the union of its parts
 * (the level below, by parent code) as its polygon, or its own where no part names it;
 * codes, names and types are the layer's. Reports the share of area where the layer and the
 * union differ. Caller owns *out. @return RG_OK or an error of rg_geo_areas_dissolve(). */
int rg_geo__outline(rg_areas **out, rg_ctx *ctx, const char *path, const rg_areas *given, const rg_areas *parts,
                    rg_area_kind kind);

/* The parent of a code of a level above kelurahan, in its scheme ("5371010" -> "5371"), or NULL
 * when it has none or memory runs out. Caller owns; free with rg_free(). */
char *rg_geo__parent_of_code(const char *code);

/*
 * The union of polygons that form a clean coverage (neighbours share their borders vertex for
 * vertex and do not overlap), from their edges: shared edges cancel and what is left is traced
 * into rings (coverage.c). Reusable from group to group; one per thread.
 */
typedef struct rg_geo__coverage rg_geo__coverage;
/* Caller owns *out; free with rg_geo__coverage_free() (NULL is a no-op). @return RG_OK, RG_ENOMEM. */
int rg_geo__coverage_new(rg_geo__coverage **out);
void rg_geo__coverage_free(rg_geo__coverage *c);
/* Forgets the parts added, keeping the memory for the next group. */
void rg_geo__coverage_reset(rg_geo__coverage *c);
/* Adds a part: a Polygon or MultiPolygon as XY WKB (borrowed). @return RG_OK, RG_EDATA (not
 * such WKB, or a coordinate not finite), RG_ENOMEM. */
int rg_geo__coverage_add(rg_geo__coverage *c, const unsigned char *wkb, size_t size);
/* The union of the parts added, as a little-endian XY MultiPolygon, shells counter-clockwise
 * and largest first, with its bounds and vertex count. *clean = 0 (and *wkb NULL) when the
 * parts are no clean coverage: they overlap, or leave edges that lead nowhere. Edges that
 * cross are not seen: check the result's validity. Caller owns *wkb; free with rg_free().
 * @return RG_OK, RG_ENOMEM. */
int rg_geo__coverage_union(rg_geo__coverage *c, unsigned char **wkb, size_t *size, double bounds[4], long *vertices,
                           int *clean);

/* The polygon vertices the locator keeps prepared (default 65,536; at least one polygon
 * is always kept). */
void rg_geo__locator_keep(rg_locator *locator, long coordinates);

/* rg_geo_locate() for a point the caller already made (pt borrowed, at lon/lat), so
 * one GEOS point serves the kelurahan and the kecamatan lookup of a household. */
int rg_geo__locate_point(rg_locator *locator, const GEOSGeometry *pt, double lon, double lat,
                         double max_distance_m, rg_match *out);

/* The areas of one level (RG_LEVEL_DESA: the kelurahan; RG_LEVEL_KECAMATAN) by their codes,
 * in either scheme the boundaries carry (place.c); areas may be NULL (an empty index). Caller
 * owns *out; free with rg_geo__code_index_free(). areas must outlive it. */
typedef struct rg_geo__code_index rg_geo__code_index;
int rg_geo__code_index_new(const rg_areas *areas, rg_area_level level, rg_geo__code_index **out);
void rg_geo__code_index_free(rg_geo__code_index *idx);
/* The area of the index's level a reported code names (the code of a finer area names its
 * ancestor), or -1 (no such area, or the code is coarser than the level). */
long rg_geo__code_index_find(const rg_geo__code_index *idx, const char *reported);

/* rg_geo_boundaries_prepare() that also hands over the prepared areas, read back from the
 * store when they were there already: the kelurahan, the kecamatan, and the SLS of an SLS
 * map (*sls NULL for other boundaries). Caller owns *kel, *kec and *sls. */
int rg_geo__boundaries(rg_store *store, const char *path, const rg_join_opts *opts, rg_boundaries_report *r,
                       rg_areas **kel, rg_areas **kec, rg_areas **sls);

#endif
