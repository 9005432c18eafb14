/*
 * The change map's QGIS styles, written as QML text: the area layers coloured by the net
 * change of the mapped programme relative to its households in the earlier edition, on a
 * diverging ramp (ColorBrewer RdBu: more households in the programme red, fewer blue, none
 * changed near white), suppressed or empty areas grey, labelled with name and net change; the
 * households by what became of them.
 */
#include "compare/internal.h"
#include "export/export.h"

#include <stdio.h>
#include <string.h>

/* Relative net change, %: each class's filter over FIELD_net_pct (and FIELD_old, FIELD_net for
 * areas that had no household in the programme), its label and colour. */
static const struct {
    const char *filter, *label, *rgb;
} ramp[] = {
    {"&quot;@P@_net_pct&quot; &gt;= 20 OR (&quot;@P@_old&quot; = 0 AND &quot;@P@_net&quot; &gt; 0)", "Bertambah 20 % atau lebih", "178,24,43"},
    {"&quot;@P@_net_pct&quot; &gt;= 5 AND &quot;@P@_net_pct&quot; &lt; 20", "Bertambah 5 – 20 %", "239,138,98"},
    {"&quot;@P@_net&quot; &gt; 0 AND &quot;@P@_net_pct&quot; &lt; 5", "Bertambah kurang dari 5 %", "253,219,199"},
    {"&quot;@P@_net&quot; = 0", "Tetap", "247,247,247"},
    {"&quot;@P@_net&quot; &lt; 0 AND &quot;@P@_net_pct&quot; &gt; -5", "Berkurang kurang dari 5 %", "209,229,240"},
    {"&quot;@P@_net_pct&quot; &lt;= -5 AND &quot;@P@_net_pct&quot; &gt; -20", "Berkurang 5 – 20 %", "103,169,207"},
    {"&quot;@P@_net_pct&quot; &lt;= -20", "Berkurang 20 % atau lebih", "33,102,172"},
    {"&quot;@P@_net&quot; IS NULL", "Disembunyikan / tidak ada data", "204,204,204"},
};

/* Appends text with each @P@ replaced by the programme's name. */
static int append_for(rg_buf *q, const char *text, const char *p)
{
    int rc = RG_OK;
    for (const char *at; rc == RG_OK && (at = strstr(text, "@P@")); text = at + 3)
        if ((rc = rg__buf_append(q, text, (size_t)(at - text))) == RG_OK)
            rc = rg__buf_append(q, p, strlen(p));
    return rc == RG_OK ? rg__buf_append(q, text, strlen(text)) : rc;
}

/* labelsEnabled, then the scale the layer is drawn from (0: any): households only from a
 * neighbourhood's scale in, where a point can be told from its neighbours. */
static const char qml_head[] = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                               "<qgis version=\"3.22.16\" styleCategories=\"AllStyleCategories\" labelsEnabled=\"%d\""
                               " hasScaleBasedVisibilityFlag=\"%d\" minScale=\"%d\" maxScale=\"0\">\n";

static int fill_symbol(rg_buf *q, int i, const char *rgb)
{
    return rg__buf_appendf(
        q,
        "   <symbol name=\"%d\" type=\"fill\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
        "    <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">\n"
        "     <Option name=\"color\" value=\"%s,255\" type=\"QString\"/>\n"
        "     <Option name=\"outline_color\" value=\"110,110,110,255\" type=\"QString\"/>\n"
        "     <Option name=\"outline_width\" value=\"0.2\" type=\"QString\"/>\n"
        "     <Option name=\"outline_width_unit\" value=\"MM\" type=\"QString\"/>\n"
        "     <Option name=\"outline_style\" value=\"solid\" type=\"QString\"/>\n"
        "     <Option name=\"style\" value=\"solid\" type=\"QString\"/>\n"
        "    </Option></layer>\n   </symbol>\n",
        i, rgb);
}

int rg_compare__area_renderer(rg_buf *q, const char *p)
{
    int rc = rg__buf_appendf(q, " <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" forceraster=\"0\""
                                " enableorderby=\"0\">\n  <rules key=\"{rg-root}\">\n");
    for (size_t i = 0; i < sizeof ramp / sizeof *ramp && rc == RG_OK; i++) {
        rc = rg__buf_appendf(q, "   <rule key=\"{rg-%zu}\" symbol=\"%zu\" label=\"%s\" filter=\"", i, i, ramp[i].label);
        if (rc == RG_OK)
            rc = append_for(q, ramp[i].filter, p);
        if (rc == RG_OK)
            rc = rg__buf_appendf(q, "\"/>\n");
    }
    rc = rc == RG_OK ? rg__buf_appendf(q, "  </rules>\n  <symbols>\n") : rc;
    for (size_t i = 0; i < sizeof ramp / sizeof *ramp && rc == RG_OK; i++)
        rc = fill_symbol(q, (int)i, ramp[i].rgb);
    return rc == RG_OK
               ? append_for(
                     q,
                     "  </symbols>\n </renderer-v2>\n"
                     " <labeling type=\"simple\"><settings calloutType=\"simple\">\n"
                     "  <text-style fieldName=\"concat(&quot;name&quot;, ' ', if(&quot;@P@_net&quot; &gt; 0, '+', ''),"
                     " &quot;@P@_net&quot;)\" isExpression=\"1\" fontFamily=\"DejaVu Sans\" fontSize=\"8\""
                     " fontSizeUnit=\"Point\" textColor=\"40,40,40,255\" textOpacity=\"1\">\n"
                     "   <text-buffer bufferDraw=\"1\" bufferSize=\"0.7\" bufferSizeUnits=\"MM\""
                     " bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\"/>\n"
                     "  </text-style>\n"
                     "  <placement placement=\"1\" centroidInside=\"1\" centroidWhole=\"0\"/>\n"
                     "  <rendering obstacle=\"1\" displayAll=\"0\" upsidedownLabels=\"0\"/>\n"
                     " </settings></labeling>\n",
                     p)
               : rc;
}

/* An area layer's style for programme p, or, with no programme, for the households' net change. */
static int area_qml(rg_buf *q, const char *p)
{
    int rc = rg__buf_appendf(q, qml_head, 1, 0, 0);
    if (rc == RG_OK)
        rc = rg_compare__area_renderer(q, p);
    return rc == RG_OK ? rg__buf_appendf(q, " <layerGeometryType>2</layerGeometryType>\n</qgis>\n") : rc;
}

static const struct {
    const char *value, *label, *shape, *rgb;
} statuses[] = {
    {"new", "Baru", "circle", "26,150,65"},
    {"gone", "Keluar dari data", "cross2", "215,25,28"},
    {"moved", "Pindah", "triangle", "43,131,186"},
    {"not_comparable", "Tidak dapat dibandingkan", "diamond", "253,174,97"},
    {"duplicate_id", "ID ganda", "square", "123,50,148"},
    {"", "Tetap (desil, kelas atau program berubah)", "circle", "150,150,150"},
};

int rg_compare__household_renderer(rg_buf *q)
{
    int rc = rg__buf_appendf(q, " <renderer-v2 type=\"categorizedSymbol\" attr=\"status\" symbollevels=\"0\""
                                " forceraster=\"0\" enableorderby=\"0\">\n  <categories>\n");
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses && rc == RG_OK; i++)
        rc = rg__buf_appendf(q, "   <category render=\"true\" symbol=\"%zu\" value=\"%s\" label=\"%s\"/>\n", i,
                             statuses[i].value, statuses[i].label);
    rc = rc == RG_OK ? rg__buf_appendf(q, "  </categories>\n  <symbols>\n") : rc;
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses && rc == RG_OK; i++)
        rc = rg__buf_appendf(
            q,
            "   <symbol name=\"%zu\" type=\"marker\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
            "    <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">\n"
            "     <Option name=\"name\" value=\"%s\" type=\"QString\"/>\n"
            "     <Option name=\"color\" value=\"%s,255\" type=\"QString\"/>\n"
            "     <Option name=\"outline_color\" value=\"%s,255\" type=\"QString\"/>\n"
            "     <Option name=\"outline_width\" value=\"%s\" type=\"QString\"/>\n"
            "     <Option name=\"size\" value=\"%s\" type=\"QString\"/>\n"
            "     <Option name=\"size_unit\" value=\"MM\" type=\"QString\"/>\n"
            "    </Option></layer>\n   </symbol>\n",
            i, statuses[i].shape, statuses[i].rgb, i == 1 ? statuses[i].rgb : "35,35,35", i == 1 ? "0.5" : "0.2",
            i == 5 ? "1.6" : "2.4");
    return rc == RG_OK ? rg__buf_appendf(q, "  </symbols>\n </renderer-v2>\n") : rc;
}

static int household_qml(rg_buf *q)
{
    int rc = rg__buf_appendf(q, qml_head, 0, 1, RG_COMPARE_HOUSEHOLDS_FROM);
    if (rc == RG_OK)
        rc = rg_compare__household_renderer(q);
    return rc == RG_OK ? rg__buf_appendf(q, " <layerGeometryType>0</layerGeometryType>\n</qgis>\n") : rc;
}

int rg_compare__styles(rg_compare__run *R, void *ds, const char *target)
{
    rg_buf area = {0}, households = {0};
    /* Without a programme in both editions, the map shows the net change of households. */
    int rc = area_qml(&area, R->mapped >= 0 ? R->programmes[R->mapped].name : "households");
    if (rc == RG_OK && !R->opts->public_only)
        rc = household_qml(&households);
    const char *layers[RG_COMPARE_LEVELS + 1], *qml[RG_COMPARE_LEVELS + 1];
    char names[RG_COMPARE_LEVELS][32];
    size_t n = 0;
    for (int i = 0; i < RG_COMPARE_LEVELS; i++) {
        snprintf(names[i], sizeof names[i], "%s_change", rg_compare__level[i]);
        layers[n] = names[i];
        qml[n++] = area.data;
    }
    if (!R->opts->public_only) {
        layers[n] = "household_changes";
        qml[n++] = households.data;
    }
    if (rc == RG_OK)
        rc = rg_export_layer_styles(R->ctx, ds, target, layers, qml, n);
    rg__buf_free(&area);
    rg__buf_free(&households);
    return rc;
}
