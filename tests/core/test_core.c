#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/internal.h"
#include "support.h"

Test(core, context_starts_without_error)
{
    rg_ctx *ctx = test_ctx();
    cr_assert_str_eq(rg_ctx_errmsg(ctx), "");
    rg_ctx_free(ctx);
    rg_ctx_free(NULL);
}

Test(core, error_sets_message_and_returns_code)
{
    rg_ctx *ctx = test_ctx();
    int rc = rg_ctx_error(ctx, RG_EDATA, "%s: line %d", "a.csv", 7);
    cr_assert_eq(rc, RG_EDATA);
    cr_assert_str_eq(rg_ctx_errmsg(ctx), "a.csv: line 7");
    rg_ctx_free(ctx);
}

Test(core, every_code_has_a_distinct_name)
{
    const int codes[] = {RG_OK, RG_EINVAL, RG_ENOMEM, RG_EIO, RG_EGEOS, RG_EPROJ,
                         RG_EGDAL, RG_ESQL, RG_EDATA, RG_EEXIST, RG_ENOTFOUND};
    size_t n = sizeof codes / sizeof *codes;
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_neq(rg_strerror(codes[i]), "unknown error");
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(rg_strerror(codes[i]), rg_strerror(codes[j]));
    }
    cr_assert_str_eq(rg_strerror(-999), "unknown error");
}

static void collect(rg_notice_level level, const char *message, void *userdata)
{
    char *out = userdata;
    snprintf(out, 128, "%d:%s", (int)level, message);
}

Test(core, notices_reach_the_callback_and_none_without_it)
{
    rg_ctx *ctx = test_ctx();
    char got[128] = "";
    rg_ctx_notice(ctx, RG_NOTICE_INFO, "dropped %d", 1);
    cr_assert_str_eq(got, "");
    rg_ctx_set_notice(ctx, collect, got);
    rg_ctx_notice(ctx, RG_NOTICE_WARNING, "kelurahan %s repaired", "5371010001");
    char want[128];
    snprintf(want, sizeof want, "%d:kelurahan 5371010001 repaired", (int)RG_NOTICE_WARNING);
    cr_assert_str_eq(got, want);
    rg_ctx_free(ctx);
}

Test(core, allocation_failure_is_injected_once)
{
    rg_alloc_fail_after(1);
    rg_ctx *ctx = (rg_ctx *)0x1;
    cr_assert_eq(rg_ctx_new(&ctx), RG_ENOMEM);
    cr_assert_null(ctx);
    cr_assert_eq(rg_ctx_new(&ctx), RG_OK);
    rg_ctx_free(ctx);
}

Test(core, strdup_copies_and_fails_cleanly)
{
    char *s = rg_strdup("Kota Kupang");
    cr_assert_str_eq(s, "Kota Kupang");
    rg_free(s);
    cr_assert_null(rg_strdup(NULL));
    rg_alloc_fail_after(1);
    cr_assert_null(rg_strdup("x"));
}

Test(core, json_string_escapes_what_json_requires_and_copies_the_rest)
{
    rg_buf buf = {0};
    cr_assert_eq(rg__buf_append_json_string(&buf, "Jl. Sam \"Ratulangi\" No. 8\\\n\r\t\x01 ñ"), RG_OK);
    cr_assert_str_eq(buf.data, "\"Jl. Sam \\\"Ratulangi\\\" No. 8\\\\\\n\\r\\t\\u0001 ñ\"");
    size_t before = buf.len;
    cr_assert_eq(rg__buf_append_json_string(&buf, ""), RG_OK);
    cr_assert_eq(buf.len, before + 2);
    cr_assert_str_eq(buf.data + before, "\"\"");
    /* Worst case: every byte escaped as \u00XX, at the end of a nearly full buffer. */
    char controls[65];
    for (int i = 0; i < 64; i++)
        controls[i] = (char)(i % 2 ? 0x01 : 0x1f);
    controls[64] = '\0';
    before = buf.len;
    cr_assert_eq(rg__buf_append_json_string(&buf, controls), RG_OK);
    cr_assert_eq(buf.len, before + 2 + 64 * 6);
    cr_assert_eq(strlen(buf.data), buf.len);
    cr_assert_str_eq(buf.data + buf.len - 7, "\\u0001\"");
    rg__buf_free(&buf);
}
