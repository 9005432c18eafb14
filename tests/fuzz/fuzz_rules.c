/* libFuzzer harness: the rules file reader. Anything it accepts must print and read back
 * to the same rules. */
#include "fuzz.h"
#include <stdint.h>
#include <string.h>

#include "classify/classify.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_ctx *ctx = NULL;
    rg_rules *rules = NULL, *again = NULL;
    char *text = NULL;
    if (rg_ctx_new(&ctx) != RG_OK)
        return 0;
    if (rg_classify_rules_parse(&rules, ctx, (const char *)data, size, "fuzz.ini") == RG_OK) {
        if (rg_classify_rules_format(rules, &text) == RG_OK) {
            int rc = rg_classify_rules_parse(&again, ctx, text, strlen(text), "printed.ini");
            check(rc == RG_OK);
            check(rg_classify_rules_method(again) == rg_classify_rules_method(rules));
            for (int d = 1; d <= 10; d++)
                check(rg_classify_rules_desil_class(again, d) == rg_classify_rules_desil_class(rules, d));
        }
    } else {
        check(strstr(rg_ctx_errmsg(ctx), "fuzz.ini") != NULL);
    }
    rg_free(text);
    rg_classify_rules_free(rules);
    rg_classify_rules_free(again);
    rg_ctx_free(ctx);
    return 0;
}
