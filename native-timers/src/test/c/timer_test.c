/*
 * Tests of the native timer library, run for every architecture (foreign ones under qemu-user):
 * the clock is monotonic and agrees with CLOCK_MONOTONIC, ticks arrive on the period grid without drift,
 * a stalled timer stops ticking, bad input is refused.
 */
#define _GNU_SOURCE
#include "preempt_timer.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static int passed, failed;
static void run(const char *name, void (*test)(void)) {
    int before = failures;
    test();
    if (failures == before) { passed++; printf("ok   %s\n", name); } else { failed++; printf("FAIL %s\n", name); }
}

static int64_t mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void clock_is_monotonic_and_agrees_with_clock_monotonic(void) {
    pt_clock_calibrate(20000000LL);
    int64_t prev = pt_clock_nanos();
    for (int i = 0; i < 200000; i++) {
        int64_t now = pt_clock_nanos();
        CHECK(now >= prev, "clock went back: %lld after %lld", (long long)now, (long long)prev);
        prev = now;
    }
    int64_t drift = pt_clock_nanos() - mono();
    /* Under emulation a read takes far longer, and the comparison is two reads apart: allow 5 ms. */
    CHECK(llabs(drift) < 5000000LL, "clock differs from CLOCK_MONOTONIC by %lld ns", (long long)drift);
}

static void ticks_stay_on_the_period_grid(void) {
    const int64_t period = 2000000LL; /* 2 ms */
    int64_t start = mono(); /* before the timer is armed: under emulation a clock read takes milliseconds */
    int fd = pt_ticker_create(period);
    CHECK(fd >= 0, "create: %d", fd);
    int64_t total = 0;
    while (total < 100) {
        int64_t n = pt_ticker_wait(fd);
        CHECK(n >= 1, "wait: %lld", (long long)n);
        if (n < 1) break;
        total += n;
    }
    int64_t elapsed = mono() - start;
    /* Expirations are counted, so late wake-ups do not drift the total: total periods have passed, and at
       most one more plus the last wake-up's lateness (100 ms of slack for a loaded or emulated machine). */
    CHECK(elapsed >= total * period - 1000000LL && elapsed < (total + 1) * period + 100000000LL,
          "%lld ticks of 2 ms took %lld ns", (long long)total, (long long)elapsed);
    pt_ticker_close(fd);
}

static void a_stalled_timer_stops_ticking(void) {
    int fd = pt_ticker_create(1000000LL);
    CHECK(pt_ticker_wait(fd) >= 1, "first tick");
    CHECK(pt_ticker_stall(fd) == 0, "stall");
    struct pollfd p = { .fd = fd, .events = POLLIN };
    CHECK(poll(&p, 1, 50) == 0, "a stalled timer still ticked");
    pt_ticker_close(fd);
}

static void bad_input_is_refused(void) {
    CHECK(pt_ticker_create(0) == -EINVAL, "period 0 accepted");
    CHECK(pt_ticker_wait(-1) == -EBADF, "wait on a bad fd");
}

int main(void) {
    printf("preempt timer tests on %s\n", pt_describe());
    run("clock_is_monotonic_and_agrees_with_clock_monotonic", clock_is_monotonic_and_agrees_with_clock_monotonic);
    run("ticks_stay_on_the_period_grid", ticks_stay_on_the_period_grid);
    run("a_stalled_timer_stops_ticking", a_stalled_timer_stops_ticking);
    run("bad_input_is_refused", bad_input_is_refused);
    printf("%s: %d passed, %d failed\n", pt_describe(), passed, failed);
    return failed == 0 ? 0 : 1;
}
