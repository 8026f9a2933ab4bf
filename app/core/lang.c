/* lang.c — choosing the language from arguments and the environment. */
#include "lang.h"

#include <stdlib.h>
#include <string.h>

int
lang_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strncmp(s, "zh", 2) == 0 && (s[2] == '\0' || strchr("_.-@", s[2])))
		return LANG_ZH;
	if (strncmp(s, "en", 2) == 0 && (s[2] == '\0' || strchr("_.-@", s[2])))
		return LANG_EN;
	return -1;
}

enum lang
lang_from_env(void)
{
	static const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "zh", 2) == 0 ? LANG_ZH : LANG_EN;
	}
	return LANG_EN;
}

const char *
lang_code(enum lang l)
{
	return l == LANG_ZH ? "zh" : "en";
}

static enum lang default_lang = LANG_EN;

void
lang_set_default(enum lang l)
{
	default_lang = l == LANG_ZH ? LANG_ZH : LANG_EN;
}

enum lang
lang_default(void)
{
	return default_lang;
}
