#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"

Test(geo_code, reads_both_schemes_at_every_level)
{
    rg_area_code c;
    cr_assert_eq(rg_geo_code_parse("5371010001", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_DESA);
    cr_assert_eq(rg_geo_code_parse(" 5371010 ", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_BPS && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_geo_code_parse("53.71.01.1001", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_DESA);
    cr_assert_str_eq(c.digits, "5371011001");
    cr_assert_eq(rg_geo_code_parse("53.71.04", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_geo_code_parse("537104", &c), RG_OK);
    cr_assert(c.scheme == RG_CODE_KEMENDAGRI && c.level == RG_LEVEL_KECAMATAN);
    cr_assert_eq(rg_geo_code_parse("5371", &c), RG_OK);
    cr_assert_eq(c.level, RG_LEVEL_KABKOTA);
}

Test(geo_code, rejects_what_is_no_code)
{
    rg_area_code c;
    const char *bad[] = {"", "abc", "53.7.01.1001", "53..71", "53.71.01.1001.1", "537101000", "53711", "5371-01",
                         "131020005001.", "53710100011", "5371010001234", NULL};
    for (const char **b = bad; *b; b++)
        cr_assert_eq(rg_geo_code_parse(*b, &c), RG_EINVAL, "'%s' accepted", *b);
    cr_assert_eq(rg_geo_code_parse(NULL, &c), RG_EINVAL);
}

Test(geo_code, parents_follow_each_scheme)
{
    rg_area_code c, p;
    char buf[20];
    rg_geo_code_parse("5371030009", &c);
    cr_assert_eq(rg_geo_code_parent(&c, &p), RG_OK);
    rg_geo_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "5371030");
    rg_geo_code_parse("53.71.04.1001", &c);
    rg_geo_code_parent(&c, &p);
    rg_geo_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "53.71.04");
    rg_geo_code_parent(&p, &p);
    rg_geo_code_format(&p, buf, sizeof buf);
    cr_assert_str_eq(buf, "53.71");
    rg_geo_code_parse("53", &c);
    cr_assert_eq(rg_geo_code_parent(&c, &p), RG_EINVAL);
}

Test(geo_code, schemes_are_never_confused)
{
    rg_area_code bps, kmd, other;
    int comparable = -1;
    /* The same ten digits mean different kelurahan in the two schemes. */
    rg_geo_code_parse("5371011001", &bps);
    rg_geo_code_parse("53.71.01.1001", &kmd);
    cr_assert_eq(rg_geo_code_same(&bps, &kmd, &comparable), 0);
    cr_assert_eq(comparable, 0);
    rg_geo_code_parse("53.71.01.1001", &other);
    cr_assert_eq(rg_geo_code_same(&kmd, &other, &comparable), 1);
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
