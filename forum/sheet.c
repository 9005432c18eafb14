/*
 * The forum's printable sheet (cairo's PDF surface): the map page, then the recap and the
 * family list in rank order over as many A4 pages as it takes, the header repeated on each,
 * with two empty columns the forum fills in by hand. Black on white but for the markers,
 * whose shapes tell the classes apart when printed in black and white.
 */
#include "forum/draw.h"

#include <cairo-pdf.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"

#define ROW_HEIGHT 12.5
#define HEADER_HEIGHT 22.0 /* two lines: "Kelas / disepakati" */

static const struct {
    const char *title;
    double width;
} columns[] = {
    {"Peringkat", 46}, {"ID keluarga", 86}, {"Kelas", 58}, {"Desil", 27}, {"ART", 22},
    {"Catatan data", 136}, {"Kelas disepakati", 72}, {"Catatan forum", 76},
};
#define COLUMNS (sizeof columns / sizeof *columns)

static void table_header(cairo_t *cr, double y)
{
    double x = RG_PAGE_MARGIN;
    cairo_new_path(cr);
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
    cairo_rectangle(cr, x, y, RG_A4_SHORT - 2 * RG_PAGE_MARGIN, HEADER_HEIGHT);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (size_t c = 0; c < COLUMNS; c++) {
        rg_forum__draw_text(cr, x + 2, y + 2, columns[c].width - 4, "DejaVu Sans Bold 7.5", columns[c].title, 0);
        x += columns[c].width;
    }
}

/* One family's row; the last two cells are boxes for the forum's pen. */
static void table_row(cairo_t *cr, double y, const rg_forum__families *list, const rg_forum__family *f,
                      const rg_forum__fields *fields)
{
    char rank[24] = "", desil[16] = "", size[16] = "", who[512];
    if (f->rank > 0)
        snprintf(rank, sizeof rank, "%lld", (long long)f->rank);
    if (f->desil > 0)
        snprintf(desil, sizeof desil, "%d", f->desil);
    if (f->size >= 0)
        snprintf(size, sizeof size, "%d", f->size);
    /* --fields (a name, an address) go beside the id: the forum knows its families by them. */
    snprintf(who, sizeof who, "%s", rg_forum__text(list, f->id) ? rg_forum__text(list, f->id) : "");
    for (size_t i = fields->sls_first ? 1 : 0; i < fields->count; i++) {
        const char *v = rg_forum__text(list, f->fields[i]);
        size_t n = strlen(who);
        if (v)
            snprintf(who + n, sizeof who - n, " \u00b7 %s", v);
    }
    const char *cells[COLUMNS] = {rank, who, rg_forum__text(list, f->cls), desil, size, rg_forum__text(list, f->notes),
                                  rg_forum__text(list, f->decided), NULL};
    double x = RG_PAGE_MARGIN;
    for (size_t c = 0; c < COLUMNS; c++) {
        if (c >= COLUMNS - 2) {
            cairo_new_path(cr);
            cairo_rectangle(cr, x + 1, y + 1, columns[c].width - 2, ROW_HEIGHT - 2);
            cairo_set_line_width(cr, 0.4);
            cairo_stroke(cr);
        }
        if (cells[c]) {
            rg_forum__draw_text(cr, x + 2, y + 2, columns[c].width - 4, "DejaVu Sans 7.5", cells[c], 1);
        }
        x += columns[c].width;
    }
    cairo_set_line_width(cr, 0.2);
    cairo_new_path(cr);
    cairo_move_to(cr, RG_PAGE_MARGIN, y + ROW_HEIGHT);
    cairo_line_to(cr, RG_A4_SHORT - RG_PAGE_MARGIN, y + ROW_HEIGHT);
    cairo_stroke(cr);
}

/* The rules' INI text on one line: its lines joined by "; ", empty ones left out. */
static void one_line(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = text; *p && n + 3 < cap; p++) {
        if (*p != '\n')
            out[n++] = *p;
        else if (n && p[1] && p[1] != '\n')
            n += (size_t)snprintf(out + n, cap - n, "; ");
    }
    out[n < cap ? n : cap - 1] = '\0';
}

/* The recap at the top of the list's first page; returns where the list starts. */
static double recap(cairo_t *cr, const rg_forum__area *a)
{
    double x = RG_PAGE_MARGIN, y = RG_PAGE_MARGIN, w = RG_A4_SHORT - 2 * RG_PAGE_MARGIN;
    char text[4800];
    if (a->forum[0])
        snprintf(text, sizeof text, "DAFTAR KELUARGA \u2014 FORUM %s \u2014 KELURAHAN/DESA %s", a->forum, a->name);
    else
        snprintf(text, sizeof text, "DAFTAR KELUARGA \u2014 KELURAHAN/DESA %s", a->name);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Bold 14", text, 0) + 2;
    if (a->forum[0]) {
        snprintf(text, sizeof text, "SLS forum ini, dibacakan berurutan: %s", a->forum_sls);
        y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Bold 9", text, 0) + 2;
    }
    snprintf(text, sizeof text, "Kode %s%s%s  \u00b7  Kecamatan %s %s  \u00b7  Kabupaten/Kota %s  \u00b7  Provinsi %s",
             a->code, a->alt_code[0] ? " / " : "", a->alt_code, a->kecamatan_code, a->kecamatan_name, a->kabkota_code,
             a->provinsi_code);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 8.5", text, 0) + 2;
    char rules[sizeof a->rules];
    one_line(a->rules, rules, sizeof rules);
    snprintf(text, sizeof text, "Data: %s. Metode: %s. %s. Aturan: %s. Dibuat %s.", a->data_version, a->method,
             a->poverty_rate, rules, a->made);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 7", text, 0) + 6;
    int n = snprintf(text, sizeof text, "%lld rumah tangga: ", (long long)a->households);
    for (int c = RG_CLASS_SANGAT_MISKIN; c <= RG_CLASS_TIDAK_MISKIN; c++)
        n += snprintf(text + n, sizeof text - (size_t)n, "%s %lld, ", rg_classify_class_name((rg_poverty_class)c),
                      (long long)a->by_class[c]);
    n += snprintf(text + n, sizeof text - (size_t)n, "belum terklasifikasi %lld. Desil:", (long long)a->by_class[0]);
    for (int d = 1; d <= 10; d++)
        n += snprintf(text + n, sizeof text - (size_t)n, " %d: %lld%s", d, (long long)a->by_desil[d], d < 10 ? "," : ".");
    snprintf(text + n, sizeof text - (size_t)n, " Dengan titik GPS %lld, tanpa %lld. Perlu diperiksa (catatan data): %lld.",
             (long long)a->with_point, (long long)a->without_point, (long long)a->noted);
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans 8.5", text, 0) + 4;
    y += rg_forum__draw_text(cr, x, y, w, "DejaVu Sans Oblique 7.5",
                             "\u201cKelas\u201d adalah kelas yang berlaku: hasil pemeringkatan, atau keputusan forum"
                             " sebelumnya, yang tercetak di \u201cKelas disepakati\u201d. Forum mengisi \u201cKelas"
                             " disepakati\u201d hanya bila berbeda dari kelas yang berlaku (sangat miskin, miskin,"
                             " rentan miskin, tidak miskin), dan catatan bila perlu.",
                             0) + 6;
    return y;
}

static int list_pages(cairo_t *cr, const rg_forum__area *area, const rg_forum__families *list,
                      const rg_forum__fields *fields, int *page)
{
    double bottom = RG_A4_LONG - RG_PAGE_MARGIN - 6;
    double y = recap(cr, area);
    table_header(cr, y);
    y += HEADER_HEIGHT;
    const char *sls = NULL;
    for (size_t i = 0; i < list->count; i++) {
        /* A forum's list is read SLS by SLS: each opens with its name. */
        const char *here = fields->sls_first ? rg_forum__text(list, list->items[i].fields[0]) : NULL;
        int opens = fields->sls_first && (!sls || !here || strcmp(here, sls) != 0);
        if (y + ROW_HEIGHT * (opens ? 2 : 1) > bottom) {
            rg_forum__footer(cr, RG_A4_SHORT, RG_A4_LONG, area, (*page)++);
            cairo_show_page(cr);
            y = RG_PAGE_MARGIN;
            table_header(cr, y);
            y += HEADER_HEIGHT;
        }
        if (opens) {
            char band[200];
            snprintf(band, sizeof band, "SLS %s", here ? here : "(tanpa nama)");
            rg_forum__draw_text(cr, RG_PAGE_MARGIN + 2, y + 2, RG_A4_SHORT - 2 * RG_PAGE_MARGIN, "DejaVu Sans Bold 8",
                                band, 0);
            y += ROW_HEIGHT;
            sls = here;
        }
        table_row(cr, y, list, &list->items[i], fields);
        y += ROW_HEIGHT;
    }
    rg_forum__footer(cr, RG_A4_SHORT, RG_A4_LONG, area, (*page)++);
    cairo_show_page(cr);
    return RG_OK;
}

int rg_forum__sheet_write(rg_store *store, const char *path, const rg_forum__area *area,
                          const rg_forum__families *list, const rg_forum__fields *fields)
{
    rg_ctx *ctx = rg_io_store_ctx(store);
    cairo_surface_t *surface = cairo_pdf_surface_create(path, RG_A4_LONG, RG_A4_SHORT);
    cairo_t *cr = cairo_create(surface);
    int page = 1, rc = cairo_status(cr) == CAIRO_STATUS_SUCCESS
                           ? RG_OK
                           : rg_ctx_error(ctx, RG_EIO, "%s: cannot start the PDF: %s", path,
                                          cairo_status_to_string(cairo_status(cr)));
    char title[300];
    snprintf(title, sizeof title, "Forum Konsultasi Publik Regsosek 2022 - %s %s", area->forum[0] ? area->forum : area->code,
             area->name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "regsosek-geo");
    if (rc == RG_OK)
        rc = rg_forum__map_page(store, cr, area);
    if (rc == RG_OK) {
        rg_forum__footer(cr, RG_A4_LONG, RG_A4_SHORT, area, page++);
        cairo_show_page(cr);
        cairo_pdf_surface_set_size(surface, RG_A4_SHORT, RG_A4_LONG);
        rc = list_pages(cr, area, list, fields, &page);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    cairo_status_t status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (rc == RG_OK && status != CAIRO_STATUS_SUCCESS)
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot write the PDF (disk full?): %s", path, cairo_status_to_string(status));
    return rc;
}
