#include "geo/geo.h"

#include <string.h>
#include <strings.h>

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
