/* lesson.h — lessons as folders: finding them, parsing their Markdown into
 * steps, checking them, and loading their compiled modules.
 *
 * A lesson folder lessons/NN-name/ holds lesson.en.md and lesson.zh.md (and
 * optionally demos.so); lessons/FORMAT.md describes the text. */
#ifndef SYSTOUR_LESSON_H
#define SYSTOUR_LESSON_H

#include "lang.h"

#include <stddef.h>

struct systour_lesson_module;

/* A part of a step, in order: Markdown to render, or a directive. */
enum part_kind {
	PART_MARKDOWN,  /* text: Markdown */
	PART_DEMO,      /* text: the demo's name */
	PART_EXERCISE,  /* text: the exercise's id */
	PART_ERRATUM,   /* text: Markdown inside an ::: erratum block */
};

struct part {
	enum part_kind kind;
	char *text;
	int line;               /* line in the file where the part starts */
	int available;          /* PART_DEMO: the lesson's module has it;
	                         * PART_EXERCISE: exercises/ has it */
};

struct step {
	char *title;            /* the ## heading's text */
	int line;               /* its line in the file */
	struct part *parts;
	int nparts;
	size_t partcap;         /* parts allocated */
};

struct lesson_text {
	char *path;
	char *title;            /* the # heading */
	char *summary;          /* text between the title and the first step */
	struct step *steps;
	int nsteps;
	size_t stepcap;         /* steps allocated */
};

struct lesson {
	char *id;               /* folder name: "01-files" */
	const char *name;       /* after the number: "files" (points into id) */
	int number;             /* 1 */
	char *dir;
	struct lesson_text text[LANG_COUNT];
	void *module;           /* dlopen handle of demos.so, or NULL */
	const struct systour_lesson_module *module_info; /* what it exports */
};

struct lesson_set {
	char *dir;              /* where the lessons were found */
	struct lesson *v;
	int n;
};

/* Called once for each problem found while loading: "PATH:LINE: what". */
typedef void lesson_report_fn(const char *problem, void *arg);

/* The lessons directory: $SYSTOUR_LESSONS, else "lessons" beside the
 * running program (the source tree), else ../share/systour/lessons from
 * the program (installed under any prefix), else the compiled-in one. Allocated;
 * NULL (and *cause set) when none exists. */
char *lessons_dir(char **cause);

/* Load every lesson folder of dir in order. A broken lesson is reported
 * through report and left out; the others load. Returns the number loaded,
 * or -1 (with *cause) when dir itself cannot be read. */
int lessons_load(const char *dir, struct lesson_set *set,
    lesson_report_fn *report, void *arg);

void lessons_free(struct lesson_set *set);

/* Find a lesson by id ("01-files"), name ("files"), number ("1", "01") or
 * a unique prefix of the name. NULL if none or ambiguous. */
struct lesson *lessons_find(struct lesson_set *set, const char *what);

/* Parse one lesson file's text. 0, or -1 with *cause = "LINE: what"
 * (allocated). Exposed for the unit tests. */
int lesson_parse(const char *text, struct lesson_text *out, char **cause);

void lesson_text_free(struct lesson_text *t);

#endif
