#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io.h"
#include "support.h"

static rg_csv *open_text(rg_ctx *ctx, const char *text)
{
    rg_csv *csv = NULL;
    cr_assert_eq(rg_io_csv_open_memory(&csv, ctx, text, strlen(text)), RG_OK);
    return csv;
}

static void expect_row(rg_csv *csv, long line, size_t count, const char *const *fields)
{
    rg_csv_row row;
    cr_assert_eq(rg_io_csv_next(csv, &row), 1, "expected a record at line %ld", line);
    cr_assert_eq(row.problem, RG_CSV_FINE);
    cr_assert_eq(row.line, line);
    cr_assert_eq(row.count, count, "line %ld: %zu fields, expected %zu", line, row.count, count);
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq(row.fields[i], fields[i]);
}

Test(csv, detects_each_delimiter)
{
    rg_ctx *ctx = test_ctx();
    const char *texts[] = {"a,b,c\n", "a;b;c\n", "a\tb\tc\n", "a|b|c\n"};
    const char delims[] = {',', ';', '\t', '|'};
    for (int i = 0; i < 4; i++) {
        rg_csv *csv = open_text(ctx, texts[i]);
        cr_assert_eq(rg_io_csv_delimiter(csv), delims[i]);
        expect_row(csv, 1, 3, (const char *[]){"a", "b", "c"});
        rg_io_csv_free(csv);
    }
    rg_ctx_free(ctx);
}

Test(csv, quotes_hold_delimiters_quotes_and_newlines)
{
    rg_ctx *ctx = test_ctx();
    rg_csv *csv = open_text(ctx, "id,alamat\n1,\"Jl. Timor, No. 5\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,x\n");
    expect_row(csv, 1, 2, (const char *[]){"id", "alamat"});
    expect_row(csv, 2, 2, (const char *[]){"1", "Jl. Timor, No. 5"});
    expect_row(csv, 3, 2, (const char *[]){"2", "say \"hi\""});
    expect_row(csv, 4, 2, (const char *[]){"3", "two\nlines"});
    expect_row(csv, 6, 2, (const char *[]){"4", "x"});
    rg_csv_row row;
    cr_assert_eq(rg_io_csv_next(csv, &row), 0);
    rg_io_csv_free(csv);
    rg_ctx_free(ctx);
}

Test(csv, bom_and_crlf_are_invisible)
{
    rg_ctx *ctx = test_ctx();
    rg_csv *csv = open_text(ctx, "\xEF\xBB\xBFid;lat\r\nA;-10,5\r\nB;\"q\"\r\n");
    expect_row(csv, 1, 2, (const char *[]){"id", "lat"});
    expect_row(csv, 2, 2, (const char *[]){"A", "-10,5"});
    rg_csv_row row;
    cr_assert_eq(rg_io_csv_next(csv, &row), 1);
    cr_assert_str_eq(row.fields[1], "q");
    cr_assert_eq(row.raw_len, 5, "raw keeps no line end: '%s'", row.raw);
    rg_io_csv_free(csv);
    rg_ctx_free(ctx);
}

Test(csv, a_broken_quote_costs_one_row)
{
    rg_ctx *ctx = test_ctx();
    rg_csv *csv = open_text(ctx, "id,name\n1,\"open\n2,b\n3,c\n");
    rg_csv_row row;
    expect_row(csv, 1, 2, (const char *[]){"id", "name"});
    cr_assert_eq(rg_io_csv_next(csv, &row), 1);
    cr_assert_eq(row.problem, RG_CSV_BROKEN_QUOTE);
    cr_assert_eq(row.line, 2);
    cr_assert_str_eq(row.raw, "1,\"open");
    expect_row(csv, 3, 2, (const char *[]){"2", "b"});
    expect_row(csv, 4, 2, (const char *[]){"3", "c"});
    cr_assert_eq(rg_io_csv_next(csv, &row), 0);
    rg_io_csv_free(csv);
    rg_ctx_free(ctx);
}

Test(csv, invalid_utf8_is_reported_with_its_line)
{
    rg_ctx *ctx = test_ctx();
    rg_csv *csv = open_text(ctx, "id,name\n1,Jos\xE9\n2,ok\n");
    rg_csv_row row;
    expect_row(csv, 1, 2, (const char *[]){"id", "name"});
    cr_assert_eq(rg_io_csv_next(csv, &row), 1);
    cr_assert_eq(row.problem, RG_CSV_INVALID_UTF8);
    cr_assert_eq(row.line, 2);
    expect_row(csv, 3, 2, (const char *[]){"2", "ok"});
    rg_io_csv_free(csv);
    rg_ctx_free(ctx);
}

Test(csv, reads_gzip_and_reports_a_missing_file)
{
    rg_ctx *ctx = test_ctx();
    const char *plain = write_tmp("g.csv", "id,lat\nA,1\n");
    cr_assert_eq(run("gzip -f '%s'", plain), 0);
    char gz[600];
    snprintf(gz, sizeof gz, "%s.gz", plain);
    rg_csv *csv = NULL;
    cr_assert_eq(rg_io_csv_open(&csv, ctx, gz), RG_OK);
    expect_row(csv, 1, 2, (const char *[]){"id", "lat"});
    expect_row(csv, 2, 2, (const char *[]){"A", "1"});
    rg_io_csv_free(csv);
    cr_assert_eq(rg_io_csv_open(&csv, ctx, "/nonexistent/h.csv"), RG_EIO);
    cr_assert_null(csv);
    cr_assert(strstr(rg_ctx_errmsg(ctx), "/nonexistent/h.csv: cannot open"));
    rg_ctx_free(ctx);
}

Test(csv, parse_number_reads_field_formats)
{
    double v = 0;
    cr_assert(rg_io_parse_number(" -10.1667 ", 0, &v));
    cr_assert_float_eq(v, -10.1667, 1e-12);
    cr_assert(rg_io_parse_number("-10,1667", 1, &v));
    cr_assert_float_eq(v, -10.1667, 1e-12);
    cr_assert_not(rg_io_parse_number("-10,1667", 0, &v));
    cr_assert(rg_io_parse_number("1.250.000", 0, &v));
    cr_assert_float_eq(v, 1250000, 0);
    cr_assert(rg_io_parse_number("123.600", 0, &v), "one group of three decimals is a decimal");
    cr_assert_float_eq(v, 123.6, 1e-12);
    const char *bad[] = {"", "  ", "nan", "NaN", "inf", "-Infinity", "0x1A", "1e999", "-10.1x6", "abc", NULL};
    for (const char **b = bad; *b; b++)
        cr_assert_not(rg_io_parse_number(*b, 0, &v), "'%s' accepted", *b);
}

Test(csv, a_record_over_the_limit_is_cut_and_reading_goes_on)
{
    rg_ctx *ctx = test_ctx();
    size_t huge = RG_CSV_MAX_RECORD + 1024 * 1024;
    const char head[] = "id,lat\n", tail[] = "\nA,1\n";
    char *text = malloc(sizeof head - 1 + huge + sizeof tail);
    cr_assert_not_null(text);
    memcpy(text, head, sizeof head - 1);
    memset(text + sizeof head - 1, 'x', huge);
    memcpy(text + sizeof head - 1 + huge, tail, sizeof tail);
    rg_csv *csv = open_text(ctx, text);
    rg_csv_row row;
    expect_row(csv, 1, 2, (const char *[]){"id", "lat"});
    cr_assert_eq(rg_io_csv_next(csv, &row), 1);
    cr_assert_eq(row.problem, RG_CSV_TOO_LONG);
    cr_assert_eq(row.line, 2);
    cr_assert_leq(row.raw_len, 4096, "a rejected record keeps only its start");
    expect_row(csv, 3, 2, (const char *[]){"A", "1"});
    rg_io_csv_free(csv);
    free(text);
    rg_ctx_free(ctx);
}
