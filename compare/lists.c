/*
 * The musyawarah lists as files a desa's staff open in a spreadsheet: one CSV per desa, its
 * families that entered or left desil 1-4 or a programme, in the order the layer has them.
 * Each is written under a temporary name and renamed only with the rest of the change (the
 * GeoPackage last), so a run that fails leaves no list that looks complete.
 */
#include "compare/internal.h"
#include "export/export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char header[] = "sls,id_keluarga,perubahan,desil_lama,desil_baru,program_masuk,program_keluar,"
                             "status,kelas_forum_lama,kelas_forum_baru\n";

static int write_one(rg_compare__run *R, sqlite3_stmt *rows, const char *path, rg_io_atomic *file)
{
    int rc = rg_io_atomic_begin(R->ctx, path, "", R->opts->overwrite, file);
    if (rc != RG_OK)
        return rc;
    FILE *f = fopen(file->tmp, "w");
    if (!f)
        return rg_ctx_error(R->ctx, RG_EIO, "%s: cannot write: %s", path, strerror(errno));
    int64_t written = 0;
    int got = fputs(header, f) < 0 ? -1 : rg_export_csv_rows(f, rows, &written);
    int closed = fclose(f) == 0;
    if (got > 0)
        return rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    if (got < 0 || !closed)
        return rg_ctx_error(R->ctx, RG_EIO, "%s: cannot write (disk full?): %s", path, strerror(errno));
    return RG_OK;
}

int rg_compare__lists_write(rg_compare__run *R, rg_compare__lists *out)
{
    sqlite3_stmt *desa = NULL, *rows = NULL;
    int rc = rg_io_folder_make(R->ctx, R->opts->lists, 0700);
    if (rc == RG_OK &&
        (sqlite3_prepare_v2(R->db, "SELECT code, max(name) FROM temp.lists GROUP BY code ORDER BY code", -1, &desa,
                            NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(R->db, "SELECT sls, id, perubahan, old_d, new_d, entered, left_, status, old_forum,"
                                   " new_forum FROM temp.lists WHERE code IS ? ORDER BY rowid", -1, &rows,
                            NULL) != SQLITE_OK))
        rc = rg_ctx_error(R->ctx, RG_ESQL, "compare: %s", sqlite3_errmsg(R->db));
    while (rc == RG_OK && sqlite3_step(desa) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(desa, 0), *name = (const char *)sqlite3_column_text(desa, 1);
        char path[4200];
        /* Families in no kelurahan in either edition have a list of their own. */
        rg_export_area_file_name(R->opts->lists, code ? code : "tanpa-kelurahan", name ? name : "", ".csv", path,
                                 sizeof path);
        if (rg__grow(&out->files, &out->cap, out->count + 1, sizeof *out->files) != RG_OK) {
            rc = RG_ENOMEM;
            break;
        }
        rg_io_atomic *file = &out->files[out->count++];
        memset(file, 0, sizeof *file);
        sqlite3_reset(rows);
        sqlite3_bind_value(rows, 1, sqlite3_column_value(desa, 0));
        rc = write_one(R, rows, path, file);
    }
    sqlite3_finalize(desa);
    sqlite3_finalize(rows);
    return rc;
}

int rg_compare__lists_commit(rg_compare__run *R, rg_compare__lists *lists)
{
    int rc = RG_OK;
    for (size_t i = 0; i < lists->count && rc == RG_OK; i++)
        rc = rg_io_atomic_commit(R->ctx, &lists->files[i]);
    return rc;
}

void rg_compare__lists_free(rg_compare__lists *lists)
{
    for (size_t i = 0; i < lists->count; i++)
        rg_io_atomic_abandon(&lists->files[i]);
    rg_free(lists->files);
    memset(lists, 0, sizeof *lists);
}
