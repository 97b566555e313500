/*
 * Native tick source and clock for preempt: timerfd with absolute deadlines, and a cycle-counter clock
 * calibrated against CLOCK_MONOTONIC. Architecture-specific parts are in arch.h only.
 */
#define _GNU_SOURCE
#include "preempt_timer.h"
#include "arch.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_nanos(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The clock is base_ns + (cycles - base_cycles) * mult >> 32, written once by calibration before any
 * reader (the Java side calibrates before it publishes the backend), so readers need no synchronisation.
 */
static volatile int use_counter;
static uint64_t base_cycles;
static int64_t base_ns;
static uint64_t mult; /* nanoseconds per cycle, fixed point 32.32 */

static char description[160];

const char *pt_describe(void) {
    snprintf(description, sizeof description, "%s, clock %s%s", PT_ARCH, use_counter ? PT_COUNTER : "clock_gettime",
             use_counter ? " calibrated against CLOCK_MONOTONIC" : (pt_counter_is_stable() ? "" : " (counter not invariant)"));
    return description;
}

int pt_clock_calibrate(int64_t calib_ns) {
    if (!pt_counter_is_stable() || calib_ns <= 0) {
        use_counter = 0;
        return 0;
    }
    int64_t t0 = mono_nanos();
    uint64_t c0 = pt_cycles();
    int64_t t1;
    do {
        t1 = mono_nanos();
    } while (t1 - t0 < calib_ns);
    uint64_t c1 = pt_cycles();
    if (c1 <= c0) {
        use_counter = 0;
        return 0;
    }
    mult = (uint64_t)(((__uint128_t)(t1 - t0) << 32) / (c1 - c0));
    base_cycles = c1;
    base_ns = t1;
    use_counter = 1;
    return 1;
}

int64_t pt_clock_nanos(void) {
    if (!use_counter) {
        return mono_nanos();
    }
    uint64_t d = pt_cycles() - base_cycles;
    return base_ns + (int64_t)(((__uint128_t)d * mult) >> 32);
}

int pt_ticker_create(int64_t period_ns) {
    if (period_ns <= 0) return -EINVAL;
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (fd < 0) return -errno;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t first = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec + period_ns;
    struct itimerspec spec;
    /* Absolute first deadline plus an interval: the kernel keeps deadlines on the period grid, so a late
     * wake-up does not push later ticks back (no drift), and missed ticks show up as a count > 1. */
    spec.it_value.tv_sec = first / 1000000000LL;
    spec.it_value.tv_nsec = first % 1000000000LL;
    spec.it_interval.tv_sec = period_ns / 1000000000LL;
    spec.it_interval.tv_nsec = period_ns % 1000000000LL;
    if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int64_t pt_ticker_wait(int fd) {
    uint64_t expirations;
    for (;;) {
        ssize_t n = read(fd, &expirations, sizeof expirations);
        if (n == (ssize_t)sizeof expirations) return (int64_t)expirations;
        if (n < 0 && errno == EINTR) continue;
        return n < 0 ? -errno : -EIO;
    }
}

int pt_ticker_stall(int fd) {
    struct itimerspec off;
    memset(&off, 0, sizeof off);
    return timerfd_settime(fd, 0, &off, NULL) < 0 ? -errno : 0;
}

int pt_ticker_kick(int fd) {
    struct itimerspec once;
    memset(&once, 0, sizeof once);
    once.it_value.tv_nsec = 1;
    return timerfd_settime(fd, 0, &once, NULL) < 0 ? -errno : 0;
}

int pt_ticker_close(int fd) {
    return close(fd) < 0 ? -errno : 0;
}

int pt_tune_current_thread(int cpu) {
    int status = 0;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    /* nice -10 rather than a real-time class: the tick thread runs Java code after each wait, and a
     * SCHED_FIFO thread that ever spun would starve the carriers on its CPU. */
    if (setpriority(PRIO_PROCESS, (id_t)tid, -10) == 0) {
        status |= PT_TUNED_PRIORITY;
    } else {
        status |= PT_PRIORITY_DENIED;
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) == 0) {
            status |= PT_TUNED_AFFINITY;
        } else {
            status |= PT_AFFINITY_DENIED;
        }
    }
    return status;
}
