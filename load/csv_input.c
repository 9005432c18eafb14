/*
 * A CSV or TSV file, read and checked on a thread of its own a batch or two ahead of the
 * thread that writes (each took about half of a load), handed over by the batch through a
 * ring of three.
 */
#include "load/internal.h"

#include <stdio.h>
#include <string.h>

/*
 * The CSV pipeline: the reading thread parses and checks rows into a ring of batches,
 * the calling thread (which owns the SQLite connection) writes them in order. Memory is
 * the ring, whatever the file's length. The reader has a context of its own; its failure
 * is raised on the loader's after the join.
 */
#define PIPELINE_BATCHES 3

typedef struct {
    const loader *L;
    rg_csv *csv;
    rg_ctx *reader_ctx;
    row_batch batches[PIPELINE_BATCHES];
    int filled[PIPELINE_BATCHES]; /* checked, waiting to be written */
    int reader_done;              /* end of input, or the reader failed */
    int reader_rc;
    int writer_failed;            /* the reader stops early */
    pthread_mutex_t lock;
    pthread_cond_t changed;
} pipeline;

/* Hands batch i to the writer and waits until batch next is free (or the writer failed). */
static int hand_over(pipeline *P, int i, int next)
{
    pthread_mutex_lock(&P->lock);
    P->filled[i] = 1;
    pthread_cond_broadcast(&P->changed);
    while (P->filled[next] && !P->writer_failed)
        pthread_cond_wait(&P->changed, &P->lock);
    int go_on = !P->writer_failed;
    pthread_mutex_unlock(&P->lock);
    return go_on;
}

static void *read_and_check(void *arg)
{
    pipeline *P = arg;
    int i = 0, rc, stopped = 0;
    rg_csv_row row;
    while (!stopped && (rc = rg_io_csv_next(P->csv, &row)) == 1) {
        row_batch *b = &P->batches[i];
        rc = row.problem != RG_CSV_FINE ? rg_load__check_unreadable(P->L, b, &row)
                                        : rg_load__check_row(P->L, b, row.line, row.raw, row.raw_len, row.fields, row.count,
                                                             NULL);
        if (rc != RG_OK)
            break;
        if (rg_load__batch_full(b)) {
            int next = (i + 1) % PIPELINE_BATCHES;
            stopped = !hand_over(P, i, next);
            i = next;
        }
    }
    if (stopped)
        rc = RG_OK;
    else if (rc == RG_ENOMEM)
        rg_ctx_error(P->reader_ctx, RG_ENOMEM, "%s: out of memory while reading", P->L->path);
    pthread_mutex_lock(&P->lock);
    if (rc == 0 && !stopped && P->batches[i].count)
        P->filled[i] = 1; /* the last, partly filled batch */
    P->reader_rc = rc;
    P->reader_done = 1;
    pthread_cond_broadcast(&P->changed);
    pthread_mutex_unlock(&P->lock);
    return NULL;
}

static int write_checked_rows(loader *L, pipeline *P)
{
    pthread_t reader;
    if (pthread_create(&reader, NULL, read_and_check, P) != 0)
        return rg_ctx_error(L->ctx, RG_ENOMEM, "%s: cannot start the reading thread", L->path);
    int rc = RG_OK;
    for (int i = 0;; i = (i + 1) % PIPELINE_BATCHES) {
        pthread_mutex_lock(&P->lock);
        while (!P->filled[i] && !P->reader_done)
            pthread_cond_wait(&P->changed, &P->lock);
        int have = P->filled[i];
        pthread_mutex_unlock(&P->lock);
        if (!have) /* the reader fills the ring in order: nothing after an empty slot */
            break;
        rc = rg_load__store_batch(L, &P->batches[i]);
        pthread_mutex_lock(&P->lock);
        P->filled[i] = 0;
        P->writer_failed = rc != RG_OK;
        pthread_cond_broadcast(&P->changed);
        pthread_mutex_unlock(&P->lock);
        if (rc != RG_OK)
            break;
    }
    pthread_join(reader, NULL);
    if (rc == RG_OK && P->reader_rc != RG_OK)
        rc = rg_ctx_error(L->ctx, P->reader_rc, "%s", rg_ctx_errmsg(P->reader_ctx));
    return rc;
}

int rg_load__from_csv(loader *L)
{
    pipeline P = {.L = L};
    char **header = NULL;
    size_t header_count = 0;
    rg_csv_row row;
    int rc = rg_ctx_new(&P.reader_ctx);
    if (rc != RG_OK)
        return rc;
    pthread_mutex_init(&P.lock, NULL);
    pthread_cond_init(&P.changed, NULL);
    if ((rc = rg_io_csv_open(&P.csv, P.reader_ctx, L->path)) != RG_OK) {
        rc = rg_ctx_error(L->ctx, rc, "%s", rg_ctx_errmsg(P.reader_ctx));
        goto done;
    }
    L->decimal_comma = rg_io_csv_delimiter(P.csv) != ',';

    rc = rg_io_csv_next(P.csv, &row);
    if (rc == 0) {
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: empty file: no header, no households", L->path);
        goto done;
    }
    if (rc < 0) {
        rc = rg_ctx_error(L->ctx, rc, "%s", rg_ctx_errmsg(P.reader_ctx));
        goto done;
    }
    if (row.problem != RG_CSV_FINE) {
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: line %ld: the header cannot be read (%s)", L->path, row.line,
                          rg_load_reject_reason_name(rg_load__reason_of_problem(row.problem)));
        goto done;
    }
    header_count = row.count;
    header = rg_calloc(header_count, sizeof *header);
    if (!header) {
        rc = RG_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < header_count; i++)
        if (!(header[i] = rg_strdup(row.fields[i]))) {
            rc = RG_ENOMEM;
            goto done;
        }
    L->header = (const char *const *)header;
    L->header_count = header_count;
    if ((rc = rg_load__map_columns(L, 1)) != RG_OK || (rc = rg_load__map_specs(L)) != RG_OK || (rc = rg_load__prepare_crs(L)) != RG_OK ||
        (rc = write_checked_rows(L, &P)) != RG_OK)
        goto done;
    if (L->stats.rows_read == 0)
        rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: a header and no household rows", L->path);

done:
    for (size_t i = 0; header && i < header_count; i++)
        rg_free(header[i]);
    rg_free(header);
    L->header = NULL;
    for (int i = 0; i < PIPELINE_BATCHES; i++)
        rg_load__batch_free(&P.batches[i]);
    rg_io_csv_free(P.csv);
    pthread_cond_destroy(&P.changed);
    pthread_mutex_destroy(&P.lock);
    rg_ctx_free(P.reader_ctx);
    return rc;
}
