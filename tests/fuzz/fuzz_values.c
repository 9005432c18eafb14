/* libFuzzer harness: the parsers of single attribute values: numbers, area codes in both
 * schemes, and poverty classes. What one accepts must be consistent. */
#include "fuzz.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "classify/classify.h"
#include "geo/geo.h"
#include "io/io.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[256];
    if (size >= sizeof text)
        size = sizeof text - 1;
    memcpy(text, data, size);
    text[size] = '\0';

    double v;
    if (rg_io_parse_number(text, 0, &v))
        check(isfinite(v));
    if (rg_io_parse_number(text, 1, &v))
        check(isfinite(v));

    rg_area_code code, parent, again;
    if (rg_code_parse(text, &code) == RG_OK) {
        char printed[32];
        rg_code_format(&code, printed, sizeof printed);
        check(rg_code_parse(printed, &again) == RG_OK);
        int comparable = 0;
        check(rg_code_same(&code, &again, &comparable) && comparable);
        if (rg_code_parent(&code, &parent) == RG_OK)
            check(parent.level == code.level - 1 && strncmp(parent.digits, code.digits, strlen(parent.digits)) == 0);
    }
    rg_poverty_class cls;
    if (rg_classify_class_parse(text, &cls) == RG_OK) {
        check(cls >= RG_CLASS_SANGAT_MISKIN && cls <= RG_CLASS_TIDAK_MISKIN);
        rg_poverty_class back;
        check(rg_classify_class_parse(rg_classify_class_name(cls), &back) == RG_OK && back == cls);
    }
    return 0;
}
