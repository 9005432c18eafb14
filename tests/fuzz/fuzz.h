/* Shared by the fuzz harnesses: checks that hold in every build, NDEBUG or not. */
#ifndef RG_FUZZ_H
#define RG_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define check(cond)                                                                                            \
    do {                                                                                                       \
        if (!(cond)) {                                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                           \
            abort();                                                                                           \
        }                                                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
