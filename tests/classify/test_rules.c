#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "support.h"

Test(classify_rules, normalises_what_people_type)
{
    const struct {
        const char *text;
        rg_poverty_class cls;
    } cases[] = {
        {"Sangat Miskin", RG_CLASS_SANGAT_MISKIN}, {"SANGAT_MISKIN", RG_CLASS_SANGAT_MISKIN},
        {" sangat  miskin ", RG_CLASS_SANGAT_MISKIN}, {"SM", RG_CLASS_SANGAT_MISKIN},
        {"1", RG_CLASS_SANGAT_MISKIN}, {"Miskin", RG_CLASS_MISKIN}, {"2", RG_CLASS_MISKIN},
        {"hampir miskin", RG_CLASS_RENTAN_MISKIN}, {"Rentan-Miskin", RG_CLASS_RENTAN_MISKIN},
        {"3", RG_CLASS_RENTAN_MISKIN}, {"TIDAK MISKIN", RG_CLASS_TIDAK_MISKIN}, {"4", RG_CLASS_TIDAK_MISKIN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_poverty_class c;
        cr_assert_eq(rg_classify_class_parse(cases[i].text, &c), RG_OK, "'%s'", cases[i].text);
        cr_assert_eq(c, cases[i].cls, "'%s'", cases[i].text);
    }
    rg_poverty_class c;
    const char *bad[] = {"", "5", "kaya", "miskin sekali", "0", NULL};
    for (const char **b = bad; *b; b++)
        cr_assert_eq(rg_classify_class_parse(*b, &c), RG_EINVAL, "'%s' accepted", *b);
    cr_assert_eq(rg_classify_class_parse(NULL, &c), RG_EINVAL);
    cr_assert_str_eq(rg_classify_class_name(RG_CLASS_RENTAN_MISKIN), "rentan miskin");
    cr_assert_null(rg_classify_class_name(RG_CLASS_NONE));
}

Test(classify_rules, desil_cuts_tenths_and_ties_share)
{
    cr_assert_eq(rg_classify_desil(0, 100), 1);
    cr_assert_eq(rg_classify_desil(9, 100), 1);
    cr_assert_eq(rg_classify_desil(10, 100), 2);
    cr_assert_eq(rg_classify_desil(99, 100), 10);
    cr_assert_eq(rg_classify_desil(0, 1), 1);
    cr_assert_eq(rg_classify_desil(2, 3), 7);
    cr_assert_eq(rg_classify_desil(0, 0), 0);
    cr_assert_eq(rg_classify_desil(5, 5), 0);
}

Test(classify_rules, defaults_are_the_documented_file)
{
    rg_rules *r = NULL;
    cr_assert_eq(rg_classify_rules_default(&r), RG_OK);
    cr_assert_eq(rg_classify_rules_method(r), RG_METHOD_DESIL);
    const rg_poverty_class expected[] = {0, 1, 2, 3, 3, 4, 4, 4, 4, 4, 4};
    for (int d = 1; d <= 10; d++)
        cr_assert_eq(rg_classify_rules_desil_class(r, d), expected[d], "desil %d", d);
    char *text = NULL;
    cr_assert_eq(rg_classify_rules_format(r, &text), RG_OK);
    cr_assert(strstr(text, "method = desil\nwelfare = per_capita\npopulation = all\n"), "%s", text);
    /* The printed rules read back to the same rules. */
    rg_ctx *ctx = test_ctx();
    rg_rules *again = NULL;
    cr_assert_eq(rg_classify_rules_read(&again, ctx, write_tmp("printed.ini", text)), RG_OK, "%s", rg_ctx_errmsg(ctx));
    for (int d = 1; d <= 10; d++)
        cr_assert_eq(rg_classify_rules_desil_class(again, d), expected[d]);
    rg_free(text);
    rg_classify_rules_free(r);
    rg_classify_rules_free(again);
    rg_classify_rules_free(NULL);
    rg_ctx_free(ctx);
}

Test(classify_rules, poverty_lines_by_longest_prefix)
{
    rg_rules *r = NULL;
    cr_assert_eq(rg_classify_rules_default(&r), RG_OK);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5371030009", RG_AREA_TYPE_ANY), 460823, 0);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "53.71.04.1001", RG_AREA_URBAN), 460823, 0);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5171010001", RG_AREA_RURAL), 0, 0, "Bali has no line in the file");
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, NULL, RG_AREA_TYPE_ANY), 0, 0);
    cr_assert_float_eq(rg_classify_rules_cut(r, RG_CLASS_MISKIN), 1.0, 0);
    cr_assert_float_eq(rg_classify_rules_cut(r, RG_CLASS_TIDAK_MISKIN), 0, 0);
    rg_classify_rules_free(r);
}

Test(classify_rules, ranges_and_overrides)
{
    rg_ctx *ctx = test_ctx();
    rg_rules *r = NULL;
    const char *path = write_tmp("r.ini", "[classify]\nmethod = given ; inline comment\n[desil]\n1-2 = SM\n3-6 = rentan\n");
    cr_assert_eq(rg_classify_rules_read(&r, ctx, path), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_rules_method(r), RG_METHOD_GIVEN);
    cr_assert_eq(rg_classify_rules_desil_class(r, 2), RG_CLASS_SANGAT_MISKIN);
    cr_assert_eq(rg_classify_rules_desil_class(r, 6), RG_CLASS_RENTAN_MISKIN);
    cr_assert_eq(rg_classify_rules_desil_class(r, 7), RG_CLASS_TIDAK_MISKIN);
    rg_classify_rules_free(r);
    rg_ctx_free(ctx);
}

Test(classify_rules, a_desil_as_extracts_write_it)
{
    const struct {
        const char *text;
        int desil;
    } read[] = {{"3", 3}, {"03", 3}, {" 10 ", 10}, {"3.0", 3}, {"3.00", 3}, {"Desil 3", 3}, {"DESIL_7", 7},
                {"desil-1", 1}, {"d1", 1}, {"D10", 10}};
    for (size_t i = 0; i < sizeof read / sizeof *read; i++) {
        int d = 0;
        cr_assert_eq(rg_classify_desil_parse(read[i].text, &d), RG_OK, "'%s'", read[i].text);
        cr_assert_eq(d, read[i].desil, "'%s'", read[i].text);
    }
    static const char *const refused[] = {"", "0", "11", "3.5", "-3", "desil", "miskin", "3a", "Desil 3 dan 4", "dd3"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        int d = 9;
        cr_assert_eq(rg_classify_desil_parse(refused[i], &d), RG_EINVAL, "'%s'", refused[i]);
        cr_assert_eq(d, 0, "'%s'", refused[i]);
    }
    int d = 9;
    cr_assert_eq(rg_classify_desil_parse(NULL, &d), RG_EINVAL);
}

Test(classify_rules, programmes_by_desil)
{
    rg_rules *r = NULL;
    cr_assert_eq(rg_classify_rules_default(&r), RG_OK);
    /* The shipped examples, in the file's order. */
    const struct {
        const char *name;
        int first, last;
    } shipped[] = {{"pkh", 1, 4}, {"sembako", 1, 5}, {"pbi_jk", 1, 5}};
    cr_assert_eq(rg_classify_rules_programme_count(r), 3);
    for (size_t i = 0; i < 3; i++) {
        int a = 0, b = 0;
        cr_assert_str_eq(rg_classify_rules_programme(r, i, &a, &b), shipped[i].name);
        cr_assert_eq(a, shipped[i].first, "%s", shipped[i].name);
        cr_assert_eq(b, shipped[i].last, "%s", shipped[i].name);
    }
    int a = 0, b = 0;
    cr_assert_null(rg_classify_rules_programme(r, 3, &a, &b));
    rg_classify_rules_free(r);

    /* A file's section replaces the list; a single desil is a range of one; printed rules
     * read back to the same list. */
    rg_ctx *ctx = test_ctx();
    cr_assert_eq(rg_classify_rules_read(&r, ctx, write_tmp("prog.ini", "[programme]\npip = desil 1-3\nrutilahu = desil 2\n")),
                 RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_rules_programme_count(r), 2);
    cr_assert_str_eq(rg_classify_rules_programme(r, 1, &a, &b), "rutilahu");
    cr_assert(a == 2 && b == 2);
    char *text = NULL;
    cr_assert_eq(rg_classify_rules_format(r, &text), RG_OK);
    cr_assert(strstr(text, "[programme]\npip = desil 1-3\nrutilahu = desil 2\n"), "%s", text);
    rg_rules *again = NULL;
    cr_assert_eq(rg_classify_rules_read(&again, ctx, write_tmp("prog2.ini", text)), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_eq(rg_classify_rules_programme_count(again), 2);
    cr_assert_str_eq(rg_classify_rules_programme(again, 0, &a, &b), "pip");
    cr_assert(a == 1 && b == 3);
    rg_free(text);
    rg_classify_rules_free(again);
    rg_classify_rules_free(r);
    rg_ctx_free(ctx);
}

Test(classify_rules, errors_name_file_and_line)
{
    rg_ctx *ctx = test_ctx();
    rg_rules *r = (rg_rules *)0x1;
    const struct {
        const char *text, *message;
    } cases[] = {
        {"[classify]\nmethod = quintile\n", "line 2: 'quintile' is not a valid value for method"},
        {"[classify]\n\ncolour = red\n", "line 3: unknown key 'colour' in [classify]"},
        {"[desil]\n11 = miskin\n", "line 2: '11' is not a desil"},
        {"[desil]\n1 = kaya\n", "line 2: 'kaya' is not a valid value for 1"},
        {"[garis]\nx = 1\n", "line 1: unknown section [garis]"},
        {"[classify]\nmethod = desil\n\n[clasify]\n# a comment\nwelfare = household\n", "line 4: unknown section [clasify]"},
        {"[classify]\nno equals sign here\n", "line 2: not a `key = value` line"},
        {"[poverty_line]\n53 = gratis\n", "line 2: '53 = gratis' is not an area code and a poverty line in rupiah"},
        {"[poverty_line]\nNTT = 460823\n", "line 2: 'NTT' is not an area code"},
        {"[threshold]\nmiskin_below = -1\n", "line 2: '-1' is not a valid value for miskin_below"},
        {"[threshold]\nmiskin_below = 2\n", "[threshold] cut-offs must not decrease: 0.75, 2, 1.5"},
        {"[programme]\npkh = desil 0-4\n", "line 2: 'pkh = desil 0-4': a programme is `desil N`"},
        {"[programme]\npkh = kelas miskin\n", "line 2: 'pkh = kelas miskin': a programme is `desil N`"},
        {"[programme]\n\nmiskin = desil 1-2\n", "line 3: 'miskin' cannot name a programme"},
        {"[programme]\ndesil_1 = desil 1\n", "line 2: 'desil_1' cannot name a programme"},
        {"[programme]\nPKH = desil 1-4\n", "line 2: 'PKH' cannot name a programme"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = write_tmp("bad.ini", cases[i].text);
        cr_assert_eq(rg_classify_rules_read(&r, ctx, path), RG_EINVAL, "case %zu", i);
        cr_assert_null(r);
        cr_assert(strstr(rg_ctx_errmsg(ctx), path), "%s", rg_ctx_errmsg(ctx));
        cr_assert(strstr(rg_ctx_errmsg(ctx), cases[i].message), "%s", rg_ctx_errmsg(ctx));
    }
    cr_assert_eq(rg_classify_rules_read(&r, ctx, "/nonexistent/rules.ini"), RG_EIO);
    rg_ctx_free(ctx);
}

Test(classify_rules, urban_and_rural_lines)
{
    rg_ctx *ctx = test_ctx();
    rg_rules *r = NULL;
    const char *path = write_tmp("ur.ini", "[poverty_line]\n53 = 400000\n53.perkotaan = 500000\n"
                                           "53.perdesaan = 380000\n5371 = 600000\n53.01.urban = 450000\n");
    cr_assert_eq(rg_classify_rules_read(&r, ctx, path), RG_OK, "%s", rg_ctx_errmsg(ctx));
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5371030009", RG_AREA_URBAN), 600000, 0,
                       "a kab/kota line beats the province's urban one");
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5302010001", RG_AREA_URBAN), 500000, 0);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5302010001", RG_AREA_RURAL), 380000, 0);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5302010001", RG_AREA_TYPE_ANY), 400000, 0,
                       "an area of unknown type gets the line for all");
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5301010001", RG_AREA_URBAN), 450000, 0);
    cr_assert_float_eq(rg_classify_rules_poverty_line(r, "5301010001", RG_AREA_RURAL), 380000, 0,
                       "an urban line never applies to a rural area");
    char *text = NULL;
    cr_assert_eq(rg_classify_rules_format(r, &text), RG_OK);
    cr_assert(strstr(text, "\n53.perkotaan = 500000\n") && strstr(text, "\n5301.perkotaan = 450000\n"), "%s", text);
    rg_free(text);
    rg_classify_rules_free(r);
    r = NULL;
    cr_assert_eq(rg_classify_rules_read(&r, ctx, write_tmp("ur-bad.ini", "[poverty_line]\n53 = 1\n53.hutan = 2\n")),
                 RG_EINVAL);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "line 3") && strstr(rg_ctx_errmsg(ctx), "perkotaan or perdesaan"), "%s",
              rg_ctx_errmsg(ctx));
    rg_ctx_free(ctx);
}
