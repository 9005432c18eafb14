/*
 * Area codes in the two schemes Indonesia uses. The scheme is read off the code's shape
 * and kept with it, so that the same ten digits are never taken for both a BPS and a
 * Kemendagri kelurahan.
 */
#include "core/core.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Digits in each level, cumulative, per scheme (index: rg_area_level). */
static const int bps_len[] = {0, 2, 4, 7, 10, 14};
static const int kemendagri_len[] = {0, 2, 4, 6, 10, 10};

static int invalid(rg_area_code *out)
{
    memset(out, 0, sizeof *out);
    return RG_EINVAL;
}

/* Dotted: each part must have its level's width. */
static int parse_dotted(const int *parts, int nparts, rg_area_code *out)
{
    static const int width[] = {2, 2, 2, 4};
    for (int p = 0; p < nparts; p++)
        if (parts[p] != width[p])
            return invalid(out);
    out->scheme = RG_CODE_KEMENDAGRI;
    out->level = (rg_area_level)nparts;
    return RG_OK;
}

int rg_code_parse(const char *text, rg_area_code *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return RG_EINVAL;
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 0 || n > 14)
        return RG_EINVAL;

    int parts[4] = {0};
    int nparts = 1, ndigits = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '.') {
            if (parts[nparts - 1] == 0 || nparts == 4)
                return invalid(out);
            nparts++;
        } else if (isdigit((unsigned char)text[i])) {
            parts[nparts - 1]++;
            out->digits[ndigits++] = text[i];
        } else {
            return invalid(out);
        }
    }
    if (parts[nparts - 1] == 0)
        return invalid(out);
    if (nparts > 1)
        return parse_dotted(parts, nparts, out);
    for (int level = RG_LEVEL_PROVINSI; level <= RG_LEVEL_SLS; level++) {
        if (ndigits == bps_len[level]) {
            out->scheme = RG_CODE_BPS;
            out->level = (rg_area_level)level;
            return RG_OK;
        }
    }
    /* Six plain digits can only be a Kemendagri kecamatan written without dots. */
    if (ndigits == kemendagri_len[RG_LEVEL_KECAMATAN]) {
        out->scheme = RG_CODE_KEMENDAGRI;
        out->level = RG_LEVEL_KECAMATAN;
        return RG_OK;
    }
    return invalid(out);
}

/* Appends one part, padded with zeros to width; NULL or "" leaves *at unchanged and returns 0. */
static int put_part(const char *text, int width, char *digits, int *at)
{
    while (text && isspace((unsigned char)*text))
        text++;
    size_t n = text ? strlen(text) : 0;
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    /* A number read as real by a spreadsheet ("53.0") is still the number. */
    if (n > 2 && text[n - 2] == '.' && text[n - 1] == '0')
        n -= 2;
    if (n == 0)
        return 0;
    if ((int)n > width)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)text[i]))
            return -1;
    memset(digits + *at, '0', (size_t)width - n);
    memcpy(digits + *at + width - (int)n, text, n);
    *at += width;
    return 1;
}

int rg_code_from_parts(const char *const parts[5], rg_area_code *out)
{
    memset(out, 0, sizeof *out);
    const char *desa = parts[3];
    while (desa && isspace((unsigned char)*desa))
        desa++;
    size_t desa_digits = desa ? strspn(desa, "0123456789") : 0;
    rg_code_scheme scheme = desa_digits == 4 ? RG_CODE_KEMENDAGRI : RG_CODE_BPS;
    static const int bps_width[] = {2, 2, 3, 3, 4}, kemendagri_width[] = {2, 2, 2, 4};
    const int *width = scheme == RG_CODE_BPS ? bps_width : kemendagri_width;
    int at = 0;
    for (int p = 0; p < 4; p++)
        if (put_part(parts[p], width[p], out->digits, &at) != 1)
            return invalid(out);
    out->scheme = scheme;
    out->level = RG_LEVEL_DESA;
    int sls = scheme == RG_CODE_BPS ? put_part(parts[4], 4, out->digits, &at) : put_part(parts[4], 0, out->digits, &at);
    if (sls < 0)
        return invalid(out);
    if (sls == 1)
        out->level = RG_LEVEL_SLS;
    return RG_OK;
}

int rg_code_parent(const rg_area_code *code, rg_area_code *out)
{
    if (code->level <= RG_LEVEL_PROVINSI || code->level > RG_LEVEL_SLS ||
        (code->scheme == RG_CODE_KEMENDAGRI && code->level > RG_LEVEL_DESA))
        return RG_EINVAL;
    const int *len = code->scheme == RG_CODE_BPS ? bps_len : kemendagri_len;
    *out = *code;
    out->level = (rg_area_level)(code->level - 1);
    memset(out->digits + len[out->level], 0, sizeof out->digits - (size_t)len[out->level]);
    return RG_OK;
}

void rg_code_format(const rg_area_code *code, char *buf, size_t cap)
{
    if (code->scheme != RG_CODE_KEMENDAGRI) {
        snprintf(buf, cap, "%s", code->digits);
        return;
    }
    const char *d = code->digits;
    switch (code->level) {
    case RG_LEVEL_PROVINSI: snprintf(buf, cap, "%.2s", d); break;
    case RG_LEVEL_KABKOTA: snprintf(buf, cap, "%.2s.%.2s", d, d + 2); break;
    case RG_LEVEL_KECAMATAN: snprintf(buf, cap, "%.2s.%.2s.%.2s", d, d + 2, d + 4); break;
    default: snprintf(buf, cap, "%.2s.%.2s.%.2s.%.4s", d, d + 2, d + 4, d + 6); break;
    }
}

int rg_code_same(const rg_area_code *a, const rg_area_code *b, int *comparable)
{
    *comparable = a->scheme == b->scheme && a->scheme != 0;
    return *comparable && a->level == b->level && strcmp(a->digits, b->digits) == 0;
}

_Static_assert(RG_AREA_ID_MAX == 31, "the message below names 31");

const char *rg_area_id_fault(const char *text)
{
    size_t n = strlen(text);
    if (n == 0)
        return "it is empty";
    if (n > RG_AREA_ID_MAX)
        return "it is longer than 31 characters"; /* RG_AREA_ID_MAX */
    if (text[0] == '.')
        return "it starts with '.'";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '/' || *p == '\\')
            return "it holds a path separator";
        if (*p < 0x20 || *p == 0x7f)
            return "it holds a control character";
    }
    return NULL;
}
