/*
 * What every page of the forum's sheet draws with: text laid out by Pango (DejaVu Sans,
 * which Debian ships and which has every letter of Indonesian names), and the markers of
 * the four classes as the QGIS style draws households (scripts/make-styles.py: ColorBrewer
 * Purples, darkest for sangat miskin, a shape per class), so the sheet and the map agree.
 */
#include "forum/draw.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

double rg_forum__draw_text(cairo_t *cr, double x, double y, double w, const char *font, const char *text, int single_line)
{
    if (!text || !*text)
        return 0;
    PangoLayout *layout = pango_cairo_create_layout(cr);
    /* Font sizes in the page's own points, not at a screen's 96 dpi. */
    pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
    pango_layout_context_changed(layout);
    PangoFontDescription *desc = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, desc);
    if (w > 0)
        pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
    if (single_line)
        pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    else
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text, -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, layout);
    int width = 0, height = 0;
    pango_layout_get_size(layout, &width, &height);
    pango_font_description_free(desc);
    g_object_unref(layout);
    return (double)height / PANGO_SCALE;
}

typedef struct {
    const char *cls;
    double r, g, b;
    int shape; /* 0 circle, 1 triangle, 2 square, 3 diamond */
} marker_style;

static const marker_style styles[] = {
    {"sangat miskin", 0x3f / 255.0, 0x00 / 255.0, 0x7d / 255.0, 0},
    {"miskin", 0x6a / 255.0, 0x51 / 255.0, 0xa3 / 255.0, 1},
    {"rentan miskin", 0x9e / 255.0, 0x9a / 255.0, 0xc8 / 255.0, 2},
    {"tidak miskin", 0xf2 / 255.0, 0xf0 / 255.0, 0xf7 / 255.0, 3},
};

static void shape_path(cairo_t *cr, double x, double y, double r, int shape)
{
    switch (shape) {
    case 0: cairo_arc(cr, x, y, r, 0, 2 * RG_PI); break;
    case 1:
        cairo_move_to(cr, x, y - 1.2 * r);
        cairo_line_to(cr, x + 1.1 * r, y + 0.8 * r);
        cairo_line_to(cr, x - 1.1 * r, y + 0.8 * r);
        cairo_close_path(cr);
        break;
    case 2: cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r); break;
    default:
        cairo_move_to(cr, x, y - 1.2 * r);
        cairo_line_to(cr, x + 1.2 * r, y);
        cairo_line_to(cr, x, y + 1.2 * r);
        cairo_line_to(cr, x - 1.2 * r, y);
        cairo_close_path(cr);
    }
}

void rg_forum__marker(cairo_t *cr, double x, double y, double r, const char *cls)
{
    cairo_save(cr);
    cairo_new_path(cr); /* text leaves a current point, which an arc would join */
    cairo_set_line_width(cr, r * 0.35);
    for (size_t i = 0; i < sizeof styles / sizeof *styles; i++) {
        if (cls && strcmp(cls, styles[i].cls) == 0) {
            shape_path(cr, x, y, r, styles[i].shape);
            cairo_set_source_rgb(cr, styles[i].r, styles[i].g, styles[i].b);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_stroke(cr);
            cairo_restore(cr);
            return;
        }
    }
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_move_to(cr, x - r, y - r);
    cairo_line_to(cr, x + r, y + r);
    cairo_move_to(cr, x + r, y - r);
    cairo_line_to(cr, x - r, y + r);
    cairo_stroke(cr);
    cairo_restore(cr);
}

void rg_forum__footer(cairo_t *cr, double page_w, double page_h, const rg_forum__area *area, int page)
{
    char text[512];
    snprintf(text, sizeof text, "Forum Konsultasi Publik Regsosek 2022  \u00b7  Kelurahan %s (%s)  \u00b7  halaman %d  "
                                "\u00b7  DATA PRIBADI: hanya untuk forum ini",
             area->name, area->code, page);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    rg_forum__draw_text(cr, RG_PAGE_MARGIN, page_h - RG_PAGE_MARGIN + 8, page_w - 2 * RG_PAGE_MARGIN, "DejaVu Sans 7", text,
                   1);
    cairo_set_source_rgb(cr, 0, 0, 0);
}
