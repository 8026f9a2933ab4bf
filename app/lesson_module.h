/* lesson_module.h — what a lesson's compiled module (lessons/NN-name/demos.c,
 * built into demos.so) exports, and the ABI version the app checks.
 *
 * A module defines exactly one symbol:
 *
 *	const struct systour_lesson_module systour_lesson_module = {
 *		.abi = SYSTOUR_LESSON_ABI,
 *		.lesson = "04-processes",
 *	};
 *
 * The demo engine adds its table of demos here (and bumps the ABI).
 *
 * The app dlopen()s the module at start and refuses it, with its path, when
 * the symbol is missing, the ABI differs or the lesson name is not the
 * folder's. Any change to this header that changes the layout of the struct
 * bumps SYSTOUR_LESSON_ABI. */
#ifndef SYSTOUR_LESSON_MODULE_H
#define SYSTOUR_LESSON_MODULE_H

#define SYSTOUR_LESSON_ABI 1u

struct systour_lesson_module {
	unsigned abi;           /* SYSTOUR_LESSON_ABI when built */
	const char *lesson;     /* the lesson folder's name, "04-processes" */
};

#define SYSTOUR_LESSON_SYMBOL "systour_lesson_module"

#endif
