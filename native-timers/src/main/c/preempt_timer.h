/*
 * The native timer library's API, bound from Java with the FFM API (dev.preempt.timer.NativeTimerBackend).
 * All functions are thread-safe. Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef PREEMPT_TIMER_H
#define PREEMPT_TIMER_H

#include <stdint.h>

/* Status bits of pt_tune_current_thread: what could be raised, and what could not. */
#define PT_TUNED_PRIORITY      1
#define PT_TUNED_AFFINITY      2
#define PT_PRIORITY_DENIED     4
#define PT_AFFINITY_DENIED     8

/* A short description of the library: architecture, counter, and whether the counter is used as the clock. */
const char *pt_describe(void);

/* Calibrates the cycle counter against CLOCK_MONOTONIC over about calib_ns; returns 1 if the counter is
 * used as the clock from now on, 0 if clock reads fall back to clock_gettime (unstable counter). */
int pt_clock_calibrate(int64_t calib_ns);

/* Monotonic nanoseconds: the calibrated cycle counter, or clock_gettime(CLOCK_MONOTONIC). */
int64_t pt_clock_nanos(void);

/* A periodic timer on timerfd with absolute CLOCK_MONOTONIC deadlines (no drift); returns its fd, or -errno. */
int pt_ticker_create(int64_t period_ns);

/* Blocks until the timer expires; returns the number of expirations since the last wait (>= 1), or -errno
 * (for example -EBADF once pt_ticker_close has run). */
int64_t pt_ticker_wait(int fd);

/* Disarms the timer so that waits block: a stalled tick source, for fault-injection tests. */
int pt_ticker_stall(int fd);

/* Makes the timer expire at once, one-shot: wakes a thread blocked in pt_ticker_wait so it can see it
 * should stop (closing the fd does not wake a blocked read). */
int pt_ticker_kick(int fd);

/* Closes the timer. Close only after the waiting thread has left pt_ticker_wait (see pt_ticker_kick). */
int pt_ticker_close(int fd);

/* Raises the calling thread's scheduling priority (nice -10) and, if cpu >= 0, pins it to that CPU;
 * returns PT_* status bits saying what was done and what the system refused. */
int pt_tune_current_thread(int cpu);

#endif /* PREEMPT_TIMER_H */
