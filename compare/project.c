/*
 * The change map's QGIS project, stored in the GeoPackage (Project > Open From > GeoPackage):
 * the households that changed over the kelurahan, the coarser levels below them switched off,
 * the lists and issues as tables; each layer drawn as its default style draws it; titled with
 * the programme and the two editions and framed on the kelurahan, with a print layout (map,
 * title, what it shows, legend, scale bar, north arrow, source: compare/styles/change_layout.xml,
 * made by scripts/make-change-layout.py). Its sources are relative
 * ("./change.gpkg|layername=..."), so the file can move.
 */
#include "compare/internal.h"
#include "export/export.h"

#include <stdio.h>
#include <string.h>

extern const char rg_change_change_layout[];

static const char srs[] =
    "<spatialrefsys><proj4>+proj=longlat +datum=WGS84 +no_defs</proj4><srsid>3452</srsid><srid>4326</srid>"
    "<authid>EPSG:4326</authid><description>WGS 84</description><projectionacronym>longlat</projectionacronym>"
    "<ellipsoidacronym>EPSG:7030</ellipsoidacronym><geographicflag>true</geographicflag></spatialrefsys>";

/* The layers top to bottom: table, name in the legend, geometry, shown at first. */
static const struct {
    const char *table, *name, *geometry, *wkb;
    int checked;
} layers[] = {
    {"household_changes", "Rumah tangga yang berubah", "Point", "Point", 1},
    {"kelurahan_change", "Desa/kelurahan", "Polygon", "MultiPolygon", 1},
    {"kecamatan_change", "Kecamatan", "Polygon", "MultiPolygon", 0},
    {"kabkota_change", "Kabupaten/kota", "Polygon", "MultiPolygon", 0},
    {"provinsi_change", "Provinsi", "Polygon", "MultiPolygon", 0},
    {"musyawarah", "Daftar untuk musyawarah", NULL, "NoGeometry", 1},
    {"issues", "Tidak dapat dibandingkan", NULL, "NoGeometry", 1},
};
#define LAYERS (sizeof layers / sizeof *layers)

static int tree(rg_buf *q, const char *gpkg, int public_only)
{
    int rc = rg__buf_appendf(q, " <layer-tree-group><customproperties/>\n");
    for (size_t i = 0; i < LAYERS && rc == RG_OK; i++) {
        if (public_only && (i == 0 || !layers[i].geometry))
            continue;
        rc = rg__buf_appendf(q, "  <layer-tree-layer id=\"%s\" name=\"%s\" source=\"./", layers[i].table, layers[i].name);
        if (rc == RG_OK)
            rc = rg__buf_append_xml(q, gpkg);
        if (rc == RG_OK)
            rc = rg__buf_appendf(q, "|layername=%s\" providerKey=\"ogr\" checked=\"Qt::%s\" expanded=\"0\">"
                                    "<customproperties/></layer-tree-layer>\n",
                                 layers[i].table, layers[i].checked ? "Checked" : "Unchecked");
    }
    return rc == RG_OK ? rg__buf_appendf(q, " </layer-tree-group>\n") : rc;
}

static int map_layer(rg_compare__run *R, rg_buf *q, size_t i, const char *gpkg)
{
    int households = i == 0, rc;
    if (layers[i].geometry)
        rc = rg__buf_appendf(q, "  <maplayer type=\"vector\" geometry=\"%s\" wkbType=\"%s\" labelsEnabled=\"%d\""
                                " hasScaleBasedVisibilityFlag=\"%d\" minScale=\"%d\" maxScale=\"0\">\n",
                             layers[i].geometry, layers[i].wkb, !households, households,
                             households ? RG_COMPARE_HOUSEHOLDS_FROM : 0);
    else
        rc = rg__buf_appendf(q, "  <maplayer type=\"vector\" geometry=\"No geometry\" wkbType=\"NoGeometry\">\n");
    if (rc == RG_OK)
        rc = rg__buf_appendf(q, "   <id>%s</id><datasource>./", layers[i].table);
    if (rc == RG_OK)
        rc = rg__buf_append_xml(q, gpkg);
    if (rc == RG_OK)
        rc = rg__buf_appendf(q, "|layername=%s</datasource><layername>%s</layername><srs>%s</srs>"
                                "<provider encoding=\"UTF-8\">ogr</provider>\n",
                             layers[i].table, layers[i].name, srs);
    if (rc == RG_OK && households)
        rc = rg_compare__household_renderer(q);
    else if (rc == RG_OK && layers[i].geometry)
        rc = rg_compare__area_renderer(q, R->mapped >= 0 ? R->programmes[R->mapped].name : "households");
    return rc == RG_OK ? rg__buf_appendf(q, "  </maplayer>\n") : rc;
}

/* The kelurahan's extent as GDAL recorded it in the file. */
static int extent(rg_compare__run *R, const char *tmp, const char *target, double box[4])
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = RG_OK;
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'kelurahan_change'",
                           -1, &st, NULL) != SQLITE_OK)
        rc = rg_ctx_error(R->ctx, RG_EIO, "%s: cannot read back: %s", target, sqlite3_errmsg(db));
    if (rc == RG_OK && sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(st, i);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

/* The layout, its map framed on box made square about its middle (the frame is), and the
 * project's variables its texts read. */
static int layout(rg_compare__run *R, rg_buf *q, const double box[4])
{
    double cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
    double half = 0.515 * (box[2] - box[0] > box[3] - box[1] ? box[2] - box[0] : box[3] - box[1]);
    char edges[4][32];
    snprintf(edges[0], sizeof edges[0], "\"%.9f\"", cx - half);
    snprintf(edges[1], sizeof edges[1], "\"%.9f\"", cy - half);
    snprintf(edges[2], sizeof edges[2], "\"%.9f\"", cx + half);
    snprintf(edges[3], sizeof edges[3], "\"%.9f\"", cy + half);
    const rg__substitution subs[] = {{"\"11.125\"", edges[0], 1}, {"\"22.25\"", edges[1], 1},
                                     {"\"33.375\"", edges[2], 1}, {"\"44.5\"", edges[3], 1}};
    int rc = rg__buf_appendf(q, " <Layouts>\n");
    if (rc == RG_OK)
        rc = rg__buf_append_template(q, rg_change_change_layout, subs, sizeof subs / sizeof *subs);
    if (rc == RG_OK)
        rc = rg__buf_appendf(q, " </Layouts>\n <properties><Paths><Absolute type=\"bool\">false</Absolute></Paths>"
                                "<Variables><variableNames type=\"QStringList\"><value>regsosek_source</value>"
                                "</variableNames><variableValues type=\"QStringList\"><value>");
    const char *a = strrchr(R->old.path, '/'), *b = strrchr(R->later.path, '/');
    rg_buf source = {0};
    if (rc == RG_OK)
        rc = rg__buf_appendf(&source, "edisi %s (%s) dan edisi %s (%s)", R->old.edition, a ? a + 1 : R->old.path,
                             R->later.edition, b ? b + 1 : R->later.path);
    if (rc == RG_OK)
        rc = rg__buf_append_xml(q, source.data);
    rg__buf_free(&source);
    return rc == RG_OK ? rg__buf_appendf(q, "</value></variableValues></Variables></properties>\n") : rc;
}

int rg_compare__project(rg_compare__run *R, const char *tmp, const char *target)
{
    const char *slash = strrchr(target, '/'), *gpkg = slash ? slash + 1 : target;
    double box[4] = {0};
    rg_buf q = {0}, title = {0};
    int rc = extent(R, tmp, target, box);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&title, "Perubahan %s: %s - %s", R->mapped >= 0 ? R->programmes[R->mapped].name
                                                                             : "rumah tangga",
                             R->old.edition, R->later.edition);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                                 "<qgis version=\"3.22.16-Białowieża\" projectname=\"");
    if (rc == RG_OK)
        rc = rg__buf_append_xml(&q, title.data);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q, "\">\n <homePath path=\"\"/>\n <title>");
    if (rc == RG_OK)
        rc = rg__buf_append_xml(&q, title.data);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q, "</title>\n <projectCrs>%s</projectCrs>\n", srs);
    if (rc == RG_OK)
        rc = tree(&q, gpkg, R->opts->public_only);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q,
                             " <mapcanvas name=\"theMapCanvas\"><units>degrees</units><extent><xmin>%.9f</xmin>"
                             "<ymin>%.9f</ymin><xmax>%.9f</xmax><ymax>%.9f</ymax></extent><rotation>0</rotation>"
                             "<destinationsrs>%s</destinationsrs></mapcanvas>\n <projectlayers>\n",
                             box[0], box[1], box[2], box[3], srs);
    for (size_t i = 0; i < LAYERS && rc == RG_OK; i++)
        if (!(R->opts->public_only && (i == 0 || !layers[i].geometry)))
            rc = map_layer(R, &q, i, gpkg);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q, " </projectlayers>\n");
    if (rc == RG_OK)
        rc = layout(R, &q, box);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&q, "</qgis>\n");
    if (rc == RG_OK)
        rc = rg_export_qgis_project_store(R->ctx, tmp, target, RG_COMPARE_PROJECT_NAME, q.data, q.len);
    rg__buf_free(&q);
    rg__buf_free(&title);
    return rc;
}
