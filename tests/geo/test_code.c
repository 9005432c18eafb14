#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"

Test(geo_code, reads_both_schemes_at_every_level)
{
    rg_area_code c;
    cr_assert_eq(rg_code_parse("5371010001", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_DESA);
    cr_assert_eq(rg_code_parse(" 5371010 ", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_code_parse("53.71.01.1001", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_DESA);
    cr_assert_str_eq(c.digits, "5371011001");
    cr_assert_eq(rg_code_parse("53.71.04", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_code_parse("537104", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_code_parse("5371", &c), RG_OK);
    cr_assert_eq(c.level, RG_LEVEL_KABKOTA);
    cr_assert_eq(rg_code_parse("53710100010007", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_SLS);
}

Test(geo_code, an_sls_belongs_to_its_desa)
{
    rg_area_code c, p;
    char buf[RG_CODE_TEXT_MAX];
    rg_code_parse("53710100010007", &c);
    cr_assert_eq(rg_code_parent(&c, &p), RG_OK);
    rg_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "5371010001");
    cr_assert_eq(p.level, RG_LEVEL_DESA);
}

/* Questionnaire columns as a spreadsheet leaves them: numbers, leading zeros gone. */
Test(geo_code, parts_are_padded_by_their_level)
{
    rg_area_code c;
    char buf[RG_CODE_TEXT_MAX];
    const char *bps[] = {"53", "71", "10", "1", NULL};
    cr_assert_eq(rg_code_from_parts(bps, &c), RG_OK);
    rg_code_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "5371010001");
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_DESA);

    const char *sls[] = {"53", "71", "010", "001", "7"};
    cr_assert_eq(rg_code_from_parts(sls, &c), RG_OK);
    rg_code_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "53710100010007");
    cr_assert_eq(c.level, RG_LEVEL_SLS);

    /* Four desa digits are Kemendagri's: the kecamatan "1" is then 01, not 001. */
    const char *kmd[] = {"53", "71", "1", "1001", ""};
    cr_assert_eq(rg_code_from_parts(kmd, &c), RG_OK);
    rg_code_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "53.71.01.1001");

    const char *real[] = {"53.0", "71.0", "10.0", "1.0", NULL};
    cr_assert_eq(rg_code_from_parts(real, &c), RG_OK, "numbers a spreadsheet wrote as reals");
    rg_code_format(&c, buf, sizeof buf);
    cr_assert_str_eq(buf, "5371010001");
}

Test(geo_code, parts_that_make_no_code_are_refused)
{
    rg_area_code c;
    const char *bad[][5] = {
        {"53", "71", "10", NULL, NULL},      /* no desa */
        {"53", "", "10", "1", NULL},         /* no kab/kota */
        {"53", "71", "1000", "1", NULL},     /* a kecamatan too wide */
        {"53", "71", "10", "1a", NULL},      /* not a number */
        {"53", "71", "01", "1001", "7"},     /* Kemendagri has no SLS */
        {"53", "71", "10", "1", "12345"},    /* an SLS too wide */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(rg_code_from_parts(bad[i], &c), RG_EINVAL, "parts %zu accepted", i);
}

Test(geo_code, rejects_what_is_no_code)
{
    rg_area_code c;
    const char *bad[] = {"", "abc", "53.7.01.1001", "53..71", "53.71.01.1001.1", "537101000", "53711", "5371-01",
                         "131020005001.", "53710100011", "5371010001234", "537101000100071", NULL};
    for (const char **b = bad; *b; b++)
        cr_assert_eq(rg_code_parse(*b, &c), RG_EINVAL, "'%s' accepted", *b);
    cr_assert_eq(rg_code_parse(NULL, &c), RG_EINVAL);
}

Test(geo_code, parents_follow_each_scheme)
{
    rg_area_code c, p;
    char buf[20];
    rg_code_parse("5371030009", &c);
    cr_assert_eq(rg_code_parent(&c, &p), RG_OK);
    rg_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "5371030");
    rg_code_parse("53.71.04.1001", &c);
    rg_code_parent(&c, &p);
    rg_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "53.71.04");
    rg_code_parent(&p, &p);
    rg_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "53.71");
    rg_code_parse("53", &c);
    cr_assert_eq(rg_code_parent(&c, &p), RG_EINVAL);
}

Test(geo_code, schemes_are_never_confused)
{
    rg_area_code bps, kmd, other;
    int comparable = -1;
    /* The same ten digits mean different kelurahan in the two schemes. */
    rg_code_parse("5371011001", &bps);
    rg_code_parse("53.71.01.1001", &kmd);
    cr_assert_eq(rg_code_same(&bps, &kmd, &comparable), 0);
    cr_assert_eq(comparable, 0);
    rg_code_parse("53.71.01.1001", &other);
    cr_assert_eq(rg_code_same(&kmd, &other, &comparable), 1);
    cr_assert_eq(comparable, 1);
}

Test(geo_code, urban_or_rural_as_people_write_it)
{
    cr_assert_eq(rg_geo_urban_rural_parse("Perkotaan"), RG_AREA_URBAN);
    cr_assert_eq(rg_geo_urban_rural_parse(" KOTA"), RG_AREA_URBAN);
    cr_assert_eq(rg_geo_urban_rural_parse("1"), RG_AREA_URBAN);
    cr_assert_eq(rg_geo_urban_rural_parse("pedesaan"), RG_AREA_RURAL);
    cr_assert_eq(rg_geo_urban_rural_parse("Rural"), RG_AREA_RURAL);
    cr_assert_eq(rg_geo_urban_rural_parse("2"), RG_AREA_RURAL);
    cr_assert_eq(rg_geo_urban_rural_parse("12"), RG_AREA_TYPE_ANY, "a prefix is not a word");
    cr_assert_eq(rg_geo_urban_rural_parse("kotamadya"), RG_AREA_TYPE_ANY);
    cr_assert_eq(rg_geo_urban_rural_parse(""), RG_AREA_TYPE_ANY);
    cr_assert_eq(rg_geo_urban_rural_parse(NULL), RG_AREA_TYPE_ANY);
    cr_assert_str_eq(rg_geo_urban_rural_name(RG_AREA_RURAL), "perdesaan");
    cr_assert_null(rg_geo_urban_rural_name(RG_AREA_TYPE_ANY));
}
