/* Drawing helpers shared by the sheet's pages (draw.c): text through Pango, class markers.
 * Inside forum/ only. */
#ifndef RG_FORUM_DRAW_H
#define RG_FORUM_DRAW_H

#include <cairo.h>

#include "forum/internal.h"

/* A4 in PostScript points. */
#define RG_A4_SHORT 595.28
#define RG_A4_LONG 841.89
#define RG_PAGE_MARGIN 36.0
#define RG_PI 3.14159265358979323846

/* Writes text in the box from (x, y), width w (0: unbounded), one line ellipsised when
 * single_line; font as Pango names it ("DejaVu Sans Bold 9"). @return the height used. */
double rg_forum__draw_text(cairo_t *cr, double x, double y, double w, const char *font, const char *text, int single_line);

/* The marker of a class, at (x, y), of radius r: a shape per class (circle, triangle, square,
 * diamond; a cross when unclassified), filled with its colour and outlined in black, so the
 * classes stay apart in black-and-white print too. */
void rg_forum__marker(cairo_t *cr, double x, double y, double r, const char *cls);

/* The footer of every page: what, which kelurahan, the page, and that it is personal data. */
void rg_forum__footer(cairo_t *cr, double page_w, double page_h, const rg_forum__area *area, int page);

/* The map sheet (map.c): the kelurahan as BPS's field maps lay it out, on a landscape page. */
int rg_forum__map_page(rg_store *store, cairo_t *cr, const rg_forum__area *area);

#endif
