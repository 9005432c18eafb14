/*
 * SpatiaLite's geometry blobs, written and read without SpatiaLite: calling MakePoint()
 * or GeomFromWKB() through SQL costs more than the insert, and a prepared polygon read back
 * with AsBinary() is parsed twice. The layout (start byte, endianness, SRID, MBR, 0x7C,
 * class, data, 0xFE) holds WKB's data with two differences: no byte-order byte before the
 * class, and a 0x69 marker where each part of a collection has one. The tests hold every
 * function here against SpatiaLite's own.
 */
#include "io/internal.h"

#include <string.h>

void rg_io_spatialite_point(unsigned char *buf, double lon, double lat)
{
    buf[0] = 0x00;
    buf[1] = 0x01; /* little endian */
    rg__put_le32(buf + 2, 4326);
    rg__put_le_double(buf + 6, lon);
    rg__put_le_double(buf + 14, lat);
    rg__put_le_double(buf + 22, lon);
    rg__put_le_double(buf + 30, lat);
    buf[38] = 0x7C;
    rg__put_le32(buf + 39, 1); /* POINT */
    rg__put_le_double(buf + 43, lon);
    rg__put_le_double(buf + 51, lat);
    buf[59] = 0xFE;
}

/* The end of the polygon whose data (ring count, rings: the same in WKB and in SpatiaLite's
 * blob) starts at `at`, or 0 when a count runs past size; adds its vertices to *vertices. */
static size_t polygon_end(const unsigned char *data, size_t size, size_t at, long *vertices)
{
    if (at + 4 > size)
        return 0;
    uint32_t rings = rg__get_le32(data + at);
    at += 4;
    for (uint32_t r = 0; r < rings; r++) {
        if (at + 4 > size)
            return 0;
        uint64_t points = rg__get_le32(data + at);
        at += 4;
        if (points > (size - at) / 16)
            return 0;
        at += (size_t)points * 16;
        *vertices += (long)points;
    }
    return at;
}

/* SpatiaLite writes a collection's parts as WKB's, each led by 0x69 instead of its byte
 * order; the blob starts with the SRID and MBR and ends with 0xFE. */
int rg_io_spatialite_multipolygon(unsigned char **out, size_t *out_size, const unsigned char *wkb, size_t size,
                                  const double bounds[4])
{
    *out = NULL;
    *out_size = 0;
    if (size < 9 || wkb[0] != 0x01)
        return RG_EINVAL;
    uint32_t type = rg__get_le32(wkb + 1);
    if (type != 3 && type != 6)
        return RG_EINVAL;
    /* At most one marker more per part than WKB has bytes of order: the sizes match. */
    size_t cap = 39 + 4 + 4 + size + 5 + 1;
    unsigned char *b = rg_malloc(cap);
    if (!b)
        return RG_ENOMEM;
    b[0] = 0x00;
    b[1] = 0x01;
    rg__put_le32(b + 2, 4326);
    rg__put_le_double(b + 6, bounds[0]);
    rg__put_le_double(b + 14, bounds[1]);
    rg__put_le_double(b + 22, bounds[2]);
    rg__put_le_double(b + 30, bounds[3]);
    b[38] = 0x7C;
    rg__put_le32(b + 39, 6);
    size_t o = 43, at = 5;
    uint32_t parts = 1;
    if (type == 6) {
        if (size < 9)
            goto bad;
        parts = rg__get_le32(wkb + 5);
        at = 9;
    }
    rg__put_le32(b + o, parts);
    o += 4;
    for (uint32_t p = 0; p < parts; p++) {
        if (type == 6) {
            if (at + 5 > size || wkb[at] != 0x01 || rg__get_le32(wkb + at + 1) != 3)
                goto bad;
            at += 5;
        }
        long vertices = 0;
        size_t end = polygon_end(wkb, size, at, &vertices);
        if (!end || o + 5 + (end - at) + 1 > cap)
            goto bad;
        b[o] = 0x69;
        rg__put_le32(b + o + 1, 3);
        memcpy(b + o + 5, wkb + at, end - at);
        o += 5 + (end - at);
        at = end;
    }
    if (at != size)
        goto bad;
    b[o++] = 0xFE;
    *out = b;
    *out_size = o;
    return RG_OK;
bad:
    rg_free(b);
    return RG_EINVAL;
}

/*
 * A SpatiaLite polygon's or multipolygon's blob as WKB, appended to out. SpatiaLite's
 * layout (start byte, endianness, SRID, MBR, 0x7C, class, data, 0xFE) holds WKB's data
 * with two differences: no byte-order byte before the class, and a 0x69 marker where
 * each part of a collection has one. The walk checks every count against the blob's size.
 */
static int to_wkb(const unsigned char *b, size_t n, rg_buf *out, long *vertices)
{
    long points_seen = 0;
    size_t at = 39;
    if (n < 44 || b[0] != 0x00 || b[1] != 0x01 || b[38] != 0x7C || b[n - 1] != 0xFE)
        return 0;
    uint32_t type = rg__get_le32(b + at);
    uint32_t parts = 1;
    const char order = 0x01;
    if (rg__buf_append(out, &order, 1) != RG_OK || rg__buf_append(out, (const char *)b + at, 4) != RG_OK)
        return 0;
    at += 4;
    if (type == 6) {
        if (at + 4 > n || rg__buf_append(out, (const char *)b + at, 4) != RG_OK)
            return 0;
        parts = rg__get_le32(b + at);
        at += 4;
    } else if (type != 3) {
        return 0; /* the store writes only (multi)polygons, uncompressed, XY */
    }
    for (uint32_t p = 0; p < parts; p++) {
        size_t start = at;
        if (type == 6) {
            if (at + 5 > n || b[at] != 0x69 || rg__get_le32(b + at + 1) != 3)
                return 0;
            at += 5;
        }
        size_t end = polygon_end(b, n, at, &points_seen);
        if (!end)
            return 0;
        at = end;
        if (type == 6) {
            /* The part's byte order replaces the marker; the rest is WKB as it stands. */
            if (rg__buf_append(out, &order, 1) != RG_OK ||
                rg__buf_append(out, (const char *)b + start + 1, at - start - 1) != RG_OK)
                return 0;
        } else if (rg__buf_append(out, (const char *)b + start, at - start) != RG_OK) {
            return 0;
        }
    }
    if (at != n - 1)
        return 0;
    if (vertices)
        *vertices = points_seen;
    return 1;
}

int rg_io__spatialite_to_wkb(const unsigned char *blob, size_t n, rg_buf *out, long *vertices)
{
    return to_wkb(blob, n, out, vertices) ? RG_OK : RG_EINVAL;
}

int rg_io_spatialite_wkb(const unsigned char *blob, size_t n, unsigned char **wkb, size_t *size, double bounds[4],
                         long *vertices)
{
    rg_buf out = {0};
    *wkb = NULL;
    *size = 0;
    if (!to_wkb(blob, n, &out, vertices)) {
        rg__buf_free(&out);
        return RG_EINVAL;
    }
    for (int i = 0; i < 4; i++)
        memcpy(&bounds[i], blob + 6 + 8 * i, 8);
    *wkb = (unsigned char *)out.data;
    *size = out.len;
    return RG_OK;
}
