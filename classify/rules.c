/*
 * The rules file. The built-in defaults are classify/rules.ini itself, compiled in,
 * so the documented file and the behaviour cannot drift apart.
 */
#include "classify/classify.h"
#include "core/internal.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const char rg_rules_rules[]; /* classify/rules.ini, embedded at build time */

/* A poverty line for the areas whose code starts with prefix (digits only), for all of
 * them or only their urban (perkotaan) or rural (perdesaan) kelurahan. */
typedef struct {
    char prefix[11];
    rg_urban_rural area_type;
    double rupiah;
} poverty_line;


#define MAX_POVERTY_LINES 1024
#define MAX_PROGRAMMES 16

/* A social-assistance programme: the households of desil first..last are eligible. */
typedef struct {
    char name[RG_PROGRAMME_NAME_MAX];
    int first, last;
} programme;
/* A rules file of more than this is no rules file (the shipped one is 2 KB). */
#define RULES_MAX_BYTES (1 << 20)

struct rg_rules {
    rg_method method;
    rg_welfare welfare;
    rg_population population;
    rg_poverty_class desil_class[11];
    double cut[4]; /* threshold: below cut[c] x line is class c (1..3); else tidak miskin */
    size_t line_count;
    poverty_line lines[MAX_POVERTY_LINES];
    size_t programme_count;
    programme programmes[MAX_PROGRAMMES];
};

typedef struct {
    rg_rules *rules;
    int replacing_lines; /* a file's [poverty_line] replaces the built-in table */
    int replacing_programmes; /* and its [programme] the built-in programmes */
    char error[256];
    char unknown_section[64]; /* set with the error: the message names its own line */
} parse_state;

static int parse_line_entry(parse_state *ps, const char *key, const char *value)
{
    rg_rules *r = ps->rules;
    if (ps->replacing_lines) {
        r->line_count = 0;
        ps->replacing_lines = 0;
    }
    poverty_line line = {{0}, RG_AREA_TYPE_ANY, 0};
    size_t j = 0;
    for (const char *p = key; *p; p++) {
        if (*p == '.' && (p[1] < '0' || p[1] > '9') && p[1] != '\0') {
            /* "5371.perkotaan": the line of the area's urban kelurahan only */
            line.area_type = rg_geo_urban_rural_parse(p + 1);
            if (line.area_type == RG_AREA_TYPE_ANY || strchr(p + 1, '.')) {
                snprintf(ps->error, sizeof ps->error, "'%s': after the code comes perkotaan or perdesaan", key);
                return 0;
            }
            break;
        }
        if (*p == '.')
            continue;
        if (*p < '0' || *p > '9' || j == 10) {
            snprintf(ps->error, sizeof ps->error, "'%s' is not an area code (2 to 10 digits)", key);
            return 0;
        }
        line.prefix[j++] = *p;
    }
    char *end = NULL;
    line.rupiah = strtod(value, &end);
    if (j < 2 || !end || *end || !(line.rupiah > 0)) {
        snprintf(ps->error, sizeof ps->error, "'%s = %s' is not an area code and a poverty line in rupiah", key, value);
        return 0;
    }
    for (size_t i = 0; i < r->line_count; i++)
        if (strcmp(r->lines[i].prefix, line.prefix) == 0 && r->lines[i].area_type == line.area_type) {
            r->lines[i] = line;
            return 1;
        }
    if (r->line_count == MAX_POVERTY_LINES) {
        snprintf(ps->error, sizeof ps->error, "more than %d poverty lines", MAX_POVERTY_LINES);
        return 0;
    }
    r->lines[r->line_count++] = line;
    return 1;
}

static int parse_desil_key(const char *key, int *lo, int *hi)
{
    char *end = NULL;
    long a = strtol(key, &end, 10);
    long b = a;
    if (end == key)
        return 0;
    while (*end == ' ')
        end++;
    if (*end == '-') {
        char *end2 = NULL;
        b = strtol(end + 1, &end2, 10);
        if (end2 == end + 1)
            return 0;
        end = end2;
    }
    if (*end || a < 1 || b > 10 || a > b)
        return 0;
    *lo = (int)a;
    *hi = (int)b;
    return 1;
}

/* The summaries' own columns: a programme may not take one of their names. */
static const char *const summary_columns[] = {"code", "name", "parent_code", "parent_name", "households",
                                              "sangat_miskin", "miskin", "rentan_miskin", "tidak_miskin",
                                              "unclassified", "poverty_rate", "with_point", "without_point",
                                              "code_mismatches", "suppressed", "geom", "fid", NULL};

static int programme_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= RG_PROGRAMME_NAME_MAX || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    if (strncmp(name, "desil", 5) == 0)
        return 0;
    for (size_t i = 0; summary_columns[i]; i++)
        if (strcmp(name, summary_columns[i]) == 0)
            return 0;
    return 1;
}

/* "pkh = desil 1-4": the households of desil 1 to 4 are eligible for pkh. */
static int parse_programme_entry(parse_state *ps, const char *key, const char *value)
{
    rg_rules *r = ps->rules;
    if (ps->replacing_programmes) {
        r->programme_count = 0;
        ps->replacing_programmes = 0;
    }
    if (!programme_name_ok(key)) {
        snprintf(ps->error, sizeof ps->error,
                 "'%s' cannot name a programme: lower-case letters, digits and _, starting with a letter, at most %d"
                 " characters, and not a summary column (households, miskin, desil_1, ...)",
                 key, RG_PROGRAMME_NAME_MAX - 1);
        return 0;
    }
    programme p = {{0}, 0, 0};
    snprintf(p.name, sizeof p.name, "%s", key);
    if (strncmp(value, "desil", 5) != 0 || !parse_desil_key(value + 5 + strspn(value + 5, " "), &p.first, &p.last)) {
        snprintf(ps->error, sizeof ps->error, "'%s = %s': a programme is `desil N` or `desil N-M` (1..10)", key, value);
        return 0;
    }
    for (size_t i = 0; i < r->programme_count; i++)
        if (strcmp(r->programmes[i].name, p.name) == 0) {
            r->programmes[i] = p;
            return 1;
        }
    if (r->programme_count == MAX_PROGRAMMES) {
        snprintf(ps->error, sizeof ps->error, "more than %d programmes", MAX_PROGRAMMES);
        return 0;
    }
    r->programmes[r->programme_count++] = p;
    return 1;
}

static int on_entry(void *userdata, const char *section, const char *key, const char *value)
{
    parse_state *ps = userdata;
    rg_rules *r = ps->rules;
    if (rg__strieq(section, "classify")) {
        if (rg__strieq(key, "method")) {
            if (rg__strieq(value, "desil"))
                r->method = RG_METHOD_DESIL;
            else if (rg__strieq(value, "given"))
                r->method = RG_METHOD_GIVEN;
            else if (rg__strieq(value, "given_desil"))
                r->method = RG_METHOD_GIVEN_DESIL;
            else if (rg__strieq(value, "threshold"))
                r->method = RG_METHOD_THRESHOLD;
            else
                goto bad_value;
        } else if (rg__strieq(key, "welfare")) {
            if (rg__strieq(value, "per_capita"))
                r->welfare = RG_WELFARE_PER_CAPITA;
            else if (rg__strieq(value, "household"))
                r->welfare = RG_WELFARE_HOUSEHOLD;
            else
                goto bad_value;
        } else if (rg__strieq(key, "population")) {
            if (rg__strieq(value, "all"))
                r->population = RG_POPULATION_ALL;
            else if (rg__strieq(value, "kabkota"))
                r->population = RG_POPULATION_KABKOTA;
            else if (rg__strieq(value, "kecamatan"))
                r->population = RG_POPULATION_KECAMATAN;
            else
                goto bad_value;
        } else {
            snprintf(ps->error, sizeof ps->error, "unknown key '%s' in [classify]", key);
            return 0;
        }
        return 1;
    }
    if (rg__strieq(section, "desil")) {
        int lo, hi;
        rg_poverty_class cls;
        if (!parse_desil_key(key, &lo, &hi)) {
            snprintf(ps->error, sizeof ps->error, "'%s' is not a desil (1..10) or a range like 5-10", key);
            return 0;
        }
        if (rg_classify_class_parse(value, &cls) != RG_OK)
            goto bad_value;
        for (int d = lo; d <= hi; d++)
            r->desil_class[d] = cls;
        return 1;
    }
    if (rg__strieq(section, "threshold")) {
        static const char *const keys[] = {NULL, "sangat_miskin_below", "miskin_below", "rentan_miskin_below"};
        for (int c = 1; c <= 3; c++)
            if (rg__strieq(key, keys[c])) {
                char *end = NULL;
                double v = strtod(value, &end);
                if (!end || *end || !(v > 0 && v < 100))
                    goto bad_value;
                r->cut[c] = v;
                return 1;
            }
        snprintf(ps->error, sizeof ps->error, "unknown key '%s' in [threshold]", key);
        return 0;
    }
    if (rg__strieq(section, "poverty_line"))
        return parse_line_entry(ps, key, value);
    if (rg__strieq(section, "programme"))
        return parse_programme_entry(ps, key, value);
    snprintf(ps->error, sizeof ps->error,
             "unknown section [%s] (sections: classify, desil, threshold, poverty_line, programme)",
             section);
    snprintf(ps->unknown_section, sizeof ps->unknown_section, "%s", section);
    return 0;

bad_value:
    snprintf(ps->error, sizeof ps->error, "'%s' is not a valid value for %s", value, key);
    return 0;
}

static int check_complete(rg_ctx *ctx, const char *source, const rg_rules *r)
{
    if (!(r->cut[1] <= r->cut[2] && r->cut[2] <= r->cut[3]))
        return rg_ctx_error(ctx, RG_EINVAL, "%s: [threshold] cut-offs must not decrease: %g, %g, %g", source, r->cut[1],
                            r->cut[2], r->cut[3]);
    for (int d = 1; d <= 10; d++)
        if (!r->desil_class[d])
            return rg_ctx_error(ctx, RG_EINVAL, "%s: desil %d has no class in [desil]", source, d);
    return RG_OK;
}

int rg_classify_rules_default(rg_rules **out)
{
    *out = NULL;
    rg_rules *r = rg_calloc(1, sizeof *r);
    if (!r)
        return RG_ENOMEM;
    parse_state ps = {.rules = r};
    if (ini_parse_string(rg_rules_rules, on_entry, &ps) != 0) {
        rg_free(r);
        return RG_EINVAL;
    }
    *out = r;
    return RG_OK;
}

/* inih reports an unknown section at its first key: the line to name is the section's
 * own, the last "[name]" line before that key. */
static int section_line(const char *text, int key_line, const char *name)
{
    int found = key_line, line = 1;
    size_t n = strlen(name);
    for (const char *p = text; *p && line < key_line; line++) {
        const char *end = strchr(p, '\n');
        const char *q = p;
        while (q < (end ? end : p + strlen(p)) && (*q == ' ' || *q == '\t'))
            q++;
        if (*q == '[' && strncmp(q + 1, name, n) == 0 && q[1 + n] == ']')
            found = line;
        if (!end)
            break;
        p = end + 1;
    }
    return found;
}

/* What ini_parse_* returned (0, or the first bad line) turned into rules or an error. */
static int finish_parse(rg_ctx *ctx, const char *source, const char *text, int line, const parse_state *ps,
                        rg_rules **out)
{
    int rc = RG_OK;
    if (line > 0 && ps->unknown_section[0])
        line = section_line(text, line, ps->unknown_section);
    if (line != 0)
        rc = rg_ctx_error(ctx, RG_EINVAL, "%s: line %d: %s", source, line,
                          ps->error[0] ? ps->error : "not a `key = value` line or a [section]");
    else
        rc = check_complete(ctx, source, ps->rules);
    if (rc != RG_OK) {
        rg_free(ps->rules);
        return rc;
    }
    *out = ps->rules;
    return RG_OK;
}

int rg_classify_rules_read(rg_rules **out, rg_ctx *ctx, const char *path)
{
    *out = NULL;
    int rc = RG_OK;
    /* A rules file is small: read whole, so an error can be placed on its own line. */
    FILE *f = fopen(path, "r");
    if (!f)
        return rg_ctx_error(ctx, RG_EIO, "%s: cannot open rules: %s", path, strerror(errno));
    rg_buf text = {0};
    char block[4096];
    size_t n;
    while (rc == RG_OK && (n = fread(block, 1, sizeof block, f)) > 0)
        rc = text.len + n > RULES_MAX_BYTES ? rg_ctx_error(ctx, RG_EINVAL, "%s: larger than a rules file (over %d bytes)",
                                                           path, RULES_MAX_BYTES)
                                            : rg__buf_append(&text, block, n);
    if (rc == RG_OK && ferror(f))
        rc = rg_ctx_error(ctx, RG_EIO, "%s: cannot read rules: %s", path, strerror(errno));
    fclose(f);
    if (rc == RG_OK)
        rc = rg_classify_rules_parse(out, ctx, text.data ? text.data : "", text.len, path);
    rg__buf_free(&text);
    return rc;
}

int rg_classify_rules_parse(rg_rules **out, rg_ctx *ctx, const char *text, size_t len, const char *source)
{
    *out = NULL;
    parse_state ps = {0};
    int rc = rg_classify_rules_default(&ps.rules);
    if (rc != RG_OK)
        return rc;
    ps.replacing_lines = 1;
    ps.replacing_programmes = 1;
    /* inih reads a C string: stop at the first NUL, as a file read would not. */
    char *copy = rg_malloc(len + 1);
    if (!copy) {
        rg_free(ps.rules);
        return RG_ENOMEM;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    int line = ini_parse_string(copy, on_entry, &ps);
    rc = finish_parse(ctx, source, copy, line, &ps, out);
    rg_free(copy);
    return rc;
}

void rg_classify_rules_free(rg_rules *rules) { rg_free(rules); }
rg_method rg_classify_rules_method(const rg_rules *r) { return r->method; }

rg_poverty_class rg_classify_rules_desil_class(const rg_rules *r, int d)
{
    return d >= 1 && d <= 10 ? r->desil_class[d] : RG_CLASS_NONE;
}

size_t rg_classify_rules_programme_count(const rg_rules *r) { return r->programme_count; }

const char *rg_classify_rules_programme(const rg_rules *r, size_t i, int *first_desil, int *last_desil)
{
    if (i >= r->programme_count)
        return NULL;
    *first_desil = r->programmes[i].first;
    *last_desil = r->programmes[i].last;
    return r->programmes[i].name;
}

int rg__classify_rules_welfare(const rg_rules *r) { return r->welfare; }
int rg__classify_rules_population(const rg_rules *r) { return r->population; }

int rg_classify_rules_format(const rg_rules *r, char **out)
{
    *out = NULL;
    rg_buf b = {0};
    static const char *const population[] = {"", "all", "kabkota", "kecamatan"};
    int rc = rg__buf_appendf(&b, "[classify]\nmethod = %s\nwelfare = %s\npopulation = %s\n\n[desil]\n",
                             rg_classify_method_name(r->method),
                             r->welfare == RG_WELFARE_HOUSEHOLD ? "household" : "per_capita",
                             population[r->population]);
    for (int d = 1; d <= 10 && rc == RG_OK; d++)
    {
        /* A desil without a class is never formatted (parsing fills all ten), but GCC's
         * -O3 format check cannot know that. */
        const char *name = rg_classify_class_name(r->desil_class[d]);
        rc = rg__buf_appendf(&b, "%d = %s\n", d, name ? name : "");
    }
    if (rc == RG_OK)
        rc = rg__buf_appendf(&b, "\n[threshold]\nsangat_miskin_below = %.17g\nmiskin_below = %.17g\n"
                                 "rentan_miskin_below = %.17g\n\n[poverty_line]\n",
                             r->cut[1], r->cut[2], r->cut[3]);
    for (size_t i = 0; i < r->line_count && rc == RG_OK; i++)
        rc = rg__buf_appendf(&b, "%s%s%s = %.17g\n", r->lines[i].prefix, r->lines[i].area_type ? "." : "",
                             r->lines[i].area_type ? rg_geo_urban_rural_name(r->lines[i].area_type) : "",
                             r->lines[i].rupiah);
    if (rc == RG_OK)
        rc = rg__buf_appendf(&b, "\n[programme]\n");
    for (size_t i = 0; i < r->programme_count && rc == RG_OK; i++) {
        const programme *p = &r->programmes[i];
        rc = p->first == p->last ? rg__buf_appendf(&b, "%s = desil %d\n", p->name, p->first)
                                 : rg__buf_appendf(&b, "%s = desil %d-%d\n", p->name, p->first, p->last);
    }
    if (rc != RG_OK) {
        rg__buf_free(&b);
        return rc;
    }
    *out = b.data;
    return RG_OK;
}

static const char *const class_names[] = {NULL, "sangat miskin", "miskin", "rentan miskin", "tidak miskin"};

const char *rg_classify_class_name(rg_poverty_class cls)
{
    return (unsigned)cls <= RG_CLASS_TIDAK_MISKIN ? class_names[cls] : NULL;
}

int rg_classify_class_parse(const char *text, rg_poverty_class *out)
{
    *out = RG_CLASS_NONE;
    if (!text)
        return RG_EINVAL;
    /* Fold case, turn '_' and '-' into spaces and squeeze runs of spaces. */
    char norm[32];
    size_t j = 0;
    for (const char *p = text; *p; p++) {
        char c = (char)tolower((unsigned char)*p);
        if (c == '_' || c == '-' || c == '\t')
            c = ' ';
        if (c == ' ' && (j == 0 || norm[j - 1] == ' '))
            continue;
        if (j + 1 >= sizeof norm)
            return RG_EINVAL;
        norm[j++] = c;
    }
    while (j && norm[j - 1] == ' ')
        j--;
    norm[j] = '\0';
    static const struct {
        const char *text;
        rg_poverty_class cls;
    } table[] = {
        {"sangat miskin", RG_CLASS_SANGAT_MISKIN}, {"sm", RG_CLASS_SANGAT_MISKIN}, {"1", RG_CLASS_SANGAT_MISKIN},
        {"miskin ekstrem", RG_CLASS_SANGAT_MISKIN}, {"miskin", RG_CLASS_MISKIN}, {"m", RG_CLASS_MISKIN},
        {"2", RG_CLASS_MISKIN}, {"rentan miskin", RG_CLASS_RENTAN_MISKIN}, {"rm", RG_CLASS_RENTAN_MISKIN},
        {"hampir miskin", RG_CLASS_RENTAN_MISKIN}, {"rentan", RG_CLASS_RENTAN_MISKIN}, {"3", RG_CLASS_RENTAN_MISKIN},
        {"tidak miskin", RG_CLASS_TIDAK_MISKIN}, {"tm", RG_CLASS_TIDAK_MISKIN}, {"4", RG_CLASS_TIDAK_MISKIN},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (strcmp(norm, table[i].text) == 0) {
            *out = table[i].cls;
            return RG_OK;
        }
    return RG_EINVAL;
}

int rg_classify_desil(int64_t below, int64_t n)
{
    if (n <= 0 || below < 0 || below >= n)
        return 0;
    return (int)(below * 10 / n) + 1;
}

int rg_classify_desil_parse(const char *text, int *out)
{
    *out = 0;
    if (!text)
        return RG_EINVAL;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    /* "Desil 3", "desil_3", "D3": the word, then the number. */
    const char *word = p;
    if (strncasecmp(p, "desil", 5) == 0)
        p += 5;
    else if (*p == 'd' || *p == 'D')
        p++;
    while (p > word && (*p == ' ' || *p == '_' || *p == '-' || *p == '\t'))
        p++;
    if (*p < '0' || *p > '9')
        return RG_EINVAL;
    char *end = NULL;
    long d = strtol(p, &end, 10);
    /* A spreadsheet's "3.0" is 3; "3.5" is no desil. */
    if (*end == '.')
        for (end++; *end == '0'; end++)
            ;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end || d < 1 || d > 10)
        return RG_EINVAL;
    *out = (int)d;
    return RG_OK;
}

double rg_classify_rules_cut(const rg_rules *r, rg_poverty_class cls)
{
    return cls >= RG_CLASS_SANGAT_MISKIN && cls <= RG_CLASS_RENTAN_MISKIN ? r->cut[cls] : 0;
}

double rg_classify_rules_poverty_line(const rg_rules *r, const char *area_code, rg_urban_rural area_type)
{
    if (!area_code)
        return 0;
    char digits[16];
    size_t n = 0;
    for (const char *p = area_code; *p && n + 1 < sizeof digits; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    /* The longest prefix wins; at equal length, the line of the area's own type. */
    double best = 0;
    size_t best_score = 0;
    for (size_t i = 0; i < r->line_count; i++) {
        const poverty_line *line = &r->lines[i];
        size_t len = strlen(line->prefix);
        if (line->area_type != RG_AREA_TYPE_ANY && line->area_type != area_type)
            continue;
        size_t score = 2 * len + (line->area_type != RG_AREA_TYPE_ANY);
        if (score > best_score && len <= n && strncmp(digits, line->prefix, len) == 0) {
            best = line->rupiah;
            best_score = score;
        }
    }
    return best;
}
