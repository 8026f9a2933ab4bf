/* unit.h — what the cmocka unit tests share: an alarm around each test,
 * so one that hangs (a child that never exits, a read that never returns)
 * is killed by SIGALRM and fails instead of holding the whole run.
 *
 *	#define UNIT_ALARM_SECONDS 60	(before the include; 30 if not)
 *	#include "unit.h"
 *	cmocka_unit_test_setup_teardown(test, setup_alarm, teardown_alarm)
 */
#ifndef SYSTOUR_TESTS_UNIT_H
#define SYSTOUR_TESTS_UNIT_H

#include <unistd.h>

#ifndef UNIT_ALARM_SECONDS
#define UNIT_ALARM_SECONDS 30
#endif

/* static inline: a test file that uses neither gets no unused warning */
static inline int
setup_alarm(void **state)
{
	(void)state;
	alarm(UNIT_ALARM_SECONDS);
	return 0;
}

static inline int
teardown_alarm(void **state)
{
	(void)state;
	alarm(0);
	return 0;
}

#endif
