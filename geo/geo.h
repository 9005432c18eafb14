/*
 * geo.h: the spatial step. Area codes in both Indonesian schemes, kelurahan and
 * kecamatan polygons read from any OGR source, a point locator built on a GEOS
 * STRtree of prepared polygons, and the join that writes each household's areas
 * into the store.
 */
#ifndef RG_GEO_H
#define RG_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- areas */

/** The administrative levels, finest first; each nests in the next. */
typedef enum { RG_AREA_KELURAHAN, RG_AREA_KECAMATAN, RG_AREA_KABKOTA, RG_AREA_PROVINSI } rg_area_kind;
#define RG_AREA_KINDS 4

/** "kelurahan", "kecamatan", "kabkota", "provinsi": the level's table and layer. Static storage. */
const char *rg_geo_area_kind_name(rg_area_kind kind);

/** Names of layers and fields, each NULL to detect it. */
typedef struct {
    const char *layer;
    const char *code_field;
    const char *name_field;
    const char *parent_field; /**< kelurahan only: the kecamatan code */
} rg_area_source;

#define RG_AREA_SOURCE_INIT {NULL, NULL, NULL, NULL}

/** A set of polygons of one level with their codes, indexed for point location. */
typedef struct rg_areas rg_areas;

/**
 * Reads one level of boundaries from an OGR source, reprojecting to EPSG:4326,
 * repairing invalid polygons with GEOSMakeValid (each repair is a warning notice),
 * skipping empty geometries (a warning naming the feature), and builds the index.
 * The polygons wait on disk, not in memory: in a scratch file in $TMPDIR (else /var/tmp),
 * unlinked as soon as it is made, so it goes with the process however that ends.
 * @param ctx borrowed; must outlive *out (the areas use its GEOS handle).
 * @return RG_OK; RG_ENOTFOUND when no such layer (message lists the layers);
 *   RG_EDATA for missing fields or duplicate codes (message names them); RG_EGDAL,
 *   RG_EPROJ, RG_EGEOS, RG_EIO (the scratch file), RG_ENOMEM. Caller owns *out; free with rg_geo_areas_free().
 */
int rg_geo_areas_read(rg_areas **out, rg_ctx *ctx, const char *path, rg_area_kind kind,
                      const rg_area_source *source);

/**
 * Builds the level `kind` by dissolving the polygons of the level below (finer) that share a
 * parent code: kecamatan from kelurahan, kab/kota from kecamatan, provinsi from kab/kota.
 * Each new area takes its name from its parts' layer where that named the levels above
 * (nama_kec, nama_kab, wadmkk, ...), and its alternative code from theirs.
 * @return RG_OK, RG_EGEOS, RG_EIO, RG_ENOMEM. Caller owns *out; free with rg_geo_areas_free().
 */
int rg_geo_areas_dissolve(rg_areas **out, rg_ctx *ctx, const rg_areas *finer, rg_area_kind kind);

/** Frees the areas. rg_geo_areas_free(NULL) is a no-op. */
void rg_geo_areas_free(rg_areas *areas);

size_t rg_geo_areas_count(const rg_areas *areas);
/** Code, name, parent code and alternative (other scheme) code of area i; borrowed, NULL when absent. */
const char *rg_geo_areas_code(const rg_areas *areas, size_t i);
const char *rg_geo_areas_name(const rg_areas *areas, size_t i);
const char *rg_geo_areas_parent(const rg_areas *areas, size_t i);
const char *rg_geo_areas_alt_code(const rg_areas *areas, size_t i);
/** Whether area i had to be repaired. */
int rg_geo_areas_repaired(const rg_areas *areas, size_t i);
/** Area i's polygon as WKB (Polygon or MultiPolygon, XY). Caller owns *wkb; free with rg_free().
 * @return RG_OK, RG_EIO, RG_ENOMEM. */
int rg_geo_areas_wkb(const rg_areas *areas, rg_ctx *ctx, size_t i, unsigned char **wkb, size_t *size);
/** The index of the area with this code, or -1. */
long rg_geo_areas_find(const rg_areas *areas, const char *code);

/** BPS's classification of a desa/kelurahan as urban (perkotaan) or rural (perdesaan). */
typedef enum { RG_AREA_TYPE_ANY = 0, RG_AREA_URBAN, RG_AREA_RURAL } rg_urban_rural;

/** Reads perkotaan/kota/urban/1 and perdesaan/pedesaan/desa/rural/2 (any case, leading
 * spaces ignored); anything else, and NULL, is RG_AREA_TYPE_ANY (not known). */
rg_urban_rural rg_geo_urban_rural_parse(const char *text);
/** "perkotaan", "perdesaan", or NULL for RG_AREA_TYPE_ANY. Static storage. */
const char *rg_geo_urban_rural_name(rg_urban_rural type);
/** The urban/rural type of area i, from the kelurahan layer's classification field. */
rg_urban_rural rg_geo_areas_urban_rural(const rg_areas *areas, size_t i);

/* ---------------------------------------------------------------- locating points */

typedef enum {
    RG_JOIN_UNMATCHED = 0,
    RG_JOIN_WITHIN,   /**< strictly inside the polygon */
    RG_JOIN_BOUNDARY, /**< on a polygon's boundary */
    RG_JOIN_NEAREST,  /**< outside all, within the distance limit of the nearest */
    RG_JOIN_CODE      /**< no point: placed in the kelurahan its reported code names */
} rg_join_method;

/** The name written to join_method ("within", ...). Static storage. */
const char *rg_geo_join_method_name(rg_join_method method);

typedef struct {
    long area;             /**< index into the areas, -1 when unmatched */
    rg_join_method method;
    double distance_m;     /**< metres to the polygon for RG_JOIN_NEAREST, else 0 */
    int overlap;           /**< more than one polygon's interior holds the point */
} rg_match;

/** Reusable per-thread state for locating points; holds the candidate buffer. */
typedef struct rg_locator rg_locator;

/**
 * @param areas borrowed; must outlive the locator. ctx borrowed; the thread's context.
 * Caller owns *out; free with rg_geo_locator_free().
 */
int rg_geo_locator_new(rg_locator **out, rg_ctx *ctx, const rg_areas *areas);
void rg_geo_locator_free(rg_locator *locator);

/**
 * Finds the area of a point (lon/lat, EPSG:4326).
 * The rule, independent of input order: among polygons whose interior holds the point,
 * the one with the smallest code (RG_JOIN_WITHIN; overlap set when several); else among
 * polygons whose boundary holds it, the smallest code (RG_JOIN_BOUNDARY); else the
 * polygon at the smallest geodesic distance when it is at most max_distance_m away
 * (RG_JOIN_NEAREST); else RG_JOIN_UNMATCHED.
 * @return RG_OK, or RG_EGEOS.
 */
int rg_geo_locate(rg_locator *locator, double lon, double lat, double max_distance_m, rg_match *out);

/* ---------------------------------------------------------------- the join */

typedef struct {
    rg_area_source kelurahan;
    rg_area_source kecamatan;
    double max_distance_m;  /**< nearest-polygon fallback limit, metres on the ground */
    int threads;            /**< threads locating points; 0 = one per core */
    /* Memory, which does not grow with the number of households or polygons: */
    size_t sort_records;    /**< households each of the join's two external sorts holds before
                                 it writes a sorted run to disk; 0 = 65,536 */
    long kept_coordinates;  /**< polygon vertices each thread keeps prepared; 0 = 65,536 */
    int reprepare;          /**< prepare the boundaries again even when the store holds them */
    rg_area_source kabkota;  /**< layers missing from the file are dissolved from the level below */
    rg_area_source provinsi;
} rg_join_opts;

#define RG_JOIN_DEFAULT_MAX_DISTANCE_M 500.0
#define RG_JOIN_OPTS_INIT                                                                                      \
    {RG_AREA_SOURCE_INIT, RG_AREA_SOURCE_INIT, RG_JOIN_DEFAULT_MAX_DISTANCE_M, 0, 0, 0, 0, RG_AREA_SOURCE_INIT,   \
     RG_AREA_SOURCE_INIT}

/* ---------------------------------------------------------------- prepared boundaries */

typedef struct {
    size_t kelurahan, kecamatan;
    size_t repaired;          /**< polygons repaired with GEOSMakeValid */
    int kecamatan_dissolved;  /**< kecamatan were built from kelurahan */
    size_t kabkota, provinsi;
    int kabkota_dissolved;    /**< kab/kota were built from kecamatan */
    int provinsi_dissolved;   /**< provinsi were built from kab/kota */
    int reused;               /**< the store held them already: only the file's checksum was read */
    char sha256[65];          /**< of the boundary file; "" when it is not one file */
    char prepared[32];        /**< when reused: when they were prepared (UTC) */
    char prepared_from[512];  /**< when reused: the path they were prepared from then */
    size_t sls;               /**< SLS of an SLS map (table sls), 0 for other boundaries */
} rg_boundaries_report;

/**
 * Makes the boundaries at path ready in the store: reads the kelurahan, kecamatan, kab/kota
 * and provinsi layers (opts->kelurahan, ... name them; NULLs detect), repairs invalid
 * polygons, dissolves each level the file lacks from the level below by the parent code,
 * and writes the tables kelurahan, kecamatan, kabkota and provinsi and a boundary_sets
 * row, as a step of its own. When the store's
 * current boundaries came from a file with the same SHA-256, read with the same choices
 * (and opts->reprepare is off), nothing is read or written: report->reused says so.
 * A new set drops the join and the classes made with the old one.
 * @return RG_OK with *report filled (may be NULL), or an error of rg_geo_areas_read(),
 *   rg_geo_areas_dissolve(), RG_ESQL.
 */
int rg_geo_boundaries_prepare(rg_store *store, const char *path, const rg_join_opts *opts,
                              rg_boundaries_report *report);

typedef struct {
    int64_t households;
    int64_t within, boundary, nearest, code, unmatched; /**< by join_method; they sum to households */
    int64_t without_point;       /**< households the load kept without a point */
    int64_t unknown_codes;       /**< of those, unmatched: their code names no kelurahan here */
    int64_t overlaps;            /**< households in more than one kelurahan */
    int64_t code_mismatches;     /**< reported code differs from the spatial kelurahan */
    int64_t kecamatan_mismatches; /**< kecamatan polygon differs from the kelurahan's parent */
    double nearest_max_m, nearest_median_m;
    size_t kelurahan, kecamatan;
    size_t repaired;             /**< polygons repaired with GEOSMakeValid */
    int kecamatan_dissolved;     /**< kecamatan were built from kelurahan */
    int boundaries_reused;       /**< the boundaries were prepared by an earlier join */
    size_t sls;                  /**< SLS of an SLS map; 0 for other boundaries */
    int64_t in_sls;              /**< of the households, those given their SLS (point, or r101..r105 code) */
    int64_t sls_other_desa;      /**< placed in a desa by their point, but lying in an SLS of another */
} rg_join_report;

/**
 * Joins every household in the store to its kelurahan and kecamatan from the
 * boundaries at path, replacing any earlier join, in one transaction. The boundaries are
 * those prepared by rg_geo_boundaries_prepare() (which the join calls: it reads the file
 * only when the store does not hold it already). Writes household_areas, one row a
 * household in hh order, and a join_report row. Memory does not grow with the
 * households or the polygons (see rg_join_opts); temporary files beside the database
 * and in $TMPDIR are unlinked as soon as they are made.
 * @return RG_OK with *report filled (may be NULL), RG_EDATA when no households are
 *   loaded, or an error from rg_geo_areas_read(), RG_ESQL, RG_EGEOS, RG_EIO (a
 *   temporary file: the message names it and says when the disk is full).
 */
int rg_geo_join(rg_store *store, const char *path, const rg_join_opts *opts, rg_join_report *report);

#ifdef __cplusplus
}
#endif
#endif
