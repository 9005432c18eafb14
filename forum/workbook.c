/*
 * The forum's workbook (libxlsxwriter): a recap sheet and the family list, with typed cells
 * (numbers as numbers; codes and ids as text, so leading zeros and dots survive), a frozen
 * header with filters, set widths, a drop-down of the four classes in the column where the
 * forum writes its decision, and print settings for A4 landscape with the header repeated.
 * Texts are written as string cells, which no spreadsheet evaluates: an id "=1+1" stays
 * the id. The recap is a two-column table (Keterangan, Nilai) so that a program, `amend`
 * among them, can read it as rows.
 */
#include "forum/internal.h"

#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "classify/classify.h"

typedef struct {
    rg_ctx *ctx;
    const char *path;
    lxw_workbook *book;
    lxw_worksheet *recap, *list;
    lxw_format *header, *text;
    const rg_forum__fields *fields;
    lxw_row_t rows; /* family rows written */
} rg_forum__workbook;

/* The list's columns: the forum's two come after the data and the --fields. */
static const struct {
    const char *title;
    double width;
} list_columns[] = {
    {"Peringkat", 10}, {"ID keluarga", 18}, {"Kode kelurahan", 15}, {"Kelas", 15}, {"Desil", 7},
    {"Jumlah ART", 11}, {"Lokasi", 24}, {"Catatan data", 40},
};
#define LIST_DATA_COLUMNS (sizeof list_columns / sizeof *list_columns)

static const char *const agreed_title = "Kelas disepakati", *const note_title = "Catatan forum";

static lxw_col_t agreed_column(const rg_forum__workbook *wb) { return (lxw_col_t)(LIST_DATA_COLUMNS + wb->fields->count); }

static int failed(rg_forum__workbook *wb, lxw_error err)
{
    return rg_ctx_error(wb->ctx, RG_EIO, "%s: cannot write the workbook: %s", wb->path, lxw_strerror(err));
}

static void write_list_header(rg_forum__workbook *wb)
{
    lxw_worksheet *ws = wb->list;
    for (lxw_col_t c = 0; c < LIST_DATA_COLUMNS; c++) {
        worksheet_write_string(ws, 0, c, list_columns[c].title, wb->header);
        worksheet_set_column(ws, c, c, list_columns[c].width, NULL);
    }
    for (size_t i = 0; i < wb->fields->count; i++) {
        lxw_col_t c = (lxw_col_t)(LIST_DATA_COLUMNS + i);
        worksheet_write_string(ws, 0, c, wb->fields->names[i], wb->header);
        worksheet_set_column(ws, c, c, 24, NULL);
    }
    lxw_col_t agreed = agreed_column(wb);
    worksheet_write_string(ws, 0, agreed, agreed_title, wb->header);
    worksheet_write_string(ws, 0, agreed + 1, note_title, wb->header);
    worksheet_set_column(ws, agreed, agreed, 18, NULL);
    worksheet_set_column(ws, agreed + 1, agreed + 1, 40, NULL);
    worksheet_freeze_panes(ws, 1, 2);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_repeat_rows(ws, 0, 0);
    worksheet_fit_to_pages(ws, 1, 0);
}

static int start(rg_forum__workbook *wb, rg_ctx *ctx, const char *path, const rg_forum__fields *fields)
{
    wb->ctx = ctx;
    wb->path = path;
    wb->fields = fields;
    if (!(wb->book = workbook_new(path)))
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot start a workbook", path);
    wb->recap = workbook_add_worksheet(wb->book, "Rekap");
    wb->list = workbook_add_worksheet(wb->book, "Daftar keluarga");
    wb->header = workbook_add_format(wb->book);
    format_set_bold(wb->header);
    format_set_bg_color(wb->header, 0xD9D9D9);
    format_set_text_wrap(wb->header);
    wb->text = workbook_add_format(wb->book);
    format_set_num_format(wb->text, "@"); /* a code typed over stays text */
    write_list_header(wb);
    worksheet_activate(wb->list);
    return RG_OK;
}

static void write_text_or_blank(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *v, lxw_format *f)
{
    if (v && *v)
        worksheet_write_string(ws, r, c, v, f);
}

/* "GPS" when the point is inside (or on the border of) the kelurahan; how else it was placed. */
static const char *where_placed(const char *method)
{
    if (!method)
        return "";
    if (strcmp(method, "within") == 0 || strcmp(method, "boundary") == 0)
        return "titik GPS";
    if (strcmp(method, "nearest") == 0)
        return "titik GPS terdekat";
    if (strcmp(method, "code") == 0)
        return "tanpa GPS: menurut kode wilayah";
    return method;
}

static void write_family(rg_forum__workbook *wb, const rg_forum__families *list, const rg_forum__family *f)
{
    lxw_worksheet *ws = wb->list;
    lxw_row_t r = ++wb->rows;
    if (f->rank > 0)
        worksheet_write_number(ws, r, 0, (double)f->rank, NULL);
    write_text_or_blank(ws, r, 1, rg_forum__text(list, f->id), wb->text);
    write_text_or_blank(ws, r, 2, rg_forum__text(list, f->kelurahan), wb->text);
    write_text_or_blank(ws, r, 3, rg_forum__text(list, f->cls), NULL);
    if (f->desil > 0)
        worksheet_write_number(ws, r, 4, f->desil, NULL);
    if (f->size >= 0)
        worksheet_write_number(ws, r, 5, f->size, NULL);
    worksheet_write_string(ws, r, 6, where_placed(rg_forum__text(list, f->method)), NULL);
    write_text_or_blank(ws, r, 7, rg_forum__text(list, f->notes), NULL);
    for (size_t i = 0; i < wb->fields->count; i++)
        write_text_or_blank(ws, r, (lxw_col_t)(LIST_DATA_COLUMNS + i), rg_forum__text(list, f->fields[i]), wb->text);
    /* An earlier forum's decision stands in its box: a forum that agrees leaves it, one that
     * does not writes another class over it. */
    write_text_or_blank(ws, r, agreed_column(wb), rg_forum__text(list, f->decided), NULL);
}

/* The drop-down of the four classes, over every family row; filters over the whole list. */
static void finish_list(rg_forum__workbook *wb)
{
    lxw_col_t agreed = agreed_column(wb);
    lxw_row_t last = wb->rows ? wb->rows : 1;
    char *classes[] = {"sangat miskin", "miskin", "rentan miskin", "tidak miskin", NULL};
    lxw_data_validation v = {0};
    v.validate = LXW_VALIDATION_TYPE_LIST;
    v.value_list = classes;
    v.input_title = "Kelas disepakati forum";
    v.input_message = "Pilih satu dari empat kelas bila berbeda dari kolom Kelas (kelas yang berlaku); biarkan bila forum setuju.";
    v.error_title = "Kelas tidak dikenal";
    v.error_message = "Kelas: sangat miskin, miskin, rentan miskin, tidak miskin.";
    worksheet_data_validation_range(wb->list, 1, agreed, last, agreed, &v);
    worksheet_autofilter(wb->list, 0, 0, last, agreed + 1);
}

static void recap_row(rg_forum__workbook *wb, lxw_row_t *r, const char *what, const char *value)
{
    worksheet_write_string(wb->recap, *r, 0, what, NULL);
    if (value && *value)
        worksheet_write_string(wb->recap, *r, 1, value, wb->text);
    (*r)++;
}

static void recap_count(rg_forum__workbook *wb, lxw_row_t *r, const char *what, int64_t n)
{
    worksheet_write_string(wb->recap, *r, 0, what, NULL);
    worksheet_write_number(wb->recap, *r, 1, (double)n, NULL);
    (*r)++;
}

static void write_recap(rg_forum__workbook *wb, const rg_forum__area *a)
{
    lxw_row_t r = 0;
    char both[400];
    worksheet_set_column(wb->recap, 0, 0, 34, NULL);
    worksheet_set_column(wb->recap, 1, 1, 70, NULL);
    worksheet_write_string(wb->recap, r, 0, "Keterangan", wb->header);
    worksheet_write_string(wb->recap, r++, 1, "Nilai", wb->header);
    recap_row(wb, &r, "Kegiatan", "Forum Konsultasi Publik Regsosek 2022");
    if (a->forum[0]) {
        recap_row(wb, &r, "Forum", a->forum);
        recap_row(wb, &r, "SLS", a->forum_sls);
    }
    recap_row(wb, &r, "Kode kelurahan", a->code);
    recap_row(wb, &r, "Nama kelurahan", a->name);
    recap_row(wb, &r, "Kode Kemendagri", a->alt_code);
    snprintf(both, sizeof both, "%s %s", a->kecamatan_code, a->kecamatan_name);
    recap_row(wb, &r, "Kecamatan", both);
    recap_row(wb, &r, "Kode kabupaten/kota", a->kabkota_code);
    recap_row(wb, &r, "Kode provinsi", a->provinsi_code);
    recap_row(wb, &r, "Data", a->data_version);
    recap_row(wb, &r, "Metode", a->method);
    recap_row(wb, &r, "Aturan yang berlaku", a->rules);
    recap_row(wb, &r, "Tingkat kemiskinan (poverty_rate)", a->poverty_rate);
    recap_row(wb, &r, "Dibuat", a->made);
    recap_count(wb, &r, "Rumah tangga", a->households);
    for (int c = RG_CLASS_SANGAT_MISKIN; c <= RG_CLASS_TIDAK_MISKIN; c++)
        recap_count(wb, &r, rg_classify_class_name((rg_poverty_class)c), a->by_class[c]);
    recap_count(wb, &r, "Belum terklasifikasi", a->by_class[0]);
    for (int d = 1; d <= 10; d++) {
        char what[16];
        snprintf(what, sizeof what, "Desil %d", d);
        recap_count(wb, &r, what, a->by_desil[d]);
    }
    recap_count(wb, &r, "Tanpa desil", a->by_desil[0]);
    recap_count(wb, &r, "Dengan titik GPS", a->with_point);
    recap_count(wb, &r, "Tanpa titik GPS (menurut kode wilayah)", a->without_point);
    recap_count(wb, &r, "Perlu diperiksa (catatan data)", a->noted);
    worksheet_set_paper(wb->recap, 9);
}

int rg_forum__workbook_write(rg_ctx *ctx, const char *path, const rg_forum__area *area,
                             const rg_forum__families *list, const rg_forum__fields *fields)
{
    rg_forum__workbook wb = {0};
    int rc = start(&wb, ctx, path, fields);
    if (rc != RG_OK)
        return rc;
    for (size_t i = 0; i < list->count; i++)
        write_family(&wb, list, &list->items[i]);
    finish_list(&wb);
    write_recap(&wb, area);
    char subject[240];
    snprintf(subject, sizeof subject, "%s %s", area->forum[0] ? area->forum : area->code, area->name);
    lxw_doc_properties props = {.title = "Forum Konsultasi Publik Regsosek 2022", .subject = subject,
                                .comments = "Data pribadi: simpan dan bagikan hanya untuk forum ini."};
    workbook_set_properties(wb.book, &props);
    lxw_error err = workbook_close(wb.book);
    return err == LXW_NO_ERROR ? RG_OK : failed(&wb, err);
}
