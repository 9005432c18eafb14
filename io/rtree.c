/*
 * A packed Hilbert R-tree written straight into the shadow tables of an SQLite R*Tree
 * virtual table (%_node, %_rowid, %_parent), the way SQLite's rtree module lays them
 * out: each node a blob of a fixed size, 2 bytes of tree depth (root only), 2 bytes of
 * cell count, then cells of an 8-byte id and four 4-byte floats, all big-endian, the
 * floats rounded outwards. `SELECT rtreecheck(...)` verifies the result in the tests.
 */
#include "io/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    float minx, maxx, miny, maxy;
} box;

static float round_down(double v)
{
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

static void put_be16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (56 - 8 * i));
}

static void put_be_float(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (24 - 8 * i));
}

static void put_cell(unsigned char *node, int cell, int64_t id, const box *b)
{
    unsigned char *p = node + 4 + 24 * cell;
    put_be64(p, id);
    put_be_float(p + 8, b->minx);
    put_be_float(p + 12, b->maxx);
    put_be_float(p + 16, b->miny);
    put_be_float(p + 20, b->maxy);
}

static void grow(box *into, const box *b, int first)
{
    if (first) {
        *into = *b;
        return;
    }
    into->minx = fminf(into->minx, b->minx);
    into->maxx = fmaxf(into->maxx, b->maxx);
    into->miny = fminf(into->miny, b->miny);
    into->maxy = fmaxf(into->maxy, b->maxy);
}

/* rg_hilbert(x, y, minx, miny, maxx, maxy): the SQL face of rg__hilbert, to sort by. */
static void hilbert(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    double v[6];
    for (int i = 0; i < 6; i++)
        v[i] = sqlite3_value_double(argv[i]);
    sqlite3_result_int64(context, (sqlite3_int64)rg__hilbert(v[0], v[1], v[2], v[3], v[4] - v[2], v[5] - v[3]));
}

int rg_io__rtree_register(sqlite3 *db)
{
    return sqlite3_create_function(db, "rg_hilbert", 6, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, hilbert, NULL,
                                   NULL) == SQLITE_OK
               ? RG_OK
               : RG_ESQL;
}

/*
 * The leaves come in Hilbert order, so their rows' ids come in no order at all, and the
 * %_rowid table is keyed by id: inserted as they come, each lands on a random page
 * (measured: 1.2 s of 2 s for a million). They are gathered and written sorted by id
 * instead, a bounded batch at a time so memory stays flat whatever the row count.
 */
#define ROWID_BATCH (1 << 20)

typedef struct {
    int64_t rowid, nodeno;
} rowid_entry;

/* Rows of the rowid table written by one statement: a statement a row cost 1 us a row,
 * as much as the rest of the packing. */
#define ROWIDS_PER_INSERT 128

/* Where a tree is written: a connection, its context, the file it is named by in messages. */
typedef struct {
    sqlite3 *db;
    rg_ctx *ctx;
    const char *path;
} target;

static target target_of(rg_store *store)
{
    return (target){rg_io_store_db(store), rg_io_store_ctx(store), rg_io_store_path(store)};
}

typedef struct {
    const target *store;
    sqlite3_stmt *node, *rowid, *rowids, *parent; /* rowids: ROWIDS_PER_INSERT rows at once */
    rowid_entry *pending;
    size_t pending_count;
} writer;

static int sql_fail(const target *t)
{
    return rg_ctx_error(t->ctx, RG_ESQL, "%s: spatial index: %s", t->path, sqlite3_errmsg(t->db));
}

static int write_node(writer *w, int64_t nodeno, const unsigned char *data, int size, int64_t parent)
{
    sqlite3_reset(w->node);
    sqlite3_bind_int64(w->node, 1, nodeno);
    sqlite3_bind_blob(w->node, 2, data, size, SQLITE_STATIC);
    if (sqlite3_step(w->node) != SQLITE_DONE)
        return sql_fail(w->store);
    if (parent > 0) {
        sqlite3_reset(w->parent);
        sqlite3_bind_int64(w->parent, 1, nodeno);
        sqlite3_bind_int64(w->parent, 2, parent);
        if (sqlite3_step(w->parent) != SQLITE_DONE)
            return sql_fail(w->store);
    }
    return RG_OK;
}

static int by_rowid(const void *a, const void *b)
{
    int64_t x = ((const rowid_entry *)a)->rowid, y = ((const rowid_entry *)b)->rowid;
    return (x > y) - (x < y);
}

/* Ids from one load are dense (1..n, few gaps): they are placed by id in a table of
 * node numbers (4 bytes an id) instead of sorted. Ids scattered wider are sorted. */
static int flush_rowids(writer *w)
{
    if (w->pending_count == 0)
        return RG_OK;
    int64_t lo = w->pending[0].rowid, hi = lo;
    for (size_t i = 1; i < w->pending_count; i++) {
        lo = w->pending[i].rowid < lo ? w->pending[i].rowid : lo;
        hi = w->pending[i].rowid > hi ? w->pending[i].rowid : hi;
    }
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint32_t *slots = NULL;
    if (span <= 4 * (uint64_t)w->pending_count && (slots = rg_calloc(span, sizeof *slots))) {
        for (size_t i = 0; i < w->pending_count; i++)
            slots[w->pending[i].rowid - lo] = (uint32_t)w->pending[i].nodeno; /* nodes are numbered from 1 */
        size_t k = 0;
        for (uint64_t i = 0; i < span; i++)
            if (slots[i])
                w->pending[k++] = (rowid_entry){lo + (int64_t)i, slots[i]};
        rg_free(slots);
    } else {
        qsort(w->pending, w->pending_count, sizeof *w->pending, by_rowid);
    }
    size_t i = 0;
    for (; i + ROWIDS_PER_INSERT <= w->pending_count; i += ROWIDS_PER_INSERT) {
        sqlite3_reset(w->rowids);
        for (int k = 0; k < ROWIDS_PER_INSERT; k++) {
            sqlite3_bind_int64(w->rowids, 2 * k + 1, w->pending[i + (size_t)k].rowid);
            sqlite3_bind_int64(w->rowids, 2 * k + 2, w->pending[i + (size_t)k].nodeno);
        }
        if (sqlite3_step(w->rowids) != SQLITE_DONE)
            return sql_fail(w->store);
    }
    for (; i < w->pending_count; i++) {
        sqlite3_reset(w->rowid);
        sqlite3_bind_int64(w->rowid, 1, w->pending[i].rowid);
        sqlite3_bind_int64(w->rowid, 2, w->pending[i].nodeno);
        if (sqlite3_step(w->rowid) != SQLITE_DONE)
            return sql_fail(w->store);
    }
    w->pending_count = 0;
    return RG_OK;
}

/* Where the boxes come from, in Hilbert order: next() gives 1 and a box (minx, maxx, miny,
 * maxy; a point's is the point), 0 at the end, or an RG_E* code. */
typedef struct {
    int (*next)(void *source, int64_t *rowid, double bounds[4]);
    void *source;
} box_source;

/* Writes the tree over the n boxes the source gives into the R*Tree schema.rtree. */
static int pack(const target *store, const char *schema, const char *rtree, int64_t n, box_source in)
{
    sqlite3 *db = store->db;
    char sql[1024];
    int rc = RG_OK;
    writer w = {.store = store};
    unsigned char *node = NULL;
    box *level = NULL;
    int node_size = 0;

    snprintf(sql, sizeof sql, "SELECT length(data) FROM \"%s\".\"%s_node\" WHERE nodeno = 1", schema, rtree);
    sqlite3_stmt *root = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &root, NULL) != SQLITE_OK)
        return sql_fail(store);
    node_size = sqlite3_step(root) == SQLITE_ROW ? sqlite3_column_int(root, 0) : 0;
    sqlite3_finalize(root);
    int fanout = (node_size - 4) / 24;
    if (fanout < 2)
        return rg_ctx_error(store->ctx, RG_ESQL, "%s: spatial index %s has no usable root node", store->path, rtree);

    /* Nodes per level, leaves first, up to the single root. */
    int64_t counts[32];
    int levels = 0;
    int64_t c = n;
    do {
        c = (c + fanout - 1) / fanout;
        counts[levels++] = c ? c : 1;
    } while (c > 1 && levels < 32);
    /* Numbering top-down: the root is node 1, each level after the one above it. */
    int64_t first_no[32];
    int64_t next = 1;
    for (int l = levels - 1; l >= 0; l--) {
        first_no[l] = next;
        next += counts[l];
    }

    snprintf(sql, sizeof sql,
             "DELETE FROM \"%s\".\"%s_node\"; DELETE FROM \"%s\".\"%s_rowid\"; DELETE FROM \"%s\".\"%s_parent\";",
             schema, rtree, schema, rtree, schema, rtree);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(store);
    char q[2][256];
    snprintf(q[0], sizeof q[0], "INSERT INTO \"%s\".\"%s_node\"(nodeno, data) VALUES(?, ?)", schema, rtree);
    /* One text for both rowid inserts: its first row's worth is the one-row statement. */
    char many[256 + ROWIDS_PER_INSERT * 8];
    int len = snprintf(many, sizeof many, "INSERT INTO \"%s\".\"%s_rowid\"(rowid, nodeno) VALUES(?, ?)", schema, rtree);
    int one_row = len;
    for (int k = 1; k < ROWIDS_PER_INSERT; k++)
        len += snprintf(many + len, sizeof many - (size_t)len, ",(?, ?)");
    snprintf(q[1], sizeof q[1], "INSERT INTO \"%s\".\"%s_parent\"(nodeno, parentnode) VALUES(?, ?)", schema, rtree);
    if (sqlite3_prepare_v2(db, q[0], -1, &w.node, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, many, one_row, &w.rowid, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, many, -1, &w.rowids, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, q[1], -1, &w.parent, NULL) != SQLITE_OK) {
        rc = sql_fail(store);
        goto done;
    }
    node = rg_calloc(1, (size_t)node_size);
    level = rg_calloc((size_t)counts[0], sizeof *level);
    w.pending = rg_malloc((size_t)(n < ROWID_BATCH ? (n ? n : 1) : ROWID_BATCH) * sizeof *w.pending);
    if (!node || !level || !w.pending) {
        rc = RG_ENOMEM;
        goto done;
    }

    /* Leaves, streamed in Hilbert order. */
    int64_t leaf = 0;
    int cells = 0;
    int got;
    int64_t rowid;
    double in_box[4];
    while ((got = in.next(in.source, &rowid, in_box)) == 1) {
        box b = {round_down(in_box[0]), round_up(in_box[1]), round_down(in_box[2]), round_up(in_box[3])};
        put_cell(node, cells, rowid, &b);
        grow(&level[leaf], &b, cells == 0);
        int64_t nodeno = first_no[0] + leaf;
        if (w.pending_count == ROWID_BATCH && (rc = flush_rowids(&w)) != RG_OK)
            goto done;
        w.pending[w.pending_count++] = (rowid_entry){rowid, nodeno};
        if (++cells == fanout) {
            put_be16(node + 2, (unsigned)cells);
            if ((rc = write_node(&w, nodeno, node, node_size, levels > 1 ? first_no[1] + leaf / fanout : 0)) != RG_OK)
                goto done;
            memset(node, 0, (size_t)node_size);
            cells = 0;
            leaf++;
        }
    }
    if (got < 0) {
        rc = got;
        goto done;
    }
    if ((rc = flush_rowids(&w)) != RG_OK)
        goto done;
    if (cells > 0 || n == 0) {
        put_be16(node + 2, (unsigned)cells);
        if ((rc = write_node(&w, first_no[0] + leaf, node, node_size, levels > 1 ? first_no[1] + leaf / fanout : 0)) !=
            RG_OK)
            goto done;
    }

    /* Inner levels from the boxes of the level below, which fit in memory: one per node. */
    for (int l = 1; l < levels; l++) {
        int64_t below = counts[l - 1];
        for (int64_t i = 0; i < counts[l]; i++) {
            memset(node, 0, (size_t)node_size);
            box b = {0, 0, 0, 0};
            int k = 0;
            for (int64_t child = i * fanout; child < below && k < fanout; child++, k++) {
                put_cell(node, k, first_no[l - 1] + child, &level[child]);
                grow(&b, &level[child], k == 0);
            }
            put_be16(node + 2, (unsigned)k);
            if (l == levels - 1)
                put_be16(node, (unsigned)(levels - 1));
            level[i] = b; /* i < child: the slot is already read */
            if ((rc = write_node(&w, first_no[l] + i, node, node_size, l < levels - 1 ? first_no[l + 1] + i / fanout : 0)) !=
                RG_OK)
                goto done;
        }
    }

done:
    sqlite3_finalize(w.node);
    sqlite3_finalize(w.rowid);
    sqlite3_finalize(w.rowids);
    sqlite3_finalize(w.parent);
    rg_free(node);
    rg_free(level);
    rg_free(w.pending);
    return rc;
}

/* ---------------------------------------------------------------- from the table */

typedef struct {
    const target *store;
    sqlite3_stmt *read;
} table_source;

/* Rows of (id, x, y), or of (id, minx, maxx, miny, maxy) when the query has five columns. */
static int next_from_table(void *source, int64_t *rowid, double bounds[4])
{
    table_source *t = source;
    int step = sqlite3_step(t->read);
    if (step == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return sql_fail(t->store);
    *rowid = sqlite3_column_int64(t->read, 0);
    if (sqlite3_column_count(t->read) == 5) {
        for (int i = 0; i < 4; i++)
            bounds[i] = sqlite3_column_double(t->read, 1 + i);
    } else {
        bounds[0] = bounds[1] = sqlite3_column_double(t->read, 1);
        bounds[2] = bounds[3] = sqlite3_column_double(t->read, 2);
    }
    return 1;
}

int rg_io_rtree_pack_points(rg_store *store, const char *table, const char *id, const char *x, const char *y)
{
    char sql[1024];
    int64_t n = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE geom IS NOT NULL", table);
    int rc = rg_io_store_count(store, sql, &n);
    if (rc != RG_OK)
        return rc;
    snprintf(sql, sizeof sql,
             "WITH e AS (SELECT min(%s) AS x0, min(%s) AS y0, max(%s) AS x1, max(%s) AS y1 FROM \"%s\""
             " WHERE geom IS NOT NULL)"
             " SELECT %s, %s, %s FROM \"%s\", e WHERE geom IS NOT NULL"
             " ORDER BY rg_hilbert(%s, %s, e.x0, e.y0, e.x1, e.y1), %s",
             x, y, x, y, table, id, x, y, table, x, y, id);
    char rtree[300];
    snprintf(rtree, sizeof rtree, "idx_%s_geom", table);
    target to = target_of(store);
    table_source t = {.store = &to};
    if (sqlite3_prepare_v2(to.db, sql, -1, &t.read, NULL) != SQLITE_OK)
        return sql_fail(&to);
    rc = pack(&to, "main", rtree, n, (box_source){next_from_table, &t});
    sqlite3_finalize(t.read);
    return rc;
}

static int pack_boxes(const target *to, const char *schema, const char *rtree, const char *boxes_sql, int64_t n)
{
    table_source t = {.store = to};
    if (sqlite3_prepare_v2(to->db, boxes_sql, -1, &t.read, NULL) != SQLITE_OK)
        return sql_fail(to);
    int rc = pack(to, schema, rtree, n, (box_source){next_from_table, &t});
    sqlite3_finalize(t.read);
    return rc;
}

int rg_io_rtree_pack_boxes(rg_store *store, const char *schema, const char *rtree, const char *boxes_sql,
                            int64_t n)
{
    target to = target_of(store);
    return pack_boxes(&to, schema, rtree, boxes_sql, n);
}

int rg_io_rtree_pack_boxes_on(sqlite3 *db, rg_ctx *ctx, const char *path, const char *schema, const char *rtree,
                               const char *boxes_sql, int64_t n)
{
    target to = {db, ctx, path};
    if (rg_io__rtree_register(db) != RG_OK)
        return sql_fail(&to);
    return pack_boxes(&to, schema, rtree, boxes_sql, n);
}

/* ---------------------------------------------------------------- gathered while loading */

typedef struct {
    rg__sort_head head; /* key: the Hilbert key; id: the rowid */
    double x, y;
} keyed_point;

struct rg_io_points {
    rg__sorter *sorted;
    double x0, y0, w, h;
    int64_t *forgotten; /* rowids gathered and since deleted: sorted when packing */
    size_t forgotten_count, forgotten_cap;
};

int rg_io_points_new(rg_io_points **out, rg_ctx *ctx, const char *near_path, const double extent[4], size_t cap)
{
    *out = NULL;
    rg_io_points *p = rg_calloc(1, sizeof *p);
    if (!p)
        return RG_ENOMEM;
    p->x0 = extent[0];
    p->y0 = extent[1];
    p->w = extent[2] - extent[0];
    p->h = extent[3] - extent[1];
    int rc = rg__sorter_new(&p->sorted, ctx, near_path, "spatial index", sizeof(keyed_point), cap);
    if (rc != RG_OK) {
        rg_free(p);
        return rc;
    }
    *out = p;
    return RG_OK;
}

void rg_io_points_free(rg_io_points *p)
{
    if (!p)
        return;
    rg__sorter_free(p->sorted);
    rg_free(p->forgotten);
    rg_free(p);
}

int rg_io_points_add(rg_io_points *p, int64_t rowid, double x, double y)
{
    keyed_point k = {{rg__hilbert(x, y, p->x0, p->y0, p->w, p->h), rowid}, x, y};
    return rg__sorter_add(p->sorted, &k);
}

int rg_io_points_forget(rg_io_points *p, int64_t rowid)
{
    if (rg__grow(&p->forgotten, &p->forgotten_cap, p->forgotten_count + 1, sizeof *p->forgotten) != RG_OK)
        return RG_ENOMEM;
    p->forgotten[p->forgotten_count++] = rowid;
    return RG_OK;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int next_gathered(void *source, int64_t *rowid, double bounds[4])
{
    const rg_io_points *p = source;
    keyed_point k;
    int got;
    while ((got = rg__sorter_next(p->sorted, &k)) == 1 && p->forgotten_count &&
           bsearch(&k.head.id, p->forgotten, p->forgotten_count, sizeof *p->forgotten, by_value))
        ;
    if (got == 1) {
        *rowid = k.head.id;
        bounds[0] = bounds[1] = k.x;
        bounds[2] = bounds[3] = k.y;
    }
    return got;
}

int rg_io_rtree_pack_gathered(rg_store *store, const char *table, rg_io_points *p)
{
    char rtree[300];
    snprintf(rtree, sizeof rtree, "idx_%s_geom", table);
    int rc = rg__sorter_finish(p->sorted);
    if (p->forgotten_count)
        qsort(p->forgotten, p->forgotten_count, sizeof *p->forgotten, by_value);
    int64_t n = rg__sorter_count(p->sorted) - (int64_t)p->forgotten_count;
    target to = target_of(store);
    return rc != RG_OK ? rc : pack(&to, "main", rtree, n, (box_source){next_gathered, p});
}
