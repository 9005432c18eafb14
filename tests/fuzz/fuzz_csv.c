/* libFuzzer harness: the CSV reader on arbitrary bytes. Every record must be delimited,
 * bounded and consistent, whatever the input. */
#include "fuzz.h"
#include <stdint.h>
#include <string.h>

#include "io/io.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_ctx *ctx = NULL;
    rg_csv *csv = NULL;
    if (rg_ctx_new(&ctx) != RG_OK)
        return 0;
    if (rg_io_csv_open_memory(&csv, ctx, (const char *)data, size) == RG_OK) {
        rg_csv_row row;
        long last_line = 0;
        int rc;
        while ((rc = rg_io_csv_next(csv, &row)) == 1) {
            check(row.line > last_line || (row.line == last_line && row.line == 1));
            last_line = row.line;
            check(row.raw_len <= RG_CSV_MAX_RECORD);
            check(row.problem != RG_CSV_FINE || row.count >= 1);
            for (size_t i = 0; i < row.count; i++)
                check(strlen(row.fields[i]) <= row.raw_len);
            double v;
            for (size_t i = 0; i < row.count; i++)
                (void)rg_io_parse_number(row.fields[i], i % 2, &v);
        }
        check(rc == 0 || rc == RG_ENOMEM);
    }
    rg_io_csv_free(csv);
    rg_ctx_free(ctx);
    return 0;
}
