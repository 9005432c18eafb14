/*
 * --public: a count from 1 to min_count-1 of an area could point at a family, and is hidden
 * (NULL), as the export hides small cells; with it, what would give it away:
 *  - the totals and the moves are tied (later = earlier + added - gone + moved in - moved
 *    out, give or take the households that cannot be compared): where one of them is hidden
 *    alone, the smallest other non-zero one is hidden with it; a hidden total hides the net;
 *  - a programme's counts are tied to each other (net = new - old; new = old + entered - left
 *    + its movers): one small count hides all of that programme's;
 *  - desil up and down, class changed, not comparable and repeated ids stand alone.
 * A row with anything hidden has suppressed = 1.
 */
#include "compare/internal.h"

#include <ogr_api.h>
#include <stdlib.h>

static long long value(OGRFeatureH f, int i)
{
    return OGR_F_IsFieldSetAndNotNull(f, i) ? llabs(OGR_F_GetFieldAsInteger64(f, i)) : 0;
}

static int hide_if_small(OGRFeatureH f, int i, int min)
{
    long long v = value(f, i);
    if (v <= 0 || v >= min)
        return 0;
    OGR_F_SetFieldNull(f, i);
    return 1;
}

/* The totals and the moves: small ones hidden, and one more where one alone is. */
static int suppress_identity(OGRFeatureH f, int min)
{
    static const int tied[] = {AREA_OLD, AREA_NEW, AREA_ADDED, AREA_GONE, AREA_MOVED_IN, AREA_MOVED_OUT};
    long long before[6];
    int hidden = 0, smallest = -1;
    for (int i = 0; i < 6; i++)
        before[i] = value(f, tied[i]);
    for (int i = 0; i < 6; i++)
        hidden += hide_if_small(f, tied[i], min);
    for (int i = 0; i < 6 && hidden == 1; i++)
        if (OGR_F_IsFieldSetAndNotNull(f, tied[i]) && before[i] > 0 && (smallest < 0 || before[i] < before[smallest]))
            smallest = i;
    if (hidden == 1 && smallest >= 0) {
        OGR_F_SetFieldNull(f, tied[smallest]);
        hidden++;
    }
    if (!OGR_F_IsFieldSetAndNotNull(f, AREA_OLD) || !OGR_F_IsFieldSetAndNotNull(f, AREA_NEW)) {
        OGR_F_SetFieldNull(f, AREA_NET);
        OGR_F_SetFieldNull(f, AREA_NET_PCT);
    }
    return hidden;
}

void rg_compare__suppress_area(const rg_compare__run *R, void *feature)
{
    OGRFeatureH f = feature;
    int min = R->opts->min_count;
    int hidden = suppress_identity(f, min);
    for (int i = AREA_DESIL_UP; i <= AREA_DUPLICATE_IDS; i++)
        hidden += hide_if_small(f, i, min);
    for (size_t p = 0; p < R->programme_count; p++) {
        int first = AREA_PROGRAMMES + (int)(p * AREA_PROGRAMME_FIELDS), small = 0;
        for (int i = 0; i < 4; i++) /* old, new, entered, left */
            small |= value(f, first + i) > 0 && value(f, first + i) < min;
        for (int i = 0; i < AREA_PROGRAMME_FIELDS && small; i++)
            OGR_F_SetFieldNull(f, first + i);
        hidden += small;
    }
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldCount(f) - 1, hidden > 0);
}
