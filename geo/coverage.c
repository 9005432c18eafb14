/*
 * The union of polygons that tile without overlapping, made from their edges.
 *
 * Dissolving desa into kecamatan, kecamatan into kab/kota and kab/kota into provinsi is the
 * union of neighbours that share their borders vertex for vertex. A general union (GEOS's
 * overlay) nodes every edge against every other, and the long shared borders are most of
 * them: one provinsi took a minute. Here an edge that two parts share, walked in opposite
 * directions, cancels; what is left is the boundary of the union, traced into rings whose
 * side is told by their orientation and nesting. Time and memory are linear in the vertices.
 *
 * Vertices are matched on a grid of 1e-9 degrees (0.1 mm), so a border that two neighbours
 * carry with the last bits of its coordinates differing (densified from opposite ends, say)
 * still cancels. Where parts overlap the leftover rings nest the wrong way, and where edges
 * dangle they do not close: the union then answers "not a clean coverage" and the caller
 * unions that group in general. Edges that cross are the one fault this cannot see: the
 * caller checks the result's validity with GEOS.
 */
#include "geo/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID_PER_DEGREE 1e9
#define FULL_TURN 6.283185307179586476925

/* A vertex as the parts give it, and on the grid, which decides whether two vertices are one. */
typedef struct {
    double x, y;
} point;

typedef struct {
    double x, y;
    int64_t gx, gy;
} vertex;

/* A ring's vertices, the closing one included, so that edge i runs from point i to i + 1. */
typedef struct {
    uint32_t start, count; /* into the points; count edges */
    int reversed;          /* walked backwards, so that the part's interior is on the left */
} input_ring;

#define NO_EDGE UINT32_MAX

/* An undirected edge, named by the point it starts at, and how many more times it was walked
 * from its lower end (on the grid) to its higher than back: 0 when it cancelled. */
typedef struct {
    uint32_t at; /* NO_EDGE in an empty slot */
    int32_t net;
} edge_slot;

/* A grid point where leftover edges start or end. */
typedef struct {
    vertex v;
    uint32_t first; /* its outgoing edges: out[first .. first + count) once sorted */
    uint32_t count;
    uint32_t occupied;
} node_slot;

typedef struct {
    uint32_t from, to; /* node slots */
    uint32_t used;
} leftover;

typedef struct {
    uint32_t start, count; /* into ring_nodes */
    __int128 twice_area;   /* > 0 counter-clockwise */
    int64_t box[4];        /* grid min x, min y, max x, max y */
    long parent;           /* the smallest ring around it, -1 when none */
    int inside;            /* how many parts cover the region just inside it */
} traced_ring;

/* Rings from the largest to the smallest, so a ring's possible parents come before it. */
typedef struct {
    __int128 size;
    size_t ring;
} ring_order;

struct rg_geo__coverage {
    point *v;
    size_t nv, cap_v;
    input_ring *rings;
    size_t nrings, cap_rings;
    edge_slot *edges;
    size_t edge_cap, edge_alloc; /* slots in use (a power of two), slots allocated */
    node_slot *nodes;
    size_t node_cap, node_alloc;
    leftover *left;
    size_t nleft, cap_left;
    uint32_t *out; /* leftover indexes grouped by their start node */
    size_t cap_out;
    uint32_t *walk; /* the nodes of the closed walk being traced */
    size_t nwalk, cap_walk;
    int32_t *on_walk; /* per node slot: its place in the walk's open loop, or -1 */
    size_t cap_on_walk;
    uint32_t *ring_nodes;
    size_t nring_nodes, cap_ring_nodes;
    traced_ring *traced;
    size_t ntraced, cap_traced;
    ring_order *order;
    size_t cap_order;
    long *holes; /* per ring: its first hole, then per hole the next one */
    size_t cap_holes;
};

int rg_geo__coverage_new(rg_geo__coverage **out)
{
    *out = rg_calloc(1, sizeof **out);
    return *out ? RG_OK : RG_ENOMEM;
}

void rg_geo__coverage_free(rg_geo__coverage *c)
{
    if (!c)
        return;
    rg_free(c->v);
    rg_free(c->rings);
    rg_free(c->edges);
    rg_free(c->nodes);
    rg_free(c->left);
    rg_free(c->out);
    rg_free(c->walk);
    rg_free(c->on_walk);
    rg_free(c->ring_nodes);
    rg_free(c->traced);
    rg_free(c->order);
    rg_free(c->holes);
    rg_free(c);
}

void rg_geo__coverage_reset(rg_geo__coverage *c) { c->nv = c->nrings = 0; }

static vertex on_grid(point p)
{
    return (vertex){p.x, p.y, (int64_t)llround(p.x * GRID_PER_DEGREE), (int64_t)llround(p.y * GRID_PER_DEGREE)};
}

static int same_point(const vertex *a, const vertex *b) { return a->gx == b->gx && a->gy == b->gy; }

static int lower_point(const vertex *a, const vertex *b) { return a->gx < b->gx || (a->gx == b->gx && a->gy < b->gy); }

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static uint64_t hash_point(const vertex *p) { return mix((uint64_t)p->gx * 0x9e3779b97f4a7c15ULL ^ (uint64_t)p->gy); }

/* ---------------------------------------------------------------- reading the parts */

static double double_at(const unsigned char *p, int swap)
{
    uint64_t u;
    memcpy(&u, p, 8);
    if (swap)
        u = __builtin_bswap64(u);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Twice the signed area of a closed ring of points (the last repeating the first), on the
 * grid, exactly. */
static __int128 twice_area(const point *p, size_t edges)
{
    __int128 sum = 0;
    vertex o = on_grid(p[0]);
    for (size_t i = 0; i < edges; i++) {
        vertex a = on_grid(p[i]), b = on_grid(p[i + 1]);
        sum += (__int128)(a.gx - o.gx) * (b.gy - o.gy) - (__int128)(b.gx - o.gx) * (a.gy - o.gy);
    }
    return sum;
}

/* One ring: a shell walked counter-clockwise and a hole clockwise, so that the part's
 * interior is on the left of every edge. */
static int read_ring(rg_geo__coverage *c, rg_geo__wkb_reader *r, int hole)
{
    uint32_t n;
    if (rg_geo__wkb_u32(r, &n) != RG_OK || (size_t)(r->end - r->p) / 16 < n)
        return RG_EDATA;
    if (n < 4) { /* no area: nothing to add or cancel */
        r->p += 16 * (size_t)n;
        return RG_OK;
    }
    if (c->nv + n > UINT32_MAX / 2)
        return RG_ENOMEM;
    if (rg__grow(&c->v, &c->cap_v, c->nv + n, sizeof *c->v) != RG_OK ||
        rg__grow(&c->rings, &c->cap_rings, c->nrings + 1, sizeof *c->rings) != RG_OK)
        return RG_ENOMEM;
    point *v = c->v + c->nv;
    for (size_t i = 0; i < n; i++) {
        v[i] = (point){double_at(r->p + 16 * i, r->swap), double_at(r->p + 16 * i + 8, r->swap)};
        if (!isfinite(v[i].x) || !isfinite(v[i].y) || fabs(v[i].x) > 1e6 || fabs(v[i].y) > 1e6)
            return RG_EDATA;
    }
    r->p += 16 * (size_t)n;
    __int128 area = twice_area(v, n - 1);
    c->rings[c->nrings++] = (input_ring){(uint32_t)c->nv, n - 1, hole ? area > 0 : area < 0};
    c->nv += n;
    return RG_OK;
}

static int read_polygon(rg_geo__coverage *c, rg_geo__wkb_reader *r)
{
    uint32_t nrings;
    int rc = rg_geo__wkb_u32(r, &nrings);
    for (uint32_t i = 0; i < nrings && rc == RG_OK; i++)
        rc = read_ring(c, r, i > 0);
    return rc;
}

int rg_geo__coverage_add(rg_geo__coverage *c, const unsigned char *wkb, size_t size)
{
    rg_geo__wkb_reader r = {wkb, wkb + size, 0};
    uint32_t type, n;
    int rc = rg_geo__wkb_header(&r, &type);
    if (rc != RG_OK || type == 3)
        return rc == RG_OK ? read_polygon(c, &r) : rc;
    if (type != 6 || rg_geo__wkb_u32(&r, &n) != RG_OK)
        return RG_EDATA;
    for (uint32_t i = 0; i < n && rc == RG_OK; i++) {
        uint32_t part;
        rc = rg_geo__wkb_header(&r, &part);
        if (rc == RG_OK)
            rc = part == 3 ? read_polygon(c, &r) : RG_EDATA;
    }
    return rc;
}

/* ---------------------------------------------------------------- cancelling shared edges */

/* An open-addressing table for `items` entries, at most half full: *slots (a power of two)
 * slots of `size` bytes, each byte `fill`, in *table, reallocated only when its *allocated
 * slots are too few. */
static int fresh_table(void *table, size_t *allocated, size_t *slots, size_t items, size_t size, int fill)
{
    size_t n = 64;
    while (n < 2 * items)
        n *= 2;
    if (n > *allocated) {
        rg_free(*(void **)table);
        *allocated = 0;
        if (!(*(void **)table = rg_malloc(n * size)))
            return RG_ENOMEM;
        *allocated = n;
    }
    *slots = n;
    memset(*(void **)table, fill, n * size);
    return RG_OK;
}

/* The ends of edge `at` on the grid, the lower first. */
static void edge_ends(const rg_geo__coverage *c, uint32_t at, vertex *lo, vertex *hi)
{
    vertex a = on_grid(c->v[at]), b = on_grid(c->v[at + 1]);
    int forward = lower_point(&a, &b);
    *lo = forward ? a : b;
    *hi = forward ? b : a;
}

/* Adds edge `at` to the table, walked backwards when `reversed`. */
static void walk_edge(rg_geo__coverage *c, uint32_t at, int reversed)
{
    vertex a = on_grid(c->v[at]), b = on_grid(c->v[at + 1]);
    if (same_point(&a, &b))
        return; /* a repeated vertex, or two within the grid's step */
    int upwards = lower_point(&a, &b) != reversed;
    const vertex *lo = lower_point(&a, &b) ? &a : &b, *hi = lo == &a ? &b : &a;
    size_t mask = c->edge_cap - 1, i = mix(hash_point(lo) ^ (hash_point(hi) << 1)) & mask;
    for (; c->edges[i].at != NO_EDGE; i = (i + 1) & mask) {
        vertex slot_lo, slot_hi;
        edge_ends(c, c->edges[i].at, &slot_lo, &slot_hi);
        if (same_point(&slot_lo, lo) && same_point(&slot_hi, hi))
            break;
    }
    if (c->edges[i].at == NO_EDGE)
        c->edges[i] = (edge_slot){at, 0};
    c->edges[i].net += upwards ? 1 : -1;
}

static int cancel_shared_edges(rg_geo__coverage *c)
{
    if (fresh_table(&c->edges, &c->edge_alloc, &c->edge_cap, c->nv, sizeof *c->edges, 0xff) != RG_OK)
        return RG_ENOMEM; /* every slot NO_EDGE */
    for (size_t r = 0; r < c->nrings; r++) {
        const input_ring *ring = &c->rings[r];
        for (uint32_t i = 0; i < ring->count; i++)
            walk_edge(c, ring->start + i, ring->reversed);
    }
    return RG_OK;
}

/* ---------------------------------------------------------------- the leftover edges as a graph */

static uint32_t node_of(rg_geo__coverage *c, const vertex *v)
{
    size_t mask = c->node_cap - 1, i = hash_point(v) & mask;
    while (c->nodes[i].occupied && !same_point(&c->nodes[i].v, v))
        i = (i + 1) & mask;
    if (!c->nodes[i].occupied)
        c->nodes[i] = (node_slot){*v, 0, 0, 1};
    return (uint32_t)i;
}

/* The edges walked once more one way than the other, as directed edges between nodes, each
 * node's outgoing ones together. *clean = 0 when an edge was walked twice the same way (two
 * parts on the same side of it: an overlap). */
static int gather_leftovers(rg_geo__coverage *c, int *clean)
{
    c->nleft = 0;
    for (size_t i = 0; i < c->edge_cap; i++) {
        const edge_slot *e = &c->edges[i];
        if (e->at == NO_EDGE || e->net == 0)
            continue;
        if (e->net > 1 || e->net < -1) {
            *clean = 0;
            return RG_OK;
        }
        if (rg__grow(&c->left, &c->cap_left, c->nleft + 1, sizeof *c->left) != RG_OK)
            return RG_ENOMEM;
        c->left[c->nleft++] = (leftover){e->at, (uint32_t)(e->net > 0), 0}; /* turned into nodes below */
    }
    if (fresh_table(&c->nodes, &c->node_alloc, &c->node_cap, c->nleft, sizeof *c->nodes, 0) != RG_OK)
        return RG_ENOMEM;
    for (size_t i = 0; i < c->nleft; i++) {
        uint32_t at = c->left[i].from, upwards = c->left[i].to;
        vertex a = on_grid(c->v[at]), b = on_grid(c->v[at + 1]);
        if (lower_point(&a, &b) != (upwards == 1)) { /* walked b -> a */
            vertex t = a;
            a = b;
            b = t;
        }
        c->left[i].from = node_of(c, &a);
        c->left[i].to = node_of(c, &b);
        c->nodes[c->left[i].from].count++;
    }
    uint32_t next = 0;
    for (size_t i = 0; i < c->node_cap; i++) {
        c->nodes[i].first = next;
        next += c->nodes[i].count;
        c->nodes[i].count = 0;
    }
    if (rg__grow(&c->out, &c->cap_out, c->nleft, sizeof *c->out) != RG_OK)
        return RG_ENOMEM;
    for (size_t i = 0; i < c->nleft; i++) {
        node_slot *n = &c->nodes[c->left[i].from];
        c->out[n->first + n->count++] = (uint32_t)i;
    }
    return RG_OK;
}

/* ---------------------------------------------------------------- tracing rings */

static const vertex *node_vertex(const rg_geo__coverage *c, uint32_t node) { return &c->nodes[node].v; }

/* How far clockwise direction (dx, dy) lies from (rx, ry): in (0, 2 pi], the way back last. */
static double clockwise_from(double rx, double ry, double dx, double dy)
{
    double ccw = atan2(rx * dy - ry * dx, rx * dx + ry * dy);
    return ccw > 0 ? FULL_TURN - ccw : ccw < 0 ? -ccw : FULL_TURN;
}

/* The edge a ring arriving by `arriving` leaves on: the first clockwise from the way it came,
 * which keeps the interior on the left and parts that only touch at a point apart. Edges
 * walked already are out, but for `start`, which closes the ring. -1 when there is none. */
static long next_edge(const rg_geo__coverage *c, uint32_t arriving, uint32_t start)
{
    const leftover *in = &c->left[arriving];
    const node_slot *at = &c->nodes[in->to];
    const vertex *here = node_vertex(c, in->to), *back = node_vertex(c, in->from);
    double rx = (double)(back->gx - here->gx), ry = (double)(back->gy - here->gy), best_angle = 0;
    long best = -1;
    for (uint32_t k = 0; k < at->count; k++) {
        uint32_t e = c->out[at->first + k];
        if (c->left[e].used && e != start)
            continue;
        const vertex *to = node_vertex(c, c->left[e].to);
        double angle = clockwise_from(rx, ry, (double)(to->gx - here->gx), (double)(to->gy - here->gy));
        if (best < 0 || angle < best_angle) {
            best = e;
            best_angle = angle;
        }
    }
    return best;
}

/* Adds the simple ring walk[0 .. n) to the traced rings, with its area and box. */
static int add_ring(rg_geo__coverage *c, const uint32_t *walk, size_t n, int *clean)
{
    if (rg__grow(&c->ring_nodes, &c->cap_ring_nodes, c->nring_nodes + n, sizeof *c->ring_nodes) != RG_OK ||
        rg__grow(&c->traced, &c->cap_traced, c->ntraced + 1, sizeof *c->traced) != RG_OK)
        return RG_ENOMEM;
    traced_ring *ring = &c->traced[c->ntraced++];
    *ring = (traced_ring){.start = (uint32_t)c->nring_nodes, .count = (uint32_t)n, .parent = -1};
    memmove(c->ring_nodes + c->nring_nodes, walk, n * sizeof *walk);
    c->nring_nodes += n;
    const vertex *o = node_vertex(c, walk[0]);
    int64_t *box = ring->box;
    box[0] = box[2] = o->gx;
    box[1] = box[3] = o->gy;
    for (size_t i = 0; i < n; i++) {
        const vertex *a = node_vertex(c, walk[i]), *b = node_vertex(c, walk[(i + 1) % n]);
        ring->twice_area += (__int128)(a->gx - o->gx) * (b->gy - o->gy) - (__int128)(b->gx - o->gx) * (a->gy - o->gy);
        box[0] = a->gx < box[0] ? a->gx : box[0];
        box[1] = a->gy < box[1] ? a->gy : box[1];
        box[2] = a->gx > box[2] ? a->gx : box[2];
        box[3] = a->gy > box[3] ? a->gy : box[3];
    }
    if (n < 3 || ring->twice_area == 0)
        *clean = 0; /* a ring with no area: a slit between parts that do not meet */
    return RG_OK;
}

/* A closed walk may pass a node twice: two parts that touch at a point, or a hole that
 * touches its shell. Simple Features wants those as separate rings (two shells; a shell and
 * a hole), so the walk is cut at every node it meets again, each loop a ring of its own. */
static int split_walk(rg_geo__coverage *c, size_t walk_start, int *clean)
{
    uint32_t *walk = c->walk + walk_start;
    size_t n = c->nwalk - walk_start, top = 0; /* walk[0 .. top) is the loop still open */
    int rc = RG_OK;
    for (size_t i = 0; i < n && rc == RG_OK; i++) {
        uint32_t node = walk[i];
        int32_t seen = c->on_walk[node];
        if (seen < 0) {
            c->on_walk[node] = (int32_t)top;
            walk[top++] = node;
            continue;
        }
        rc = add_ring(c, walk + seen, top - (size_t)seen, clean);
        for (size_t k = (size_t)seen + 1; k < top; k++)
            c->on_walk[walk[k]] = -1;
        top = (size_t)seen + 1;
    }
    if (rc == RG_OK)
        rc = add_ring(c, walk, top, clean);
    for (size_t k = 0; k < top; k++)
        c->on_walk[walk[k]] = -1;
    c->nwalk = walk_start;
    return rc;
}

/* Walks the leftover edges from `start` until it comes back to it. */
static int trace_ring(rg_geo__coverage *c, uint32_t start, int *clean)
{
    size_t walk_start = c->nwalk;
    uint32_t e = start;
    for (;;) {
        c->left[e].used = 1;
        if (rg__grow(&c->walk, &c->cap_walk, c->nwalk + 1, sizeof *c->walk) != RG_OK)
            return RG_ENOMEM;
        c->walk[c->nwalk++] = c->left[e].from;
        long next = next_edge(c, e, start);
        if (next < 0) { /* an edge that leads nowhere: the parts did not close up */
            *clean = 0;
            return RG_OK;
        }
        if ((uint32_t)next == start)
            break;
        e = (uint32_t)next;
    }
    return split_walk(c, walk_start, clean);
}

static int trace_rings(rg_geo__coverage *c, int *clean)
{
    c->nring_nodes = c->ntraced = c->nwalk = 0;
    if (rg__grow(&c->on_walk, &c->cap_on_walk, c->node_cap, sizeof *c->on_walk) != RG_OK)
        return RG_ENOMEM;
    memset(c->on_walk, 0xff, c->node_cap * sizeof *c->on_walk); /* -1: on no open loop */
    for (size_t i = 0; i < c->nleft && *clean; i++)
        if (!c->left[i].used) {
            int rc = trace_ring(c, (uint32_t)i, clean);
            if (rc != RG_OK)
                return rc;
        }
    return RG_OK;
}

/* ---------------------------------------------------------------- which rings bound the union */

typedef enum { OUTSIDE, ON_BOUNDARY, INSIDE } point_place;

/* Where grid point p lies against a traced ring, exactly. */
static point_place place_in_ring(const rg_geo__coverage *c, const traced_ring *ring, const vertex *p)
{
    int inside = 0;
    for (uint32_t i = 0; i < ring->count; i++) {
        const vertex *a = node_vertex(c, c->ring_nodes[ring->start + i]);
        const vertex *b = node_vertex(c, c->ring_nodes[ring->start + (i + 1) % ring->count]);
        if (same_point(a, p))
            return ON_BOUNDARY;
        __int128 side = (__int128)(b->gx - a->gx) * (p->gy - a->gy) - (__int128)(b->gy - a->gy) * (p->gx - a->gx);
        if ((a->gy > p->gy) != (b->gy > p->gy)) {
            if (side == 0)
                return ON_BOUNDARY;
            if ((side > 0) == (b->gy > a->gy))
                inside = !inside;
        } else if (side == 0 && a->gy == p->gy && b->gy == p->gy &&
                   (a->gx < p->gx) != (b->gx < p->gx)) {
            return ON_BOUNDARY;
        }
    }
    return inside ? INSIDE : OUTSIDE;
}

/* Whether ring `inner` lies inside ring `outer` (rings from one tracing never cross: they
 * touch at most at vertices, so one vertex off the other ring decides). -1 when undecided. */
static int ring_inside(const rg_geo__coverage *c, const traced_ring *inner, const traced_ring *outer)
{
    if (inner->box[0] < outer->box[0] || inner->box[1] < outer->box[1] || inner->box[2] > outer->box[2] ||
        inner->box[3] > outer->box[3])
        return 0;
    for (uint32_t i = 0; i < inner->count; i++) {
        point_place place = place_in_ring(c, outer, node_vertex(c, c->ring_nodes[inner->start + i]));
        if (place != ON_BOUNDARY)
            return place == INSIDE;
    }
    return -1;
}

static int larger_first(const void *a, const void *b)
{
    const ring_order *x = a, *y = b;
    return x->size < y->size ? 1 : x->size > y->size ? -1 : (x->ring > y->ring) - (x->ring < y->ring);
}

/* Each ring's parent (the smallest ring around it) and how many parts cover the region just
 * inside it. The union is bounded by the counter-clockwise rings from 0 to 1 (its shells) and
 * the clockwise ones from 1 to 0 (its holes); any other ring means parts overlap or a hole
 * has no shell: not a clean coverage. */
static int nest_rings(rg_geo__coverage *c, int *clean)
{
    if (rg__grow(&c->order, &c->cap_order, c->ntraced, sizeof *c->order) != RG_OK)
        return RG_ENOMEM;
    for (size_t i = 0; i < c->ntraced; i++) {
        __int128 a = c->traced[i].twice_area;
        c->order[i] = (ring_order){a < 0 ? -a : a, i};
    }
    qsort(c->order, c->ntraced, sizeof *c->order, larger_first);
    for (size_t k = 0; k < c->ntraced && *clean; k++) {
        traced_ring *ring = &c->traced[c->order[k].ring];
        for (size_t j = k; j-- > 0;) {
            int inside = ring_inside(c, ring, &c->traced[c->order[j].ring]);
            if (inside < 0)
                *clean = 0;
            if (inside) {
                ring->parent = (long)c->order[j].ring;
                break;
            }
        }
        int outside = ring->parent < 0 ? 0 : c->traced[ring->parent].inside;
        ring->inside = outside + (ring->twice_area > 0 ? 1 : -1);
        if (!((ring->twice_area > 0 && outside == 0) || (ring->twice_area < 0 && outside == 1)))
            *clean = 0;
    }
    return RG_OK;
}

/* ---------------------------------------------------------------- the union as WKB */

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    rg__put_le32(p, v);
    return p + 4;
}

static unsigned char *put_ring(const rg_geo__coverage *c, const traced_ring *ring, unsigned char *p, double bounds[4])
{
    p = put_u32(p, ring->count + 1);
    for (uint32_t i = 0; i <= ring->count; i++) {
        const vertex *v = node_vertex(c, c->ring_nodes[ring->start + i % ring->count]);
        rg__put_le_double(p, v->x);
        rg__put_le_double(p + 8, v->y);
        p += 16;
        bounds[0] = v->x < bounds[0] ? v->x : bounds[0];
        bounds[1] = v->y < bounds[1] ? v->y : bounds[1];
        bounds[2] = v->x > bounds[2] ? v->x : bounds[2];
        bounds[3] = v->y > bounds[3] ? v->y : bounds[3];
    }
    return p;
}

/* A little-endian MultiPolygon: shells from the largest, each with its holes. */
static int write_union(rg_geo__coverage *c, unsigned char **wkb, size_t *size, double bounds[4], long *vertices)
{
    if (rg__grow(&c->holes, &c->cap_holes, 2 * c->ntraced, sizeof *c->holes) != RG_OK)
        return RG_ENOMEM;
    long *first_hole = c->holes, *next_hole = c->holes + c->ntraced;
    size_t shells = 0, bytes = 9;
    *vertices = 0;
    for (size_t i = 0; i < c->ntraced; i++)
        first_hole[i] = next_hole[i] = -1;
    for (size_t k = c->ntraced; k-- > 0;) { /* smallest first, so each list ends up largest first */
        size_t i = c->order[k].ring;
        const traced_ring *ring = &c->traced[i];
        if (ring->twice_area < 0) {
            next_hole[i] = first_hole[ring->parent];
            first_hole[ring->parent] = (long)i;
        } else {
            shells++;
            bytes += 9;
        }
        bytes += 4 + 16 * ((size_t)ring->count + 1);
        *vertices += ring->count + 1;
    }
    unsigned char *out = rg_malloc(bytes), *p = out;
    if (!out)
        return RG_ENOMEM;
    bounds[0] = bounds[1] = INFINITY;
    bounds[2] = bounds[3] = -INFINITY;
    *p++ = 1;
    p = put_u32(p, 6);
    p = put_u32(p, (uint32_t)shells);
    for (size_t k = 0; k < c->ntraced; k++) {
        size_t i = c->order[k].ring;
        if (c->traced[i].twice_area < 0)
            continue;
        uint32_t rings = 1;
        for (long h = first_hole[i]; h >= 0; h = next_hole[h])
            rings++;
        *p++ = 1;
        p = put_u32(p, 3);
        p = put_u32(p, rings);
        p = put_ring(c, &c->traced[i], p, bounds);
        for (long h = first_hole[i]; h >= 0; h = next_hole[h])
            p = put_ring(c, &c->traced[h], p, bounds);
    }
    *wkb = out;
    *size = bytes;
    return RG_OK;
}

int rg_geo__coverage_union(rg_geo__coverage *c, unsigned char **wkb, size_t *size, double bounds[4], long *vertices,
                           int *clean)
{
    *wkb = NULL;
    *size = 0;
    *clean = 1;
    int rc = cancel_shared_edges(c);
    if (rc == RG_OK)
        rc = gather_leftovers(c, clean);
    if (rc == RG_OK && *clean && c->nleft == 0)
        *clean = 0; /* nothing left: no part had an area */
    if (rc == RG_OK && *clean)
        rc = trace_rings(c, clean);
    if (rc == RG_OK && *clean)
        rc = nest_rings(c, clean);
    if (rc == RG_OK && *clean)
        rc = write_union(c, wkb, size, bounds, vertices);
    return rc;
}
