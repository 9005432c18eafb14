/*
 * The map sheet of a kelurahan, laid out as BPS lays out its desa field maps (wilkerstat
 * "Peta WA"): the main map on the left (the kelurahan, its neighbours greyed, the located
 * households as class markers, north arrow, scale bar), and on the right the title and
 * identity code, the identity block up to the provinsi, the legend, an inset locating the
 * kelurahan in its kecamatan, the activity and period, and the source.
 *
 * Coordinates are drawn in a local equirectangular projection (longitude scaled by the
 * cosine of the map's middle latitude): over a kelurahan it differs from a conformal one
 * by far less than a printed line, and the scale bar is measured in it.
 */
#include "forum/draw.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define METRES_PER_DEGREE 111320.0

typedef struct {
    double x0, y0, x1, y1; /* the frame on the page */
    double lon0, lat0;     /* the map's centre */
    double scale;          /* page points per degree of latitude */
    double coslat;
} view;

static void to_page(const view *v, double lon, double lat, double *x, double *y)
{
    *x = (v->x0 + v->x1) / 2 + (lon - v->lon0) * v->coslat * v->scale;
    *y = (v->y0 + v->y1) / 2 - (lat - v->lat0) * v->scale;
}

/* Fits bounds (minx, miny, maxx, maxy), with a margin, into the frame. */
static void fit(view *v, const double b[4], double margin)
{
    v->lon0 = (b[0] + b[2]) / 2;
    v->lat0 = (b[1] + b[3]) / 2;
    v->coslat = cos(v->lat0 * RG_PI / 180);
    double w = (b[2] - b[0]) * v->coslat * (1 + 2 * margin), h = (b[3] - b[1]) * (1 + 2 * margin);
    double sx = (v->x1 - v->x0) / (w > 0 ? w : 1e-6), sy = (v->y1 - v->y0) / (h > 0 ? h : 1e-6);
    v->scale = sx < sy ? sx : sy;
}

static void ring_path(cairo_t *cr, GEOSContextHandle_t h, const view *v, const GEOSGeometry *ring)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    for (unsigned int i = 0; i < n; i++) {
        double lon, lat, x, y;
        GEOSCoordSeq_getXY_r(h, seq, i, &lon, &lat);
        to_page(v, lon, lat, &x, &y);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
}

/* The polygons of g as one path (holes by the even-odd rule). */
static void polygon_path(cairo_t *cr, GEOSContextHandle_t h, const view *v, const GEOSGeometry *g)
{
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        if (GEOSGeomTypeId_r(h, poly) != GEOS_POLYGON)
            continue;
        ring_path(cr, h, v, GEOSGetExteriorRing_r(h, poly));
        for (int i = 0; i < GEOSGetNumInteriorRings_r(h, poly); i++)
            ring_path(cr, h, v, GEOSGetInteriorRingN_r(h, poly, i));
    }
}

static GEOSGeometry *geometry_of(GEOSContextHandle_t h, sqlite3_stmt *st, int col)
{
    const void *wkb = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (!wkb || n <= 0)
        return NULL;
    GEOSWKBReader *reader = GEOSWKBReader_create_r(h);
    GEOSGeometry *g = GEOSWKBReader_read_r(h, reader, wkb, (size_t)n);
    GEOSWKBReader_destroy_r(h, reader);
    return g;
}

static void bounds_of(GEOSContextHandle_t h, const GEOSGeometry *g, double b[4])
{
    GEOSGeom_getXMin_r(h, g, &b[0]);
    GEOSGeom_getYMin_r(h, g, &b[1]);
    GEOSGeom_getXMax_r(h, g, &b[2]);
    GEOSGeom_getYMax_r(h, g, &b[3]);
}

/* The kelurahan whose boxes meet the view, from the store's R-tree; the kelurahan itself is
 * drawn last, on top. fill: grey for the neighbours, labelled with their names. */
static int draw_areas(rg_store *store, cairo_t *cr, GEOSContextHandle_t h, const view *v, const double b[4],
                      const char *code, int label)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT k.code, k.name, AsBinary(k.geom) FROM kelurahan k JOIN idx_kelurahan_geom i"
                           " ON i.pkid = k.rowid WHERE i.xmax >= ?1 AND i.xmin <= ?3 AND i.ymax >= ?2 AND i.ymin <= ?4"
                           " ORDER BY k.code = ?5, k.code",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, i + 1, b[i]);
    sqlite3_bind_text(st, 5, code, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        GEOSGeometry *g = geometry_of(h, st, 2);
        if (!g)
            continue;
        int self = strcmp((const char *)sqlite3_column_text(st, 0), code) == 0;
        cairo_new_path(cr);
        polygon_path(cr, h, v, g);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        cairo_set_source_rgb(cr, self ? 1 : 0.88, self ? 1 : 0.88, self ? 1 : 0.88);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, self ? 0 : 0.55, self ? 0 : 0.55, self ? 0 : 0.55);
        cairo_set_line_width(cr, self ? 1.6 : 0.5);
        cairo_stroke(cr);
        GEOSGeometry *at = label && !self ? GEOSPointOnSurface_r(h, g) : NULL;
        double lon, lat, x, y;
        if (at && GEOSGeomGetX_r(h, at, &lon) && GEOSGeomGetY_r(h, at, &lat)) {
            to_page(v, lon, lat, &x, &y);
            cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
            rg_forum__draw_text(cr, x - 40, y - 5, 80, "DejaVu Sans Oblique 7", (const char *)sqlite3_column_text(st, 1),
                                1);
        }
        if (at)
            GEOSGeom_destroy_r(h, at);
        GEOSGeom_destroy_r(h, g);
    }
    sqlite3_finalize(st);
    return RG_OK;
}

/* The located households of the kelurahan (of its forum, for a forum's pack) as class
 * markers, the poorest drawn last (on top). */
static int draw_households(rg_store *store, cairo_t *cr, const view *v, const rg_forum__area *a, double r)
{
    sqlite3_stmt *st = NULL;
#define MARKERS(from_where)                                                                                     \
    "SELECT lon, lat, poverty_class_final FROM households h " from_where " = ? AND geom IS NOT NULL"                \
    " ORDER BY welfare_rank IS NULL DESC, welfare_rank DESC"
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           a->forum[0] ? MARKERS("JOIN forum_groups g ON g.idsls = substr(h.sls_code, 1, 14) WHERE g.forum")
                                       : MARKERS("WHERE kelurahan_code"),
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, a->forum[0] ? a->forum : a->code, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        double x, y;
        to_page(v, sqlite3_column_double(st, 0), sqlite3_column_double(st, 1), &x, &y);
        rg_forum__marker(cr, x, y, r, (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return RG_OK;
}

static void north_arrow(cairo_t *cr, double x, double y)
{
    cairo_new_path(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 8, y + 24);
    cairo_line_to(cr, x, y + 18);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x - 8, y + 24);
    cairo_line_to(cr, x, y + 18);
    cairo_close_path(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    rg_forum__draw_text(cr, x - 5, y + 25, 0, "DejaVu Sans Bold 11", "U", 1);
}

/* A bar of a round length near a quarter of the frame, in metres or kilometres. */
static void scale_bar(cairo_t *cr, const view *v, double x, double y)
{
    static const double steps[] = {50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000};
    double points_per_metre = v->scale / METRES_PER_DEGREE, want = (v->x1 - v->x0) / 4 / points_per_metre;
    double metres = steps[0];
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] <= want)
            metres = steps[i];
    double len = metres * points_per_metre;
    cairo_new_path(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6);
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, x + i * len / 4, y, len / 4, 4);
        if (i % 2 == 0)
            cairo_fill_preserve(cr);
        cairo_stroke(cr);
    }
    char text[32];
    snprintf(text, sizeof text, metres >= 1000 ? "%.0f km" : "%.0f m", metres >= 1000 ? metres / 1000 : metres);
    rg_forum__draw_text(cr, x, y + 6, 0, "DejaVu Sans 8", "0", 1);
    rg_forum__draw_text(cr, x + len - 10, y + 6, 0, "DejaVu Sans 8", text, 1);
}

/* The inset: the kecamatan with its kelurahan, this one dark, so a reader sees where it lies. */
static int draw_inset(rg_store *store, cairo_t *cr, GEOSContextHandle_t h, view *v, const rg_forum__area *a)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store),
                           "SELECT code = ?2, AsBinary(geom) FROM kelurahan WHERE parent_code = ?1 ORDER BY code = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, a->kecamatan_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, a->code, -1, SQLITE_STATIC);
    double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    /* Two passes over a handful of kelurahan: the bounds first, then the drawing. */
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_reset(st);
        while (sqlite3_step(st) == SQLITE_ROW) {
            GEOSGeometry *g = geometry_of(h, st, 1);
            if (!g)
                continue;
            if (pass == 0) {
                double gb[4];
                bounds_of(h, g, gb);
                b[0] = fmin(b[0], gb[0]), b[1] = fmin(b[1], gb[1]), b[2] = fmax(b[2], gb[2]), b[3] = fmax(b[3], gb[3]);
            } else {
                int self = sqlite3_column_int(st, 0);
                cairo_new_path(cr);
                polygon_path(cr, h, v, g);
                cairo_set_source_rgb(cr, self ? 0.25 : 0.95, self ? 0.25 : 0.95, self ? 0.25 : 0.95);
                cairo_fill_preserve(cr);
                cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
                cairo_set_line_width(cr, 0.4);
                cairo_stroke(cr);
            }
            GEOSGeom_destroy_r(h, g);
        }
        if (pass == 0 && isfinite(b[0]))
            fit(v, b, 0.05);
    }
    sqlite3_finalize(st);
    cairo_new_path(cr);
    cairo_rectangle(cr, v->x0, v->y0, v->x1 - v->x0, v->y1 - v->y0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    return RG_OK;
}

static double identity_row(cairo_t *cr, double x, double y, double w, const char *what, const char *code,
                           const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "%s%s%s", code, name && *name ? "  " : "", name ? name : "");
    rg_forum__draw_text(cr, x, y, 78, "DejaVu Sans 9", what, 1);
    return fmax(12, rg_forum__draw_text(cr, x + 80, y, w - 80, "DejaVu Sans Bold 9", text, 0)) + 1;
}

/* A legend's area sample: fill and outline greys, the outline's width, its label. */
static void legend_box(cairo_t *cr, double x, double y, double fill, double line, double width, const char *label)
{
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y + 1, 10, 8);
    cairo_set_source_rgb(cr, fill, fill, fill);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, line, line, line);
    cairo_set_line_width(cr, width);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    rg_forum__draw_text(cr, x + 14, y, 0, "DejaVu Sans 8.5", label, 1);
}

static double legend(cairo_t *cr, double x, double y)
{
    static const char *const classes[] = {"sangat miskin", "miskin", "rentan miskin", "tidak miskin", NULL};
    static const char *const labels[] = {"Sangat miskin", "Miskin", "Rentan miskin", "Tidak miskin",
                                         "Belum terklasifikasi"};
    rg_forum__draw_text(cr, x, y, 0, "DejaVu Sans Bold 9", "LEGENDA", 1);
    y += 15;
    for (int i = 0; i < 5; i++, y += 12) {
        rg_forum__marker(cr, x + 5, y + 5, 3.2, classes[i]);
        rg_forum__draw_text(cr, x + 14, y, 0, "DejaVu Sans 8.5", labels[i], 1);
    }
    legend_box(cr, x, y, 1, 0, 1.4, "Batas kelurahan/desa");
    y += 12;
    legend_box(cr, x, y, 0.88, 0.55, 0.5, "Kelurahan/desa tetangga");
    return y + 16;
}

/* Title, identity block, legend, inset, activity and source, from the top of the panel. */
static int draw_panel(rg_store *store, cairo_t *cr, GEOSContextHandle_t h, const rg_forum__area *a, double x,
                      double y, double w, double bottom)
{
    char text[1400];
    snprintf(text, sizeof text, "PETA KELURAHAN/DESA %s", a->name);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Bold 15", text, 0) + 2;
    snprintf(text, sizeof text, "Kode identitas: %s%s%s", a->code, a->alt_code[0] ? "   Kemendagri: " : "", a->alt_code);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 9", text, 0) + 8;
    y += identity_row(cr, x, y, w, "Provinsi", a->provinsi_code, NULL);
    y += identity_row(cr, x, y, w, "Kabupaten/Kota", a->kabkota_code, NULL);
    y += identity_row(cr, x, y, w, "Kecamatan", a->kecamatan_code, a->kecamatan_name);
    y += identity_row(cr, x, y, w, "Kelurahan/Desa", a->code, a->name) + 8;
    if (a->forum[0]) {
        snprintf(text, sizeof text, "Forum %s: SLS %.1100s. Hanya keluarga di SLS ini yang digambar.", a->forum,
                 a->forum_sls);
        y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Bold 8", text, 0) + 6;
    }
    y = legend(cr, x, y);
    snprintf(text, sizeof text, "%lld rumah tangga dengan titik GPS digambar; %lld tanpa titik GPS (ditempatkan menurut"
                                " kode wilayah) tidak digambar, tetapi ada di daftar.",
             (long long)a->with_point, (long long)a->without_point);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 7.5", text, 0) + 6;
    view inset = {x, y, x + w, fmin(y + 120, bottom - 70), 0, 0, 1, 1};
    int rc = draw_inset(store, cr, h, &inset, a);
    y = inset.y1 + 2;
    snprintf(text, sizeof text, "Letak kelurahan di Kecamatan %s", a->kecamatan_name[0] ? a->kecamatan_name
                                                                                      : a->kecamatan_code);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Oblique 7.5", text, 0) + 8;
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Bold 10", "Forum Konsultasi Publik Regsosek 2022", 0) + 4;
    snprintf(text, sizeof text, "Sumber: Regsosek, %s. Dibuat %s oleh regsosek-geo.",
             a->data_version, a->made);
    rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 7", text, 0);
    return rc;
}

int rg_forum__map_page(rg_store *store, cairo_t *cr, const rg_forum__area *area)
{
    GEOSContextHandle_t h = rg__ctx_geos(rg_io_store_ctx(store));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(rg_io_store_db(store), "SELECT AsBinary(geom) FROM kelurahan WHERE code = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_io_store_sql_error(store);
    sqlite3_bind_text(st, 1, area->code, -1, SQLITE_STATIC);
    GEOSGeometry *g = sqlite3_step(st) == SQLITE_ROW ? geometry_of(h, st, 0) : NULL;
    sqlite3_finalize(st);
    const double m = RG_PAGE_MARGIN, panel = 230, page_w = RG_A4_LONG, page_h = RG_A4_SHORT;
    view v = {m, m, page_w - m - panel - 12, page_h - m - 14, 0, 0, 1, 1};
    int rc = RG_OK, have_map = g != NULL;
    if (have_map) {
        double b[4];
        bounds_of(h, g, b);
        fit(&v, b, 0.06);
        /* What the frame shows, in degrees, for the neighbours' lookup. */
        double half_w = (v.x1 - v.x0) / 2 / (v.scale * v.coslat), half_h = (v.y1 - v.y0) / 2 / v.scale;
        double shown[4] = {v.lon0 - half_w, v.lat0 - half_h, v.lon0 + half_w, v.lat0 + half_h};
        cairo_save(cr);
        cairo_rectangle(cr, v.x0, v.y0, v.x1 - v.x0, v.y1 - v.y0);
        cairo_clip(cr);
        cairo_set_source_rgb(cr, 0.93, 0.96, 1); /* sea and what is outside every kelurahan */
        cairo_paint(cr);
        rc = draw_areas(store, cr, h, &v, shown, area->code, 1);
        if (rc == RG_OK)
            rc = draw_households(store, cr, &v, area, 2.2);
        cairo_restore(cr);
        GEOSGeom_destroy_r(h, g);
    }
    cairo_new_path(cr);
    cairo_rectangle(cr, v.x0, v.y0, v.x1 - v.x0, v.y1 - v.y0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    north_arrow(cr, v.x1 - 22, v.y0 + 10);
    if (have_map)
        scale_bar(cr, &v, v.x0 + 12, v.y1 - 22);
    if (rc == RG_OK)
        rc = draw_panel(store, cr, h, area, v.x1 + 12, m, panel, page_h - m);
    return rc;
}
