#!/usr/bin/env python3
"""check_exercise_links.py — lessons and exercises name each other.

Every `::: exercise ID` line of every lesson, in both languages, names a
folder exercises/ID (ID is TRACK/NN-name); every exercise folder (one with
an exercise.ini) is named by some lesson; and a lesson names the same
exercises in en and zh. Prints one line per problem and a summary line;
exits 1 if there is any problem. Usage: check_exercise_links.py TOP
"""
import os
import re
import sys

DIRECTIVE = re.compile(r"^::: exercise[ \t]+(\S+)[ \t]*$", re.M)


def main(top):
    lessons, exercises = os.path.join(top, "lessons"), os.path.join(top, "exercises")
    problems, named = [], set()
    for lesson in sorted(os.listdir(lessons)):
        if not re.match(r"\d\d-", lesson):
            continue
        per_lang = {}
        for lang in ("en", "zh"):
            path = os.path.join(lessons, lesson, "lesson.%s.md" % lang)
            if not os.path.exists(path):
                continue
            ids = DIRECTIVE.findall(open(path, encoding="utf-8").read())
            per_lang[lang] = sorted(ids)
            for ex in ids:
                named.add(ex)
                if not os.path.isfile(os.path.join(exercises, ex, "exercise.ini")):
                    problems.append("%s: ::: exercise %s: no folder exercises/%s with an "
                                    "exercise.ini" % (path, ex, ex))
        if len(per_lang) == 2 and per_lang["en"] != per_lang["zh"]:
            problems.append("lessons/%s: en names the exercises %s, zh %s" % (
                lesson, per_lang["en"], per_lang["zh"]))
    folders = set()
    for track in sorted(os.listdir(exercises)):
        if not os.path.isdir(os.path.join(exercises, track)):
            continue
        for ex in sorted(os.listdir(os.path.join(exercises, track))):
            if os.path.isfile(os.path.join(exercises, track, ex, "exercise.ini")):
                folders.add(track + "/" + ex)
                if track + "/" + ex not in named:
                    problems.append("exercises/%s/%s: no lesson names it (::: exercise %s/%s)"
                                    % (track, ex, track, ex))
    for p in problems:
        print(p)
    print("%d exercise folders, %d named by the lessons, %d problems" % (
        len(folders), len(named), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
