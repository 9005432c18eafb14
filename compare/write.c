/*
 * The change as one GeoPackage, through OGR: the area layers coarse to fine, then (unless
 * public) the changed households, the lists for the musyawarah and the issues; each layer
 * described, styled for QGIS (compare/style.c), and the editions in the file's metadata.
 * Only households that changed are written: an unchanged one is in its areas' counts.
 */
#include "compare/internal.h"
#include "export/export.h"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>

/* A field of a layer written from a query: the query's columns are the fields in order,
 * then the geometry (a GeoPackage blob, or x and y). */
typedef struct {
    const char *name;
    OGRFieldType type;
} field;

typedef enum { GEOM_NONE, GEOM_GPKG, GEOM_XY } geom_kind;

static int gdal_fail(rg_compare__run *R, const char *target, const char *what)
{
    return rg_ctx_error(R->ctx, RG_EGDAL, "%s: %s: %s", target, what,
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "GDAL gave no reason");
}

/* The geometry of a GeoPackage blob: its WKB after the header and envelope. */
static OGRGeometryH gpkg_geometry(const unsigned char *b, int n)
{
    int at = rg_compare__gpkg_wkb_at(b, n);
    OGRGeometryH g = NULL;
    if (at < 0 || n <= at || OGR_G_CreateFromWkb(b + at, NULL, &g, n - at) != OGRERR_NONE)
        return NULL;
    return g;
}

static void set_field(OGRFeatureH f, int i, const field *fd, sqlite3_stmt *st)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    switch (fd->type) {
    case OFTInteger64: OGR_F_SetFieldInteger64(f, i, sqlite3_column_int64(st, i)); break;
    case OFTReal: OGR_F_SetFieldDouble(f, i, sqlite3_column_double(st, i)); break;
    default: OGR_F_SetFieldString(f, i, (const char *)sqlite3_column_text(st, i));
    }
}

static void set_geometry(OGRFeatureH f, geom_kind kind, sqlite3_stmt *st, int at)
{
    OGRGeometryH g = NULL;
    if (kind == GEOM_GPKG) {
        g = gpkg_geometry(sqlite3_column_blob(st, at), sqlite3_column_bytes(st, at));
        if (g && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPolygon)
            g = OGR_G_ForceToMultiPolygon(g);
    } else if (kind == GEOM_XY && sqlite3_column_type(st, at) != SQLITE_NULL) {
        g = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(g, 0, sqlite3_column_double(st, at), sqlite3_column_double(st, at + 1));
    }
    if (g)
        OGR_F_SetGeometryDirectly(f, g);
}

typedef struct {
    const char *name, *description;
    OGRwkbGeometryType type;
    geom_kind geom;
    const field *fields;
    size_t field_count;
} layer_spec;

/* One layer, from the rows of sql; the fields and the suppression are the spec's. */
static int write_layer(rg_compare__run *R, GDALDatasetH ds, const char *target, const layer_spec *spec,
                       const char *sql, void (*suppress)(const rg_compare__run *, void *))
{
    char description[1200];
    snprintf(description, sizeof description, "DESCRIPTION=%s", spec->description);
    const char *options[] = {description, spec->type == wkbNone ? NULL : "SPATIAL_INDEX=YES", NULL};
    OGRSpatialReferenceH srs = spec->type == wkbNone ? NULL : OSRNewSpatialReference(NULL);
    if (srs) {
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        OSRImportFromEPSG(srs, 4326);
    }
    OGRLayerH layer = GDALDatasetCreateLayer(ds, spec->name, srs, spec->type, (char **)options);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!layer)
        return gdal_fail(R, target, "cannot create a layer");
    for (size_t i = 0; i < spec->field_count; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(spec->fields[i].name, spec->fields[i].type);
        OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            return gdal_fail(R, target, "cannot create a field");
    }
    if (!sql)
        return RG_OK; /* its rows go in by SQL after GDAL has closed the file (fill_direct) */
    sqlite3_stmt *st = NULL;
    double started = rg__seconds_now();
    if (sqlite3_prepare_v2(R->db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_ctx_error(R->ctx, RG_ESQL, "compare: layer %s: %s", spec->name, sqlite3_errmsg(R->db));
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
    int rc = RG_OK, step;
    while (rc == RG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        OGR_F_SetFID(f, OGRNullFID);
        for (size_t i = 0; i < spec->field_count; i++)
            set_field(f, (int)i, &spec->fields[i], st);
        OGR_F_SetGeometryDirectly(f, NULL);
        set_geometry(f, spec->geom, st, (int)spec->field_count);
        if (suppress)
            suppress(R, f);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = gdal_fail(R, target, "cannot write a feature");
    }
    if (rc == RG_OK && step != SQLITE_DONE)
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: layer %s: %s", spec->name, sqlite3_errmsg(R->db));
    OGR_F_Destroy(f);
    sqlite3_finalize(st);
    rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s: layer %s written in %.2f s", target, spec->name,
                  rg__seconds_now() - started);
    return rc;
}

/* ------------------------------------------------------------ the area layers */

static const field area_base[] = {
    {"code", OFTString},           {"name", OFTString},           {"parent_code", OFTString},
    {"boundary", OFTString},       {"households_old", OFTInteger64}, {"households_new", OFTInteger64},
    {"households_net", OFTInteger64}, {"households_net_pct", OFTReal},
    {"added", OFTInteger64},       {"gone", OFTInteger64},        {"moved_in", OFTInteger64},
    {"moved_out", OFTInteger64},   {"desil_up", OFTInteger64},    {"desil_down", OFTInteger64},
    {"class_changed", OFTInteger64}, {"not_comparable", OFTInteger64}, {"duplicate_ids", OFTInteger64},
};
#define AREA_BASE (sizeof area_base / sizeof *area_base)
_Static_assert(AREA_BASE == AREA_PROGRAMMES, "the area fields, in internal.h's order");
static const char *const programme_suffix[AREA_PROGRAMME_FIELDS] = {"old",   "new",   "entered", "left",
                                                                    "net",   "churn", "net_pct"};
#define PROGRAMME_FIELDS AREA_PROGRAMME_FIELDS
#define AREA_FIELDS_MAX (AREA_BASE + PROGRAMME_FIELDS * RG_COMPARE_PROGRAMMES_MAX + 1)

static int write_areas(rg_compare__run *R, GDALDatasetH ds, const char *target)
{
    field fields[AREA_FIELDS_MAX];
    char names[PROGRAMME_FIELDS * RG_COMPARE_PROGRAMMES_MAX][RG_PROGRAMME_NAME_MAX + 8];
    size_t n = 0;
    for (; n < AREA_BASE; n++)
        fields[n] = area_base[n];
    rg_buf columns = {0};
    int rc = rg__buf_appendf(&columns, "code, name, parent_code, boundary, households_old, households_new,"
                                       " households_new - households_old, CASE WHEN households_old > 0 THEN"
                                       " round(100.0 * (households_new - households_old) / households_old, 1) END,"
                                       " added,"
                                       " gone, moved_in, moved_out, desil_up, desil_down, class_changed,"
                                       " not_comparable, duplicate_ids");
    for (size_t p = 0; p < R->programme_count && rc == RG_OK; p++) {
        const char *name = R->programmes[p].name;
        for (int s = 0; s < PROGRAMME_FIELDS && rc == RG_OK; s++) {
            char *slot = names[p * PROGRAMME_FIELDS + (size_t)s];
            snprintf(slot, sizeof names[0], "%s_%s", name, programme_suffix[s]);
            fields[n++] = (field){slot, s >= 5 ? OFTReal : OFTInteger64};
            rc = s == 6 ? rg__buf_appendf(&columns, ", CASE WHEN \"%s_old\" > 0 THEN round(100.0 * \"%s_net\" /"
                                                    " \"%s_old\", 1) END", name, name, name)
                        : rg__buf_appendf(&columns, ", \"%s\"", slot);
        }
    }
    if (R->opts->public_only)
        fields[n++] = (field){"suppressed", OFTInteger64};
    for (int level = 0; level < RG_COMPARE_LEVELS && rc == RG_OK; level++) {
        char name[32], description[1024];
        snprintf(name, sizeof name, "%s_change", rg_compare__level[level]);
        snprintf(description, sizeof description,
                 "%s: households of the earlier edition (%s) and the later (%s) by their code of this level;"
                 " added, gone, moved_in/out (another area of this level), desil_up/down and class_changed"
                 " of the households in both; per programme: _old, _new, _entered, _left (the household's own"
                 " change), _net (new - old, moves included), _churn ((entered + left) / old, %%),"
                 " _net_pct (net / old, %%); boundary: same, changed, earlier only or later only.",
                 rg_compare__level[level], R->old.edition, R->later.edition);
        layer_spec spec = {name, description, wkbMultiPolygon, GEOM_GPKG, fields, n};
        rg_buf sql_all = {0};
        rc = rg__buf_appendf(&sql_all, "SELECT %s%s, geom FROM change_%s ORDER BY code", columns.data,
                             R->opts->public_only ? ", 0" : "", rg_compare__level[level]);
        if (rc == RG_OK)
            rc = write_layer(R, ds, target, &spec, sql_all.data, R->opts->public_only ? rg_compare__suppress_area : NULL);
        rg__buf_free(&sql_all);
    }
    rg__buf_free(&columns);
    return rc;
}

/* ------------------------------------------------------------ households, lists, issues */

static const field household_fields[] = {
    {"household_id", OFTString},    {"status", OFTString},          {"moved_level", OFTString},
    {"kelurahan_code", OFTString},  {"kelurahan_name", OFTString},  {"old_kelurahan_code", OFTString},
    {"new_kelurahan_code", OFTString}, {"old_sls_code", OFTString}, {"new_sls_code", OFTString},
    {"old_desil", OFTInteger64},    {"new_desil", OFTInteger64},    {"desil_change", OFTInteger64},
    {"old_class", OFTString},       {"new_class", OFTString},       {"entered", OFTString},
    {"left", OFTString},            {"old_forum", OFTString},       {"new_forum", OFTString},
};

/* The changed households: the layer made by GDAL, its rows appended to fill as SQL. */
static int write_households(rg_compare__run *R, GDALDatasetH ds, const char *target, rg_buf *fill)
{
    int rc = rg__buf_appendf(fill, "INSERT INTO out.household_changes(household_id, status, moved_level,"
                                   " kelurahan_code, kelurahan_name, old_kelurahan_code, new_kelurahan_code,"
                                   " old_sls_code, new_sls_code, old_desil, new_desil, desil_change, old_class,"
                                   " new_class, entered, \"left\", old_forum, new_forum, geom)"
                                   " SELECT id, status, moved_level, coalesce(new_l, old_l), coalesce(new_ln, old_ln),"
                                   " old_l, new_l, old_s, new_s, old_d, new_d, desil_change, old_cls, new_cls,"
                                   " entered, left_, old_forum, new_forum,"
                                   " CASE WHEN new_x IS NOT NULL THEN rg_gpkg_point(new_x, new_y)"
                                   " ELSE rg_gpkg_point(old_x, old_y) END FROM ");
    if (rc == RG_OK)
        rc = rg__buf_appendf(fill, "hc ORDER BY coalesce(new_l, old_l), id;");
    char description[600];
    snprintf(description, sizeof description,
             "Households that changed between %s and %s (personal data): status new, gone, moved (moved_level:"
             " the coarsest level whose code changed; sls: another SLS of the same kelurahan), not_comparable (see"
             " issues) or duplicate_id; desil and class in each edition, programmes entered and left, the forum's"
             " class in each. Drawn at the later point, else the earlier.", R->old.edition, R->later.edition);
    layer_spec spec = {"household_changes", description, wkbPoint, GEOM_XY, household_fields,
                       sizeof household_fields / sizeof *household_fields};
    return rc == RG_OK ? write_layer(R, ds, target, &spec, NULL, NULL) : rc;
}

static const field list_fields[] = {
    {"kelurahan_code", OFTString}, {"kelurahan_name", OFTString}, {"sls_code", OFTString},
    {"household_id", OFTString},   {"perubahan", OFTString},      {"old_desil", OFTInteger64},
    {"new_desil", OFTInteger64},   {"entered", OFTString},        {"left", OFTString},
    {"status", OFTString},         {"old_forum", OFTString},      {"new_forum", OFTString},
};

/* Per desa, what its musyawarah goes through: the families that entered or left desil 1-4,
 * and those that entered or left a programme. */
/* The lists: their rows into the layer by fill; with --lists kept first as temp.lists, which
 * the CSV files are written from too. */
static int write_lists(rg_compare__run *R, GDALDatasetH ds, const char *target, rg_buf *fill)
{
    rg_buf select = {0};
    int rc = rg__buf_appendf(
        &select, "SELECT coalesce(new_l, old_l) AS code, coalesce(new_ln, old_ln) AS name,"
                 " coalesce(new_s, old_s) AS sls, id,"
                 " CASE WHEN coalesce(new_d BETWEEN 1 AND 4, 0) AND NOT coalesce(old_d BETWEEN 1 AND 4, 0)"
                 "  THEN 'masuk desil 1-4' WHEN coalesce(old_d BETWEEN 1 AND 4, 0) AND NOT coalesce(new_d BETWEEN 1 AND 4, 0)"
                 "  THEN 'keluar desil 1-4' ELSE 'program berubah' END AS perubahan,"
                 " old_d, new_d, entered, left_, status, old_forum, new_forum FROM hc");
    if (rc == RG_OK)
        rc = rg__buf_appendf(&select, " WHERE status <> 'duplicate_id' AND (coalesce(new_d BETWEEN 1 AND 4, 0) <>"
                                      " coalesce(old_d BETWEEN 1 AND 4, 0) OR entered IS NOT NULL OR left_ IS NOT NULL)");
    /* For the meeting: desa by desa, the families entering desil 1-4, then those leaving. */
    static const char order[] = " ORDER BY code, CASE perubahan WHEN 'masuk desil 1-4' THEN 1"
                                " WHEN 'keluar desil 1-4' THEN 2 ELSE 3 END, new_d, id";
    rg_buf kept = {0};
    if (rc == RG_OK && R->opts->lists &&
        (rc = rg__buf_appendf(&kept, "CREATE TEMP TABLE lists AS SELECT * FROM (%s)%s", select.data, order)) == RG_OK)
        rc = rg_compare__exec(R, "the musyawarah lists", kept.data);
    if (rc == RG_OK)
        rc = rg__buf_appendf(fill, "INSERT INTO out.musyawarah(kelurahan_code, kelurahan_name, sls_code, household_id,"
                                   " perubahan, old_desil, new_desil, entered, \"left\", status, old_forum, new_forum)"
                                   " SELECT code, name, sls, id, perubahan, old_d, new_d, entered, left_, status,"
                                   " old_forum, new_forum FROM ");
    if (rc == RG_OK)
        rc = R->opts->lists ? rg__buf_appendf(fill, "temp.lists ORDER BY rowid;")
                            : rg__buf_appendf(fill, "(%s)%s;", select.data, order);
    rg__buf_free(&kept);
    rg__buf_free(&select);
    layer_spec spec = {"musyawarah", "Per desa/kelurahan, for its musyawarah (personal data): the families that"
                                     " entered or left desil 1-4 between the editions, and those that entered or"
                                     " left a programme, with the forum's class in each edition.",
                       wkbNone, GEOM_NONE, list_fields, sizeof list_fields / sizeof *list_fields};
    return rc == RG_OK ? write_layer(R, ds, target, &spec, NULL, NULL) : rc;
}

static const field issue_fields[] = {
    {"edition", OFTString}, {"household_id", OFTString}, {"kind", OFTString}, {"detail", OFTString}};

static int write_issues(rg_compare__run *R, GDALDatasetH ds, const char *target)
{
    layer_spec spec = {"issues", "What was not compared, and why: ids repeated inside an edition, moves that"
                                 " cannot be told from a change of boundaries, programmes of one edition only.",
                       wkbNone, GEOM_NONE, issue_fields, sizeof issue_fields / sizeof *issue_fields};
    return write_layer(R, ds, target, &spec, "SELECT edition, household_id, kind, detail FROM issues ORDER BY rowid",
                       NULL);
}

/* ------------------------------------------------------------ the file */

static void set_metadata(rg_compare__run *R, GDALDatasetH ds)
{
    const char *a = strrchr(R->old.path, '/'), *b = strrchr(R->later.path, '/');
    GDALSetMetadataItem(ds, "TOOL", "regsosek-geo compare", NULL);
    GDALSetMetadataItem(ds, "EDITION_EARLIER", R->old.edition, NULL);
    GDALSetMetadataItem(ds, "EDITION_LATER", R->later.edition, NULL);
    GDALSetMetadataItem(ds, "EARLIER", a ? a + 1 : R->old.path, NULL);
    GDALSetMetadataItem(ds, "LATER", b ? b + 1 : R->later.path, NULL);
    if (R->mapped >= 0)
        GDALSetMetadataItem(ds, "PROGRAMME", R->programmes[R->mapped].name, NULL);
    if (R->opts->command_line)
        GDALSetMetadataItem(ds, "COMMAND", R->opts->command_line, NULL);
    if (R->opts->public_only)
        GDALSetMetadataItem(ds, "PUBLIC", "counts from 1 to min_count-1 suppressed with every count tied to them", NULL);
}

/*
 * The households and lists straight from the scratch database into the GeoPackage GDAL
 * wrote (OGR took 2 s a 300,000 households, and GDAL's spatial index as many again): GDAL's
 * row triggers suspended while the rows go in, the counts and extent set once, the R-tree
 * packed (io/rtree.c), as the export fills its own layers.
 */
static int fill_direct(rg_compare__run *R, const char *tmp, const char *target, const char *inserts)
{
    sqlite3_stmt *st = NULL;
    char *restore = NULL;
    int rc = rg_export_gpkg_register(R->db);
    if (rc == RG_OK && sqlite3_prepare_v2(R->db, "ATTACH DATABASE ? AS out", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : RG_EIO;
    }
    sqlite3_finalize(st);
    if (rc != RG_OK)
        return rg_ctx_error(R->ctx, RG_EIO, "%s: cannot write: %s", target, sqlite3_errmsg(R->db));
    double started = rg__seconds_now();
    rc = rg_compare__exec(R, target, "PRAGMA out.journal_mode = OFF; PRAGMA out.synchronous = OFF; BEGIN");
    if (rc == RG_OK)
        rc = rg_io_suspend_triggers_on(R->db, R->ctx, target, "out",
                                       "tbl_name IN ('household_changes', 'musyawarah') AND (name LIKE"
                                       " 'trigger_insert_feature_count_%' OR name LIKE 'rtree_%_insert')",
                                       &restore);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, "writing the households", inserts);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, target, restore);
    if (rc == RG_OK)
        rc = rg_compare__exec(
            R, target,
            "UPDATE out.gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM out.household_changes)"
            " WHERE lower(table_name) = 'household_changes';"
            "UPDATE out.gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM out.musyawarah)"
            " WHERE lower(table_name) = 'musyawarah';"
            "CREATE TEMP TABLE points AS SELECT fid, rg_gpkg_x(geom) AS x, rg_gpkg_y(geom) AS y"
            " FROM out.household_changes WHERE geom IS NOT NULL;"
            "UPDATE out.gpkg_contents SET min_x = e.x0, min_y = e.y0, max_x = e.x1, max_y = e.y1"
            " FROM (SELECT min(x) AS x0, min(y) AS y0, max(x) AS x1, max(y) AS y1 FROM temp.points) e"
            " WHERE lower(table_name) = 'household_changes'");
    int64_t n = 0;
    if (rc == RG_OK)
        rc = rg_compare__count(R, "SELECT count(*) FROM temp.points", &n);
    if (rc == RG_OK)
        rc = rg_io_rtree_pack_boxes_on(R->db, R->ctx, target, "out", "rtree_household_changes_geom",
                                       "WITH e AS (SELECT min(x) AS x0, min(y) AS y0, max(x) AS x1, max(y) AS y1"
                                       " FROM temp.points) SELECT fid, x, x, y, y FROM temp.points, e"
                                       " ORDER BY rg_hilbert(x, y, e.x0, e.y0, e.x1, e.y1)",
                                       n);
    if (rc == RG_OK)
        rc = rg_compare__exec(R, target, "COMMIT; DROP TABLE temp.points");
    else
        sqlite3_exec(R->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_exec(R->db, "DETACH DATABASE out", NULL, NULL, NULL);
    rg_free(restore);
    rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s: households and lists filled in %.2f s", target,
                  rg__seconds_now() - started);
    return rc;
}

int rg_compare__write(rg_compare__run *R, const char *tmp, const char *target)
{
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    GDALDatasetH ds = driver ? GDALCreate(driver, tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds)
        return gdal_fail(R, target, "cannot create");
    int rc = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE ? RG_OK : gdal_fail(R, target, "cannot write");
    if (rc == RG_OK)
        rc = write_areas(R, ds, target);
    rg_buf fill = {0};
    if (rc == RG_OK && !R->opts->public_only && (rc = write_households(R, ds, target, &fill)) == RG_OK &&
        (rc = write_lists(R, ds, target, &fill)) == RG_OK)
        rc = write_issues(R, ds, target);
    if (rc == RG_OK)
        rc = rg_compare__styles(R, ds, target);
    double started = rg__seconds_now();
    if (rc == RG_OK && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = gdal_fail(R, target, "cannot commit (disk full?)");
    if (rc == RG_OK)
        set_metadata(R, ds);
    rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s: committed in %.2f s", target, rg__seconds_now() - started);
    CPLErrorReset();
    GDALClose(ds);
    rg_ctx_notice(R->ctx, RG_NOTICE_DETAIL, "%s: closed in %.2f s", target, rg__seconds_now() - started);
    /* GDAL reports a failed final flush only through the error state. */
    if (rc == RG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = gdal_fail(R, target, "cannot finish writing (disk full?)");
    if (rc == RG_OK && fill.len)
        rc = fill_direct(R, tmp, target, fill.data);
    rg__buf_free(&fill);
    if (rc == RG_OK)
        rc = rg_compare__project(R, tmp, target);
    return rc;
}
