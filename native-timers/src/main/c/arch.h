/*
 * Everything that differs by architecture, one section each (as async-profiler's arch.h): the cycle
 * counter and whether it can be trusted as a clock. An architecture nobody wrote stops the build.
 */
#ifndef PREEMPT_ARCH_H
#define PREEMPT_ARCH_H

#include <stdint.h>

#if defined(__x86_64__)

#define PT_ARCH "x86_64"
#define PT_COUNTER "rdtsc"

static inline uint64_t pt_cycles(void) {
    uint32_t lo, hi;
    /* rdtsc is not ordered with earlier loads; lfence keeps a read from floating above the code it times. */
    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* An invariant TSC ticks at a constant rate in every P/C-state and across cores (CPUID 0x80000007 EDX[8]). */
static inline int pt_counter_is_stable(void) {
    uint32_t a, b, c, d;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u));
    if (a < 0x80000007u) return 0;
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u));
    return (d >> 8) & 1;
}

#elif defined(__aarch64__)

#define PT_ARCH "aarch64"
#define PT_COUNTER "cntvct_el0"

static inline uint64_t pt_cycles(void) {
    uint64_t v;
    /* isb: the counter read is not speculated ahead of the instructions before it. */
    __asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(v) :: "memory");
    return v;
}

/* The generic timer's virtual count runs at the fixed frequency in cntfrq_el0, system-wide. */
static inline int pt_counter_is_stable(void) { return 1; }

#elif defined(__riscv) && __riscv_xlen == 64

#define PT_ARCH "riscv64"
#define PT_COUNTER "rdtime"

static inline uint64_t pt_cycles(void) {
    uint64_t v;
    /* rdtime reads the platform's constant-rate time CSR (not rdcycle, which follows the core clock). */
    __asm__ __volatile__("rdtime %0" : "=r"(v) :: "memory");
    return v;
}

static inline int pt_counter_is_stable(void) { return 1; }

#else
#error "preempt native timer: no section for this architecture in arch.h (x86_64, aarch64, riscv64 are written)"
#endif

#endif /* PREEMPT_ARCH_H */
