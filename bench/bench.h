/* bench.h — what every bench program shares: a monotonic clock in
 * seconds, the median of a series, and pinning the calling process to one
 * CPU. Header-only (static inline): each bench is one .c file linked with
 * the app's objects. */
#ifndef SYSTOUR_BENCH_H
#define SYSTOUR_BENCH_H

#include <sched.h>
#include <stdlib.h>
#include <time.h>

static inline double
bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of v[0..n); sorts v in place (v[0] and v[n-1] are then the
 * range). */
static inline double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run the calling process on cpu only. */
static inline void
bench_pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

#endif
