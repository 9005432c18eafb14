/*
 * Codes to dense indexes (kelurahan, population groups, the areas of a comparison): an
 * open-addressing table over one arena of NUL-terminated codes, so that per-area counts
 * are arrays indexed by the code's number.
 */
#include "core/internal.h"

#include <string.h>

static uint64_t hash_code(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static int grow(rg__interned *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    size_t *slots = rg_calloc(cap, sizeof *slots);
    int32_t *index = rg_calloc(cap, sizeof *index);
    if (!slots || !index) {
        rg_free(slots);
        rg_free(index);
        return RG_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i])
            continue;
        size_t j = hash_code(t->text.data + t->slots[i] - 1) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
        index[j] = t->index[i];
    }
    rg_free(t->slots);
    rg_free(t->index);
    t->slots = slots;
    t->index = index;
    t->cap = cap;
    return RG_OK;
}

int rg__intern(rg__interned *t, const char *code, int add, int32_t *out)
{
    *out = -1;
    if (t->cap == 0 || (add && 2 * (t->count + 1) > t->cap)) {
        int rc = grow(t);
        if (rc != RG_OK)
            return rc;
    }
    size_t j = hash_code(code) & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (strcmp(t->text.data + t->slots[j] - 1, code) == 0) {
            *out = t->index[j];
            return RG_OK;
        }
    if (!add)
        return RG_OK;
    size_t at = t->text.len;
    int rc = rg__buf_append(&t->text, code, strlen(code) + 1);
    if (rc != RG_OK)
        return rc;
    t->slots[j] = at + 1;
    t->index[j] = (int32_t)t->count++;
    *out = t->index[j];
    return RG_OK;
}

void rg__intern_free(rg__interned *t)
{
    rg__buf_free(&t->text);
    rg_free(t->slots);
    rg_free(t->index);
}

