/* lang.h — the two languages systour teaches in, and choosing between them. */
#ifndef SYSTOUR_LANG_H
#define SYSTOUR_LANG_H

enum lang { LANG_EN = 0, LANG_ZH = 1, LANG_COUNT };

/* "en" or "zh" (also "en_US.UTF-8", "zh_CN" ...) to a language; -1 if neither. */
int lang_parse(const char *s);

/* The language from LC_ALL, LC_MESSAGES or LANG: Chinese when the first set
 * one starts with "zh", English otherwise. */
enum lang lang_from_env(void);

/* "en" or "zh". */
const char *lang_code(enum lang l);

/* The language of the messages of modules that do not see the app (the
 * store, the lesson loader, util's warnings): set by main once it knows,
 * and again whenever the learner switches. English until set. */
void lang_set_default(enum lang l);
enum lang lang_default(void);

/* Pick the string for a language: L(l, "Lessons", "课程"). */
#define L(l, en, zh) ((l) == LANG_ZH ? (zh) : (en))

/* The language of a yes-or-no "in Chinese" flag: L(LANG_OF(zh), "en", "zh"). */
#define LANG_OF(zh) ((zh) ? LANG_ZH : LANG_EN)

/* The same, in the default language: LD("cannot open", "无法打开"). */
#define LD(en, zh) L(lang_default(), en, zh)

#endif
