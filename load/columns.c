/*
 * Which column holds what: field files come with Indonesian column names as often as English
 * ones, in any case and spacing, so each role is found by the names it usually has (or named
 * with a flag), and every pick is announced; --columns keeps, renames and types the others.
 */
#include "load/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_label[ROLE_COUNT] = {
    "household id", "latitude", "longitude", "household size", "spending",
    "provinsi code", "kab/kota code", "kecamatan code", "desa/kelurahan code", "SLS code",
    "reported area code", "poverty class", "given desil", "given rank",
};
static const char *const role_flag[ROLE_COUNT] = {"--id", "--lat", "--lon", "--size", "--spending",
                                                  "--code-parts", "--code-parts", "--code-parts", "--code-parts",
                                                  "--code-parts", "--code", "--class", "--desil", "--rank"};

static const char *const id_names[] = {"household_id", "id_keluarga", "id_rumah_tangga", "id_ruta", "idrt",
                                       "id_rt", "hh_id", "household", "id", NULL};
static const char *const lat_names[] = {"latitude", "lat", "lintang", "y_lat", "y", "northing", NULL};
static const char *const lon_names[] = {"longitude", "lon", "lng", "long", "bujur", "x_lon", "x", "easting", NULL};
static const char *const size_names[] = {"household_size", "jumlah_art", "jml_art", "jumlah_anggota_keluarga",
                                         "jumlah_anggota", "hh_size", "art", NULL};
static const char *const spending_names[] = {"pengeluaran", "pengeluaran_bulanan", "rata_rata_pengeluaran",
                                             "monthly_spending", "spending", "expenditure", "pengeluaran*", NULL};
static const char *const prov_names[] = {"r101", "kode_prov", "kd_prov", "kdprov", "kode_provinsi", "prov", NULL};
static const char *const kab_names[] = {"r102", "kode_kab", "kd_kab", "kdkab", "kode_kabkota", "kode_kabupaten",
                                        "kab", "kabkota", NULL};
static const char *const kec_names[] = {"r103", "kode_kec", "kd_kec", "kdkec", "kode_kecamatan", "kec", NULL};
static const char *const desa_names[] = {"r104", "kode_desa", "kd_desa", "kddesa", "kode_deskel", "kode_kel",
                                         "desa", NULL};
static const char *const sls_names[] = {"r105", "kode_sls", "kd_sls", "kdsls", "sls", NULL};
static const char *const code_names[] = {"reported_code", "kode_wilayah", "kode_kelurahan", "kode_kel",
                                         "kode_desa", "kode_deskel", "area_code", "kdepum", "idsls", NULL};
static const char *const class_names[] = {"poverty_class", "kelas_kesejahteraan", "status_kesejahteraan",
                                          "kategori_kemiskinan", "kelas", NULL};
/* DTSEN's national desil (since 2025), and the national rank that orders it where given. */
static const char *const desil_names[] = {"desil", "desil_nasional", "desil_dtsen", "desil_kesejahteraan",
                                          "desil_keluarga", "desil*", NULL};
static const char *const rank_names[] = {"peringkat", "peringkat_nasional", "peringkat_dtsen", "ranking_nasional",
                                         "rank_nasional", "peringkat*", NULL};
static const char *const *const role_names[ROLE_COUNT] = {
    id_names,  lat_names, lon_names,  size_names,  spending_names, prov_names, kab_names,
    kec_names, desa_names, sls_names, code_names, class_names,    desil_names, rank_names};

/* "Kode Wilayah " and "kode-wilayah" are the same column to a person. */
static void normalise_name(const char *in, char *out, size_t cap)
{
    size_t j = 0;
    while (*in == ' ')
        in++;
    for (; *in && j + 1 < cap; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '-' || c == '.')
            c = '_';
        else if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        out[j++] = (char)c;
    }
    while (j && out[j - 1] == '_')
        j--;
    out[j] = '\0';
}

static int name_matches(const char *normalised, const char *candidate)
{
    size_t n = strlen(candidate);
    if (n && candidate[n - 1] == '*')
        return strncmp(normalised, candidate, n - 1) == 0;
    return strcmp(normalised, candidate) == 0;
}

static int list_columns(loader *L, rg_buf *out)
{
    for (size_t i = 0; i < L->header_count; i++)
        if (rg__buf_appendf(out, "%s%s", i ? ", " : "", L->header[i]) != RG_OK)
            return RG_ENOMEM;
    return RG_OK;
}

/* --code-parts PROV,KAB,KEC,DESA[,SLS]: the columns named, in the overrides of their roles. */
static int split_code_parts(loader *L, const char *overrides[ROLE_COUNT])
{
    if (!L->opts->code_parts)
        return RG_OK;
    if (!(L->parts_text = rg_strdup(L->opts->code_parts)))
        return RG_ENOMEM;
    int n = 0;
    char *save = NULL;
    for (char *name = strtok_r(L->parts_text, ",", &save); name; name = strtok_r(NULL, ",", &save), n++)
        if (n < CODE_PARTS)
            overrides[ROLE_PROV + n] = name;
    if (n < CODE_PARTS - 1 || n > CODE_PARTS)
        return rg_ctx_error(L->ctx, RG_EINVAL,
                            "--code-parts: '%s': name 4 or 5 columns, PROV,KAB,KEC,DESA[,SLS]", L->opts->code_parts);
    return RG_OK;
}

/* The column named exactly (any case) by a --flag, or an error listing the columns. */
static int find_named(loader *L, int role, const char *name)
{
    for (size_t i = 0; i < L->header_count; i++) {
        if (rg__strieq(L->header[i], name)) {
            L->column[role] = (int)i;
            return RG_OK;
        }
    }
    rg_buf found = {0};
    list_columns(L, &found);
    int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: no column named '%s' (%s %s); columns found: %s", L->path, name,
                          role_flag[role], role_label[role], found.data ? found.data : "none");
    rg__buf_free(&found);
    return rc;
}

/* The first column, by the role's names best first, that no earlier role took: "lat"
 * wins over a later "y_lat" whatever the column order. */
static void find_by_names(loader *L, int role)
{
    for (const char *const *cand = role_names[role]; *cand && L->column[role] < 0; cand++) {
        for (size_t i = 0; i < L->header_count; i++) {
            char norm[128];
            normalise_name(L->header[i], norm, sizeof norm);
            int taken = 0;
            for (int other = 0; other < role; other++)
                taken |= L->column[other] == (int)i;
            if (!taken && name_matches(norm, *cand)) {
                L->column[role] = (int)i;
                break;
            }
        }
    }
}

static int missing_required(loader *L, int role)
{
    rg_buf msg = {0};
    rg__buf_appendf(&msg, "%s: no %s column (looked for", L->path, role_label[role]);
    for (const char *const *cand = role_names[role]; *cand; cand++)
        rg__buf_appendf(&msg, " %s", *cand);
    rg__buf_appendf(&msg, "); columns found: ");
    list_columns(L, &msg);
    rg__buf_appendf(&msg, "; name it with %s", role_flag[role]);
    int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s", msg.data ? msg.data : "out of memory");
    rg__buf_free(&msg);
    return rc;
}

/* The parts of a code count only all together (an "r103" alone assembles nothing), and
 * only where no full code column is named. */
static int code_parts_found(const loader *L)
{
    for (int role = ROLE_PROV; role <= ROLE_DESA; role++)
        if (L->column[role] < 0)
            return 0;
    return 1;
}

/* need_coordinates: a source without point geometry must have lat/lon columns. */
int rg_load__map_columns(loader *L, int need_coordinates)
{
    const char *overrides[ROLE_COUNT] = {
        [ROLE_ID] = L->opts->id_column,       [ROLE_LAT] = L->opts->lat_column, [ROLE_LON] = L->opts->lon_column,
        [ROLE_SIZE] = L->opts->size_column,   [ROLE_SPENDING] = L->opts->spending_column,
        [ROLE_CODE] = L->opts->code_column,   [ROLE_CLASS] = L->opts->class_column,
        [ROLE_DESIL] = L->opts->desil_column, [ROLE_RANK] = L->opts->rank_column};
    int rc = split_code_parts(L, overrides);
    if (rc != RG_OK)
        return rc;
    for (int role = 0; role < ROLE_COUNT; role++) {
        L->column[role] = -1;
        int parts_role = role >= ROLE_PROV && role <= ROLE_SLS;
        if (overrides[role]) {
            if ((rc = find_named(L, role, overrides[role])) != RG_OK)
                return rc;
        } else if (!(parts_role && (L->opts->code_column || L->opts->code_parts)) &&
                   !(role == ROLE_CODE && L->opts->code_parts)) {
            find_by_names(L, role);
        }
        if (role == ROLE_SLS && !code_parts_found(L))
            for (int part = ROLE_PROV; part <= ROLE_SLS; part++)
                L->column[part] = -1;
        if (L->column[role] < 0 && role == ROLE_ID)
            return missing_required(L, role);
    }
    /* A file of codes alone (families without a GPS point, as most of Regsosek's) places every
     * household by its code: coordinates are needed only where no code could. */
    int has_code = L->column[ROLE_CODE] >= 0 || code_parts_found(L);
    for (int role = ROLE_LAT; role <= ROLE_LON && need_coordinates; role++)
        if (L->column[role] < 0 && (!has_code || L->column[ROLE_LAT + ROLE_LON - role] >= 0))
            return missing_required(L, role);
    if (need_coordinates && has_code && L->column[ROLE_LAT] < 0)
        rg_ctx_notice(L->ctx, RG_NOTICE_WARNING, "%s: no latitude or longitude column: every household is placed by"
                      " its area code", L->path);
    snprintf(L->id_column, sizeof L->id_column, "%s", L->header[L->column[ROLE_ID]]);
    for (int role = 0; role < ROLE_COUNT; role++)
        if (L->column[role] >= 0)
            rg_ctx_notice(L->ctx, RG_NOTICE_INFO, "%s: %s from column '%s'", L->path, role_label[role],
                          L->header[L->column[role]]);
    return RG_OK;
}

/* Parses --columns against the header. */
int rg_load__map_specs(loader *L)
{
    if (!L->opts->columns)
        return RG_OK;
    L->spec_text = rg_strdup(L->opts->columns);
    size_t cap = 1;
    for (const char *p = L->opts->columns; *p; p++)
        cap += *p == ',';
    L->specs = rg_calloc(cap, sizeof *L->specs);
    if (!L->spec_text || !L->specs)
        return RG_ENOMEM;
    char *save = NULL;
    for (char *entry = strtok_r(L->spec_text, ",", &save); entry; entry = strtok_r(NULL, ",", &save)) {
        column_spec *c = &L->specs[L->spec_count];
        c->type = COLUMN_TEXT;
        char *colon = strrchr(entry, ':');
        if (colon) {
            *colon = '\0';
            if (rg__strieq(colon + 1, "integer"))
                c->type = COLUMN_INTEGER;
            else if (rg__strieq(colon + 1, "real"))
                c->type = COLUMN_REAL;
            else if (!rg__strieq(colon + 1, "text"))
                return rg_ctx_error(L->ctx, RG_EINVAL, "--columns: '%s': the type must be text, integer or real",
                                    colon + 1);
        }
        char *eq = strchr(entry, '=');
        if (eq)
            *eq = '\0';
        c->source = entry;
        c->target = eq && eq[1] ? eq + 1 : entry;
        c->index = -1;
        for (size_t i = 0; i < L->header_count && c->index < 0; i++)
            if (rg__strieq(L->header[i], c->source))
                c->index = (int)i;
        if (c->index < 0) {
            rg_buf found = {0};
            list_columns(L, &found);
            int rc = rg_ctx_error(L->ctx, RG_EDATA, "%s: --columns names '%s', which is not a column; columns found: %s",
                                  L->path, c->source, found.data ? found.data : "none");
            rg__buf_free(&found);
            return rc;
        }
        L->spec_count++;
    }
    return RG_OK;
}
