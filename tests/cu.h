/*
 * cu - the small harness every unit-test program shares (CUnit)
 *
 * A test program lists its tests in a struct cu_test array and calls
 * cu_main(); CHECKF() asserts with a formatted message that shows both
 * sides ("tstamp \"Feb  3\": got day 0, want 3"), which CUnit's own
 * macros cannot. The exit status is the number of failures (capped).
 */
#ifndef MAILSPILL_TESTS_CU_H
#define MAILSPILL_TESTS_CU_H

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct cu_test {
	const char *name;
	void (*fn)(void);
};

static inline void
cu_checkf(int ok, unsigned line, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline void
cu_checkf(int ok, unsigned line, const char *file, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, file, "",
	    CU_FALSE);
	if (!ok)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
}

#define CHECKF(cond, ...) \
	cu_checkf(!!(cond), __LINE__, __FILE__, __VA_ARGS__)

/* String equality with both sides shown. */
#define CHECK_STR(got, want, what) \
	CHECKF(strcmp((got), (want)) == 0, "%s: got \"%s\", want \"%s\"", \
	    (what), (got), (want))

static inline int
cu_main(const char *suite_name, const struct cu_test *tests, size_t n)
{
	CU_pSuite suite;
	unsigned fails;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	suite = CU_add_suite(suite_name, NULL, NULL);
	for (i = 0; i < n; i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails > 0 ? 1 : 0;
}

#define CU_MAIN(name, tests) \
	int main(void) { \
		return cu_main((name), (tests), \
		    sizeof(tests) / sizeof((tests)[0])); \
	}

#endif
