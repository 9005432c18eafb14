/*
 * Placing a household by its area code: a Regsosek file has a point for part of its
 * households (BPS had officers mark the dwellings of the less prosperous families) and
 * the codes of where they live for all of them. The codes of the kelurahan, in both
 * schemes where the boundaries carry both, are looked up by their digits and scheme,
 * so a BPS code never finds a Kemendagri kelurahan with the same ten digits; so are the
 * kecamatan's, for a code that names no kelurahan of the boundaries but a kecamatan (a desa
 * made since the boundaries were drawn, or a code that stops at the kecamatan).
 */
#include "geo/internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char key[RG_CODE_TEXT_MAX + 1]; /* the scheme's digit, then the code's digits */
    long area;
} code_entry;

struct rg_geo__code_index {
    code_entry *entries;
    size_t count;
    rg_area_level level; /* the areas' level: desa or kecamatan */
};

static void make_key(const rg_area_code *code, char *key)
{
    key[0] = (char)('0' + code->scheme);
    strcpy(key + 1, code->digits);
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const code_entry *)a)->key, ((const code_entry *)b)->key);
}

int rg_geo__code_index_new(const rg_areas *areas, rg_area_level level, rg_geo__code_index **out)
{
    *out = NULL;
    size_t n = areas ? rg_geo_areas_count(areas) : 0;
    rg_geo__code_index *idx = rg_calloc(1, sizeof *idx);
    if (!idx || !(idx->entries = rg_malloc((2 * n + 1) * sizeof *idx->entries))) {
        rg_free(idx);
        return RG_ENOMEM;
    }
    idx->level = level;
    for (size_t i = 0; i < n; i++) {
        const char *codes[2] = {rg_geo_areas_code(areas, i), rg_geo_areas_alt_code(areas, i)};
        for (int c = 0; c < 2; c++) {
            rg_area_code parsed;
            if (codes[c] && rg_code_parse(codes[c], &parsed) == RG_OK && parsed.level == level) {
                make_key(&parsed, idx->entries[idx->count].key);
                idx->entries[idx->count++].area = (long)i;
            }
        }
    }
    qsort(idx->entries, idx->count, sizeof *idx->entries, compare_entries);
    *out = idx;
    return RG_OK;
}

void rg_geo__code_index_free(rg_geo__code_index *idx)
{
    if (!idx)
        return;
    rg_free(idx->entries);
    rg_free(idx);
}

long rg_geo__code_index_find(const rg_geo__code_index *idx, const char *reported)
{
    rg_area_code code;
    if (!idx || !reported || rg_code_parse(reported, &code) != RG_OK || code.level < idx->level)
        return -1;
    /* An SLS lies in its desa, a desa in its kecamatan. */
    while (code.level > idx->level)
        rg_code_parent(&code, &code);
    code_entry probe;
    make_key(&code, probe.key);
    const code_entry *hit = bsearch(&probe, idx->entries, idx->count, sizeof *idx->entries, compare_entries);
    return hit ? hit->area : -1;
}
