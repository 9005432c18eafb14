/*
 * classify.h: poverty classes, desil and ranks, and the area summaries.
 *
 * Regsosek ranks households from the poorest to the best-off and sorts them into
 * four classes. How welfare is measured and how desil map to classes differ between
 * sources, so both are data, in a rules file (see classify/rules.ini).
 */
#ifndef RG_CLASSIFY_H
#define RG_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "geo/geo.h"
#include "io/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    RG_CLASS_NONE = 0,
    RG_CLASS_SANGAT_MISKIN = 1,
    RG_CLASS_MISKIN = 2,
    RG_CLASS_RENTAN_MISKIN = 3,
    RG_CLASS_TIDAK_MISKIN = 4
} rg_poverty_class;

/** "sangat miskin", "miskin", "rentan miskin", "tidak miskin"; NULL for RG_CLASS_NONE. Static storage. */
const char *rg_classify_class_name(rg_poverty_class cls);

/**
 * Reads a class the way people type it: "Sangat Miskin", "SANGAT_MISKIN", "SM",
 * "1".."4", "hampir miskin" (= rentan miskin), "tidak_miskin", stray spaces.
 * @return RG_OK with *out set, RG_EINVAL when the text is no class.
 */
int rg_classify_class_parse(const char *text, rg_poverty_class *out);

/**
 * The desil (1..10) of a household with `below` households strictly poorer in a
 * population of n. Ties share the desil of their lowest position.
 * @return 1..10, or 0 when n is 0 or below >= n.
 */
int rg_classify_desil(int64_t below, int64_t n);

/* DESIL cuts desil from welfare; GIVEN reads a class; THRESHOLD compares welfare with a poverty
 * line; GIVEN_DESIL reads the national desil DTSEN gives each family (and its rank, if any). */
typedef enum { RG_METHOD_DESIL = 1, RG_METHOD_GIVEN, RG_METHOD_THRESHOLD, RG_METHOD_GIVEN_DESIL } rg_method;

/** "desil", "given", "threshold", "given_desil": the rules file's words. Static storage. */
const char *rg_classify_method_name(rg_method method);

/**
 * Reads a desil the way extracts write it: "3", "03", "3.0", "Desil 3", "desil_3", "D3".
 * @return RG_OK with *out 1..10, RG_EINVAL for anything else.
 */
int rg_classify_desil_parse(const char *text, int *out);
typedef enum { RG_WELFARE_PER_CAPITA = 1, RG_WELFARE_HOUSEHOLD } rg_welfare;
typedef enum { RG_POPULATION_ALL = 1, RG_POPULATION_KABKOTA, RG_POPULATION_KECAMATAN } rg_population;

typedef struct rg_rules rg_rules;

/** The built-in rules (the same as classify/rules.ini). Caller owns; free with rg_classify_rules_free(). */
int rg_classify_rules_default(rg_rules **out);

/**
 * Reads a rules file (INI). Keys not set keep their defaults.
 * @return RG_OK; RG_EIO when it cannot be opened; RG_EINVAL for a bad line (the
 *   message names file and line). Caller owns *out; free with rg_classify_rules_free().
 */
int rg_classify_rules_read(rg_rules **out, rg_ctx *ctx, const char *path);

/**
 * Same as rg_classify_rules_read() over text in memory; `source` names it in messages.
 * text is borrowed. Caller owns *out; free with rg_classify_rules_free().
 */
int rg_classify_rules_parse(rg_rules **out, rg_ctx *ctx, const char *text, size_t len, const char *source);

/** The rules in force as rules-file text. Caller owns *out; free with rg_free(). */
int rg_classify_rules_format(const rg_rules *rules, char **out);

rg_method rg_classify_rules_method(const rg_rules *rules);
/** The class of desil d (1..10). */
rg_poverty_class rg_classify_rules_desil_class(const rg_rules *rules, int d);

/** Threshold method: the multiple of the poverty line below which cls (sangat miskin, miskin,
 * rentan miskin) begins; 0 for other classes. */
double rg_classify_rules_cut(const rg_rules *rules, rg_poverty_class cls);

/**
 * The poverty line (Rp per person per month) of an area: the entry of [poverty_line]
 * with the longest code prefix of area_code (either scheme; dots are ignored); at equal
 * length an entry for the area's type ("5371.perkotaan") beats one for all
 * ("5371"); entries for the other type never apply. 0 when none applies.
 */
double rg_classify_rules_poverty_line(const rg_rules *rules, const char *area_code, rg_urban_rural area_type);

/** Longest programme name, with its NUL. */
#define RG_PROGRAMME_NAME_MAX 32

/** How many social-assistance programmes the rules define ([programme]). */
size_t rg_classify_rules_programme_count(const rg_rules *rules);

/**
 * Programme i: its name (a summary column: lower-case letters, digits, _), and the desil
 * whose households it reaches, first..last. @return the name (borrowed from the rules), or
 * NULL when i is out of range.
 */
const char *rg_classify_rules_programme(const rg_rules *rules, size_t i, int *first_desil, int *last_desil);

/**
 * How poverty_rate is defined under these rules, in a sentence for every output that shows
 * it (under the desil method it is the share of the desil mapped to sangat miskin and miskin
 * by construction, not a measured rate). Caller owns *out; free with rg_free().
 * @return RG_OK or RG_ENOMEM.
 */
int rg_classify_poverty_rate_definition(const rg_rules *rules, char **out);

/** rg_classify_rules_free(NULL) is a no-op. */
void rg_classify_rules_free(rg_rules *rules);

typedef struct {
    int64_t households;
    int64_t classified;
    int64_t unclassified;        /**< no usable welfare or class */
    int64_t by_class[5];         /**< indexed by rg_poverty_class; [0] = unclassified */
    int64_t outside_kelurahan;   /**< classified but not joined to any kelurahan */
    int64_t unreadable_classes;  /**< method given: values that are no class (see classify_issues) */
    int64_t unreadable_desil;    /**< method given_desil: households without a readable desil (see classify_issues) */
    int64_t unreadable_ranks;    /**< method given_desil: ranks that are no number (ranked after the others of
                                      their desil) */
    int64_t no_poverty_line;     /**< method threshold: households whose area has no line (see classify_issues) */
    int64_t decisions_not_applied; /**< households whose latest forum decision is of a kelurahan they are no
                                        longer in, or that are no longer loaded (see classify_issues) */
} rg_classify_report;

/**
 * Classifies every household in the store, ranks it inside its kelurahan
 * (welfare_rank 1 = poorest; ties by household_id), and writes household_classes,
 * kelurahan_summary, kecamatan_summary and classify_meta (the method, the rules in force
 * and the definition of poverty_rate), in one transaction. Requires a current join.
 * @return RG_OK with *report filled (may be NULL); RG_EDATA when nothing is joined.
 */
int rg_classify_run(rg_store *store, const rg_rules *rules, rg_classify_report *report);

/** One kab/kota's totals, summed from its kecamatan. */
typedef struct {
    const char *code; /**< borrowed; valid during the callback */
    int64_t households, by_class[5], unclassified;
} rg_area_total;

typedef void (*rg_total_fn)(const rg_area_total *total, void *userdata);

/**
 * Writes kelurahan_summary and kecamatan_summary again from the households' classes after
 * the forum (poverty_class_final), inside the caller's step (amend's). classify itself
 * counts them in its last pass; this is for when only the forum's decisions changed.
 * @return RG_OK or RG_ESQL.
 */
int rg_classify_resummarise(rg_store *store);

/**
 * Counts the households of each SLS of an SLS map (their point in it, as the join placed them;
 * classes after the forum) into temp.sls_summary on the store's connection: code, then
 * RG_IO_SUMMARY_COLUMNS, then a column per programme of the rules, as the summary tables hold
 * them; every SLS of table sls, zeros where no household lives. The SLS summaries are not
 * kept in the store: they are made for what leaves it (export --layers sls, the web map).
 * *count: the SLS, 0 when the boundaries were no SLS map. Requires rg_classify_run().
 * @return RG_OK or RG_ESQL.
 */
int rg_classify_sls_counts(rg_store *store, int64_t *count);

/**
 * Calls fn once per kab/kota (the parent code of the kecamatan), in code order, with
 * its totals. Requires rg_classify_run(). @return RG_OK, RG_EDATA, RG_ESQL.
 */
int rg_classify_kabkota_totals(rg_store *store, rg_total_fn fn, void *userdata);

#ifdef __cplusplus
}
#endif
#endif
