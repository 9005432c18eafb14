/* The seeded random numbers of the synthetic-data generators: the same seed, the same data. */
#ifndef RG_BENCH_RNG_H
#define RG_BENCH_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline void rng_seed(uint64_t seed) { rng_state = seed; }

/* splitmix64: tiny, seedable, and good enough for synthetic data. */
static inline uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static inline double uniform(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

#endif
