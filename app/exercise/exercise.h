/* exercise.h — the exercises: the catalogue read from exercises/ (one
 * folder per exercise, its exercise.ini), and the learner's workspace where
 * their copies live. The format is exercises/FORMAT.md.
 *
 * Ownership: an exercise_set owns every string of its exercises; a pointer
 * to an exercise stays valid until exercises_free(). */
#ifndef SYSTOUR_EXERCISE_H
#define SYSTOUR_EXERCISE_H

#include <stddef.h>

enum ex_track { EX_PYTHON, EX_C };

/* Limits of one check; the defaults are in exercise.c (EX_DEFAULT_*). */
struct ex_limits {
	int wall_s;     /* wall clock, seconds */
	int cpu_s;      /* CPU time, seconds */
	int mem_mb;     /* address space (or RSS under ASan), MiB */
	int procs;      /* processes */
	int fsize_mb;   /* largest file written, MiB */
	int nofile;     /* open descriptors */
	int output_kb;  /* output the check may print, KiB */
};

struct exercise {
	char *id;               /* "processes/01-fork-wait" */
	char *lesson;           /* "processes" */
	char *name;             /* "01-fork-wait" */
	char *dir;              /* its folder, absolute */
	char *title_en, *title_zh;
	enum ex_track track;
	char **files;           /* the learner's files; the first one opens */
	int nfiles;
	char **needs;           /* commands or python modules the check needs */
	int nneeds;
	struct ex_limits lim;
};

struct exercise_set {
	char *dir;              /* the exercises/ folder */
	struct exercise *v;     /* sorted by id */
	int n;
	size_t cap;
};

/* The exercises folder: $SYSTOUR_EXERCISES, else beside the program
 * (./exercises, ../exercises, ../share/systour/exercises), else the
 * installed one. Allocated; NULL and *cause when there is none. */
char *exercises_dir(char **cause);

/* Read every DIR/LESSON/NN-NAME/exercise.ini. A folder whose exercise.ini
 * is wrong is reported through bad(arg, "PATH:LINE: what") and left out.
 * Returns how many loaded. */
int exercises_load(const char *dir, struct exercise_set *set,
    void (*bad)(void *arg, const char *what), void *arg);

void exercises_free(struct exercise_set *set);

/* Parse one exercise.ini into ex (whose id, lesson, name and dir are set
 * by the caller). 0, or -1 and *cause ("LINE: what", allocated). */
int exercise_parse_ini(const char *text, struct exercise *ex, char **cause);

/* An exercise by id ("processes/01-fork-wait"), or by a unique prefix of
 * it ("processes/01"). NULL and *cause ("no exercise ...", "ambiguous
 * ...") otherwise. */
const struct exercise *exercises_find(const struct exercise_set *set,
    const char *id, char **cause);

/* The lesson name of a lesson id or number as the exercises use it:
 * "04-processes", "4", "04" and "processes" all give "processes" when
 * one of the exercises is in it. NULL if none matches. Not allocated. */
const char *exercises_lesson(const struct exercise_set *set,
    const char *lesson);

/* Its title in the language asked for (zh: 1). */
const char *exercise_title(const struct exercise *ex, int zh);

/* ---- The workspace ---------------------------------------------------- */

/* The default workspace: ~/systour-exercises. Allocated. */
char *workspace_default(void);

/* The learner's folder of ex in workspace ws: WS/LESSON/NAME. Allocated. */
char *workspace_path(const char *ws, const struct exercise *ex);

/* Make the learner's folder and copy each starter file that is not there
 * yet; a file already there is never touched. *copied (if asked) gets how
 * many were copied. The folder's path (allocated), or NULL and *cause. */
char *workspace_prepare(const char *ws, const struct exercise *ex,
    int *copied, char **cause);

/* Copy the starter files over the learner's (after the caller asked).
 * 0, or -1 and *cause. */
int workspace_reset(const char *ws, const struct exercise *ex, char **cause);

/* Copy file from to to (mode 0644, or 0755 when exec). 0 or -1, errno. */
int ex_copy_file(const char *from, const char *to, int exec);

#endif
