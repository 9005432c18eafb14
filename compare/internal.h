/* compare's parts: each edition read (edition.c), the households matched (changes.c), the areas
 * counted (areas.c), the GeoPackage written (write.c). */
#ifndef RG_COMPARE_INTERNAL_H
#define RG_COMPARE_INTERNAL_H

#include <sqlite3.h>

#include "classify/classify.h"
#include "compare/compare.h"
#include "core/internal.h"

/* One edition: attached to the scratch database as `schema`, its households copied into
 * table h_<schema> (fid, id, p, k, c, l, ln, s, d, cls0, cls, x, y: the provinsi .. SLS codes,
 * the kelurahan's name, desil, class before and after the forum, the point or NULL). */
typedef struct {
    const char *path; /* borrowed */
    char schema[3];   /* "ea" (earlier) or "eb" (later) */
    char edition[RG_COMPARE_EDITION_MAX];
    rg_rules *rules;  /* its programmes; owned */
    int is_store;     /* a working database: its geometries are SpatiaLite's, not GeoPackage's */
} rg_compare__edition;

/* A programme both editions define, with each edition's desil. */
typedef struct {
    char name[RG_PROGRAMME_NAME_MAX];
    int old_first, old_last, new_first, new_last;
} rg_compare__programme;

#define RG_COMPARE_PROGRAMMES_MAX 32

/* The four levels, coarse to fine, by their layers' names. */
#define RG_COMPARE_LEVELS 4
extern const char *const rg_compare__level[RG_COMPARE_LEVELS];

/* What each area counts, per level: a row per code (interned), of width R->width: these,
 * then per programme its households in each edition, entered and left. */
enum {
    T_OLD, T_NEW, T_ADDED, T_GONE, T_MOVED_IN, T_MOVED_OUT, T_DESIL_UP, T_DESIL_DOWN, T_CLASS_CHANGED,
    T_NOT_COMPARABLE, T_DUPLICATE_IDS, T_COUNTS
};
enum { P_OLD, P_NEW, P_ENTERED, P_LEFT, P_COUNTS };

typedef struct {
    rg__interned codes;
    int64_t *counts;
    size_t rows;
} rg_compare__tally;

typedef struct {
    rg_ctx *ctx;
    sqlite3 *db;  /* scratch: a temporary database SQLite deletes when it is closed */
    sqlite3 *db2; /* another, for the later edition's households, read on a thread of its own */
    const rg_compare_opts *opts;
    rg_compare_report *report;
    rg_compare__edition old, later;
    rg_compare__programme programmes[RG_COMPARE_PROGRAMMES_MAX];
    size_t programme_count;
    int mapped; /* the programme the map is drawn for, an index into programmes */
    rg_compare__tally tally[RG_COMPARE_LEVELS];
    size_t width; /* T_COUNTS + P_COUNTS per programme */
} rg_compare__run;

/* Runs sql on the scratch database; what names the work in a failure's message. */
int rg_compare__exec(rg_compare__run *R, const char *what, const char *sql);
/* The first column of the first row of sql, as an integer. */
int rg_compare__count(rg_compare__run *R, const char *sql, int64_t *out);

/* Where the WKB of a GeoPackage geometry blob (GeoPackage 1.3, 2.1.3) of n bytes starts; -1
 * when it is no such blob, or an empty geometry. */
int rg_compare__gpkg_wkb_at(const unsigned char *b, int n);

/* Opens the edition at path as e->schema on R->db: its metadata read, its layers checked. */
int rg_compare__edition_open(rg_compare__run *R, rg_compare__edition *e, const char *path, const char *schema);
/* Both editions' households into h_ea (R->db) and h_eb (R->db2), each in id order. */
int rg_compare__editions_copy(rg_compare__run *R);
void rg_compare__edition_close(rg_compare__edition *e);

/* The programmes both editions define (R->programmes), then the households matched: table hc,
 * the households that changed; table issues, what was not compared; the tallies. */
int rg_compare__changes(rg_compare__run *R);

/* The one pass over both editions in id order (merge.c), after the programmes are known:
 * hc, issues and the tallies filled, the report's household counts. */
int rg_compare__merge(rg_compare__run *R);

/* Table change_<level> for each level, from the tallies: each area's counts of change. */
int rg_compare__areas(rg_compare__run *R);
void rg_compare__tallies_free(rg_compare__run *R);

/* The GeoPackage at tmp (target: the name it will have): the area layers, and unless public
 * the changed households, the lists for the musyawarah and the issues; styles; metadata. */
int rg_compare__write(rg_compare__run *R, const char *tmp, const char *target);

/* The fields of an area layer, in write.c's order: then AREA_PROGRAMME_FIELDS per programme
 * (old, new, entered, left, net, churn, net_pct) and, with --public, suppressed. */
enum {
    AREA_CODE, AREA_NAME, AREA_PARENT, AREA_BOUNDARY, AREA_OLD, AREA_NEW, AREA_NET, AREA_NET_PCT, AREA_ADDED,
    AREA_GONE, AREA_MOVED_IN, AREA_MOVED_OUT, AREA_DESIL_UP, AREA_DESIL_DOWN, AREA_CLASS_CHANGED,
    AREA_NOT_COMPARABLE, AREA_DUPLICATE_IDS, AREA_PROGRAMMES
};
#define AREA_PROGRAMME_FIELDS 7

/* --public's small cells in an area's feature (an OGRFeatureH), and what would give them away
 * (suppress.c). */
void rg_compare__suppress_area(const rg_compare__run *R, void *feature);

/* The QGIS default styles of the layers written (style.c): the area layers a diverging map of
 * the mapped programme's net change, the households by status. ds is a GDALDatasetH. */
int rg_compare__styles(rg_compare__run *R, void *ds, const char *target);
/* The renderers (and labels) of those styles, as the project embeds them in its layers. */
int rg_compare__area_renderer(rg_buf *q, const char *programme);
int rg_compare__household_renderer(rg_buf *q);
/* The scale the households are drawn from, 1:N. */
#define RG_COMPARE_HOUSEHOLDS_FROM 50000

/* The musyawarah lists as one CSV per desa in opts->lists (lists.c), from temp.lists: each
 * written under a temporary name, renamed by commit; free abandons what was not renamed. */
typedef struct {
    rg_io_atomic *files;
    size_t count, cap;
} rg_compare__lists;
int rg_compare__lists_write(rg_compare__run *R, rg_compare__lists *out);
int rg_compare__lists_commit(rg_compare__run *R, rg_compare__lists *lists);
void rg_compare__lists_free(rg_compare__lists *lists);

/* The QGIS project stored in the GeoPackage at tmp (project.c): the layers with their styles,
 * framed on the kelurahan, titled with the programme and the two editions. */
#define RG_COMPARE_PROJECT_NAME "peta_perubahan"
int rg_compare__project(rg_compare__run *R, const char *tmp, const char *target);

#endif
