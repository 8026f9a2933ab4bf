/* test_coswitch_uc.c — test_coswitch.c on the ucontext fallback of lesson
 * 07's switch (swapcontext), which other machines use. */
#define COSWITCH_UCONTEXT 1
#include "test_coswitch.c"
