/* The one way every Check unit test runs its suite. */
#ifndef MSENTRY_TESTS_CHECK_RUN_H
#define MSENTRY_TESTS_CHECK_RUN_H

#include <check.h>

/* Run every test of `s`; the process exit status: 0 if all passed. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif
