#include "geo/geo.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Digits in each level, cumulative, per scheme. */
static const int bps_len[] = {0, 2, 4, 7, 10};
static const int kemendagri_len[] = {0, 2, 4, 6, 10};

int rg_geo_code_parse(const char *text, rg_area_code *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return RG_EINVAL;
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    if (n == 0 || n > 13)
        return RG_EINVAL;

    int parts[4] = {0};
    int nparts = 1, ndigits = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '.') {
            if (parts[nparts - 1] == 0 || nparts == 4) {
                memset(out, 0, sizeof *out);
                return RG_EINVAL;
            }
            nparts++;
        } else if (isdigit((unsigned char)text[i])) {
            if (ndigits == 10) {
                memset(out, 0, sizeof *out);
                return RG_EINVAL;
            }
            parts[nparts - 1]++;
            out->digits[ndigits++] = text[i];
        } else {
            return RG_EINVAL;
        }
    }
    if (parts[nparts - 1] == 0)
        return RG_EINVAL;
    if (nparts > 1) {
        static const int width[] = {2, 2, 2, 4};
        for (int p = 0; p < nparts; p++)
            if (parts[p] != width[p])
                return RG_EINVAL;
        out->scheme = RG_CODE_KEMENDAGRI;
        out->level = (rg_area_level)nparts;
        return RG_OK;
    }
    for (int level = RG_LEVEL_PROVINSI; level <= RG_LEVEL_DESA; level++) {
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
    memset(out, 0, sizeof *out);
    return RG_EINVAL;
}

int rg_geo_code_parent(const rg_area_code *code, rg_area_code *out)
{
    if (code->level <= RG_LEVEL_PROVINSI || code->level > RG_LEVEL_DESA)
        return RG_EINVAL;
    const int *len = code->scheme == RG_CODE_BPS ? bps_len : kemendagri_len;
    *out = *code;
    out->level = (rg_area_level)(code->level - 1);
    memset(out->digits + len[out->level], 0, sizeof out->digits - (size_t)len[out->level]);
    return RG_OK;
}

void rg_geo_code_format(const rg_area_code *code, char *buf, size_t cap)
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
    case RG_LEVEL_DESA: snprintf(buf, cap, "%.2s.%.2s.%.2s.%.4s", d, d + 2, d + 4, d + 6); break;
    }
}

int rg_geo_code_same(const rg_area_code *a, const rg_area_code *b, int *comparable)
{
    *comparable = a->scheme == b->scheme && a->scheme != 0;
    return *comparable && a->level == b->level && strcmp(a->digits, b->digits) == 0;
}

rg_urban_rural rg_geo_urban_rural_parse(const char *text)
{
    static const struct {
        const char *word;
        rg_urban_rural type;
    } words[] = {{"perkotaan", RG_AREA_URBAN}, {"kota", RG_AREA_URBAN},     {"urban", RG_AREA_URBAN},
                 {"1", RG_AREA_URBAN},         {"perdesaan", RG_AREA_RURAL}, {"pedesaan", RG_AREA_RURAL},
                 {"desa", RG_AREA_RURAL},      {"rural", RG_AREA_RURAL},     {"2", RG_AREA_RURAL}};
    if (!text)
        return RG_AREA_TYPE_ANY;
    while (*text == ' ')
        text++;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i].word);
        if (strncasecmp(text, words[i].word, n) == 0 && (text[n] == '\0' || text[n] == ' '))
            return words[i].type;
    }
    return RG_AREA_TYPE_ANY;
}

const char *rg_geo_urban_rural_name(rg_urban_rural type)
{
    return type == RG_AREA_URBAN ? "perkotaan" : type == RG_AREA_RURAL ? "perdesaan" : NULL;
}
