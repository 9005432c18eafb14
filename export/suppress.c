/*
 * --public: counts too small to publish are hidden (NULL, suppressed = 1), with a second
 * cell where one alone could be worked back from the row's total, and the desil and
 * programme counts together, since each can be worked back from the others.
 */
#include "export/internal.h"

#include <ogr_api.h>

/* Hides a small count; returns whether it did. */
static int hide_if_small(OGRFeatureH f, int field, int min_count)
{
    int v = OGR_F_GetFieldAsInteger(f, field);
    if (v <= 0 || v >= min_count)
        return 0;
    OGR_F_SetFieldNull(f, field);
    return 1;
}

/* with_point + without_point = households: one hidden alone could be recovered. */
static int suppress_point_split(OGRFeatureH f, int min_count)
{
    int with = hide_if_small(f, AREA_WITH_POINT, min_count);
    int without = hide_if_small(f, AREA_WITHOUT_POINT, min_count);
    if (with != without) {
        OGR_F_SetFieldNull(f, with ? AREA_WITHOUT_POINT : AREA_WITH_POINT);
        without = with = 1;
    }
    return with + without + hide_if_small(f, AREA_CODE_MISMATCHES, min_count);
}

/* The four classes and unclassified: a small cell hidden, and where a single class cell is
 * hidden it could be recovered from the total, so the next smallest non-zero class cell is
 * hidden with it. Returns how many cells it hid. */
static int suppress_classes(OGRFeatureH f, const int v[], int min_count)
{
    int hidden = 0, hidden_classes = 0, smallest = -1;
    for (int i = AREA_FIRST_COUNT; i <= AREA_LAST_COUNT; i++) {
        if (v[i] > 0 && v[i] < min_count) {
            OGR_F_SetFieldNull(f, i);
            hidden++;
            hidden_classes += i > AREA_FIRST_COUNT;
        } else if (i > AREA_FIRST_COUNT && v[i] > 0 && (smallest < 0 || v[i] < v[smallest])) {
            smallest = i;
        }
    }
    if (hidden_classes == 1 && smallest >= 0) {
        OGR_F_SetFieldNull(f, smallest);
        hidden++;
    }
    return hidden;
}

/* The desil and the programmes are linked to each other (a programme is the sum of its
 * desil, two programmes differ by a desil) and to the classes (under the desil method a
 * class is the sum of its desil): short of solving that system, they go together. Any small
 * desil or programme, or any hidden class, hides every desil and programme of the area. */
static int suppress_desil(OGRFeatureH f, int programmes, int classes_hidden, int min_count)
{
    int small = classes_hidden > 0;
    for (int i = AREA_DESIL_1; i < AREA_PROGRAMMES + programmes && !small; i++) {
        int v = OGR_F_GetFieldAsInteger(f, i);
        small = v > 0 && v < min_count;
    }
    if (!small)
        return 0;
    for (int i = AREA_DESIL_1; i < AREA_PROGRAMMES + programmes; i++)
        OGR_F_SetFieldNull(f, i);
    return 1;
}

/*
 * Statistical disclosure control for --public: counts from 1 to min_count - 1 become
 * NULL, with the cells they could be recovered from (see above). The rate is hidden when
 * its denominator or numerator is small.
 */
void rg_export__suppress_small_cells(const exporter *E, OGRFeatureH f, int min_count)
{
    int v[AREA_LAST_COUNT + 1] = {0};
    for (int i = AREA_FIRST_COUNT; i <= AREA_LAST_COUNT; i++)
        v[i] = OGR_F_GetFieldAsInteger(f, i);
    int hidden = suppress_classes(f, v, min_count);
    int poor = v[AREA_FIRST_COUNT + 1] + v[AREA_FIRST_COUNT + 2];
    int classified = v[AREA_FIRST_COUNT] - v[AREA_LAST_COUNT];
    int rate_hidden = !OGR_F_IsFieldNull(f, AREA_RATE) &&
                      (hidden || (poor > 0 && poor < min_count) || classified < min_count);
    if (rate_hidden)
        OGR_F_SetFieldNull(f, AREA_RATE);
    int desil_hidden = suppress_desil(f, (int)E->programme_count, hidden, min_count);
    /* The split by point says nothing of the classes: hiding it leaves the rate alone. */
    int split_hidden = suppress_point_split(f, min_count);
    OGR_F_SetFieldInteger(f, AREA_PROGRAMMES + (int)E->programme_count,
                          hidden > 0 || rate_hidden || split_hidden > 0 || desil_hidden);
}
