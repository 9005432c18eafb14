/*
 * File permissions: personal data for its owner alone, public outputs as the umask lets.
 * The umask is the one place that reaches every file a step creates (SQLite's store and
 * its journals, GDAL's outputs, libxlsxwriter's workbooks), whoever creates it.
 */
#include "core/internal.h"

#include <sys/stat.h>

static mode_t started_with = 022;
static int known;

void rg_files_private(void)
{
    if (!known) {
        started_with = umask(077);
        known = 1;
    }
    umask(started_with | 077);
}

unsigned rg_public_mode(int folder)
{
    mode_t mask = started_with;
    if (!known) { /* a library caller that never asked: its umask as it is now */
        mask = umask(077);
        umask(mask);
    }
    return (unsigned)((folder ? 0777 : 0666) & ~mask);
}
