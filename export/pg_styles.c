/*
 * The map's styles where the readers of a PostGIS database look for them: QGIS's
 * public.layer_styles (QGIS opens each layer with the style marked useAsDefault for its
 * schema and table), holding the QGIS style (styleqml) and the same style as OGC SLD
 * (stylesld) that GeoServer takes. Both are written by QGIS itself from one definition
 * (scripts/make-styles.py).
 */
#include "export/internal.h"

#include <stdio.h>
#include <string.h>

extern const char rg_sld_households[], rg_sld_kelurahan[], rg_sld_kecamatan[], rg_sld_kabkota[], rg_sld_provinsi[];

/* The SLD of a layer: as QGIS writes it, named after the layer. */
static const char *sld_of(const char *layer)
{
    static const struct {
        const char *layer, *sld;
    } slds[] = {{"households", rg_sld_households}, {"kelurahan", rg_sld_kelurahan}, {"kecamatan", rg_sld_kecamatan},
                {"kabkota", rg_sld_kabkota},       {"provinsi", rg_sld_provinsi}};
    for (size_t i = 0; i < sizeof slds / sizeof *slds; i++)
        if (strcmp(slds[i].layer, layer) == 0)
            return slds[i].sld;
    return NULL;
}

/* The table as QGIS makes it the first time it saves a style to the database. */
static const char create_layer_styles[] =
    "CREATE TABLE IF NOT EXISTS public.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar,"
    " f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml,"
    " stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
    " update_time timestamp DEFAULT CURRENT_TIMESTAMP)";

static int write_style(rg_pg *pg, const char *schema, const layer_def *def)
{
    const char *params[] = {schema, def->name, *def->style, sld_of(def->name)};
    PGresult *res = rg_export__pg_query(
        pg, "public.layer_styles",
        "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND f_table_schema = $1"
        " AND f_table_name = $2 AND stylename = $2",
        2, params);
    if (!res)
        return RG_EPG;
    PQclear(res);
    /* Another default for the table (one a user saved) would compete with ours. */
    res = rg_export__pg_query(pg, "public.layer_styles",
                              "UPDATE public.layer_styles SET useasdefault = false WHERE f_table_catalog ="
                              " current_database() AND f_table_schema = $1 AND f_table_name = $2",
                              2, params);
    if (!res)
        return RG_EPG;
    PQclear(res);
    res = rg_export__pg_query(
        pg, "public.layer_styles",
        "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
        " stylename, styleqml, stylesld, useasdefault, description) VALUES (current_database(), $1, $2::text, 'geom', $2::text,"
        " XMLPARSE(DOCUMENT $3), XMLPARSE(DOCUMENT $4), true, 'regsosek-geo default style')",
        4, params);
    if (!res)
        return RG_EPG;
    PQclear(res);
    return RG_OK;
}

int rg_export__pg_styles(rg_pg *pg, const char *schema, int chosen)
{
    /* A role that may not make or write public.layer_styles still publishes: the map,
     * without its default styles, and a warning that says why. */
    int rc = rg_export__pg_exec(pg, NULL, "SAVEPOINT styles");
    if (rc != RG_OK)
        return rc;
    /* Even IF NOT EXISTS, CREATE TABLE wants the right to create in public: asked only when
     * the table is not there, so a role that may write it need not have that right. */
    PGresult *res = rg_export__pg_query(pg, "public.layer_styles", "SELECT to_regclass('public.layer_styles') IS NULL", 0,
                                        NULL);
    int missing = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    rc = res ? RG_OK : RG_EPG;
    PQclear(res);
    if (rc == RG_OK && missing)
        rc = rg_export__pg_exec(pg, "public.layer_styles", create_layer_styles);
    for (size_t i = 0; i < RG_LAYER_FILES_MAX && rc == RG_OK; i++)
        if (chosen & rg_export__layers[i].bit)
            rc = write_style(pg, schema, &rg_export__layers[i]);
    if (rc == RG_OK || PQstatus(pg->conn) != CONNECTION_OK)
        return rc;
    rg_ctx_notice(pg->ctx, RG_NOTICE_WARNING, "%s; the layers are published without their default styles",
                  rg_ctx_errmsg(pg->ctx));
    return rg_export__pg_exec(pg, NULL, "ROLLBACK TO SAVEPOINT styles");
}
