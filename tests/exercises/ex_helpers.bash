# ex_helpers.bash — what tests/exercises/*.bats share: for one exercise, its
# starter must fail its check, its solution must pass, and a program that
# only prints what the solution printed (at the check's first run of it)
# must fail. Every check goes through `systour check EX --workspace DIR
# --json`, as a learner's would. An exercise whose needs are missing (python3,
# a python module, a command) is skipped with what to install.

EXERCISES=${SYSTOUR_EXERCISES:-$ROOT/exercises}

ex_setup() {
	case $SYSTOUR in /*) ;; */*) SYSTOUR=$PWD/$SYSTOUR ;; esac
	[ -x "$SYSTOUR" ] || {
		echo "systour is not built at $SYSTOUR (run make)" >&2
		return 1
	}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export HOME="$BATS_TEST_TMPDIR/home"
	# C builds are cached by the hash of their sources: share the cache
	# within this run of the suite
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache"
	mkdir -p "$HOME" "$XDG_CACHE_HOME" "$BATS_TEST_TMPDIR/data-starter"
	unset LC_ALL LC_MESSAGES LANGUAGE SYSTOUR_WORKSPACE
	export LANG=C.UTF-8
	# as root the learner's program may run as nobody: the workspace and
	# the capture file must be reachable by it
	WS=$(mktemp -d /tmp/systour-exws.XXXXXX)
	chmod 755 "$WS"
	CAP=$(mktemp -d /tmp/systour-excap.XXXXXX)
	chmod 1777 "$CAP"
}

ex_teardown() {
	rm -rf "$WS" "$CAP"
}

# ini_get EX KEY: a value of the exercise's exercise.ini.
ini_get() {
	sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$EXERCISES/$1/exercise.ini" |
	    sed 's/[[:space:]]*$//' | head -n 1
}

# ex_needs EX: skip the test when something the exercise needs is missing.
ex_needs() {
	local track need missing=
	track=$(ini_get "$1" track)
	case $track in
	python) command -v python3 >/dev/null || missing="python3" ;;
	c) command -v cc >/dev/null || missing="cc" ;;
	esac
	for need in $(ini_get "$1" needs); do
		if command -v "$need" >/dev/null 2>&1; then
			continue
		fi
		case $need in
		python3|cc|gcc|sh|redis-server|nc) missing="$missing $need" ;;
		*) command -v python3 >/dev/null &&
		    python3 -c "import $need" 2>/dev/null || missing="$missing $need" ;;
		esac
	done
	[ -z "$missing" ] || skip "install:$missing"
}

# put_files EX FROM: copy FROM (a folder) into the learner's copy in $WS.
put_files() {
	rm -rf "${WS:?}/$1"
	mkdir -p "$WS/$1"
	cp "$2"/* "$WS/$1/"
	chmod -R a+rX "$WS"
}

# check_status EX: run the check; $status is systour's, $output its JSON,
# $result the status it reports.
check_status() {
	run "$SYSTOUR" check "$1" --workspace "$WS" --json
	result=$(printf '%s\n' "$output" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)
}

# fake_from EX CAPTURED: a program in the exercise's track that prints the
# bytes of CAPTURED and does nothing else, as the learner's first file.
fake_from() {
	local ex=$1 cap=$2 first track
	first=$(ini_get "$ex" files | awk '{print $1}')
	track=$(ini_get "$ex" track)
	rm -rf "${WS:?}/$ex"
	mkdir -p "$WS/$ex"
	cp "$EXERCISES/$ex/solution"/* "$WS/$ex/"
	python3 - "$cap" "$WS/$ex/$first" "$track" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
out, track = sys.argv[2], sys.argv[3]
with open(out, 'w') as f:
    if track == 'python':
        f.write('import sys\nsys.stdout.buffer.write(%r)\nsys.stdout.flush()\n' % data)
    else:
        lit = ''.join('\\x%02x' % b for b in data)
        f.write('#include <stdio.h>\nstatic const char out[] = "%s";\n'
                'int main(void)\n{\n\tfwrite(out, 1, sizeof out - 1, stdout);\n\treturn 0;\n}\n' % lit)
PY
	chmod -R a+rX "$WS"
}

# ex_three EX: the starter fails, the solution passes, the printer fails.
# The starter's check runs in the background meanwhile (its own workspace,
# data and build cache), since a starter often waits out a deadline.
ex_three() {
	local ex=$1 spid sout sstatus sresult
	ex_needs "$ex"
	WS=$WS/starter put_files "$ex" "$EXERCISES/$ex/starter"
	sout=$CAP/starter.json
	XDG_DATA_HOME=$BATS_TEST_TMPDIR/data-starter \
	    XDG_CACHE_HOME=$BATS_FILE_TMPDIR/cache-starter \
	    "$SYSTOUR" check "$ex" --workspace "$WS/starter" --json >"$sout" 2>&1 &
	spid=$!
	put_files "$ex" "$EXERCISES/$ex/solution"
	EX_CAPTURE="$CAP/out" check_status "$ex"
	local pstatus=$status presult=$result poutput=$output
	sstatus=0
	wait "$spid" || sstatus=$?
	sresult=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$sout" 2>/dev/null)
	status=$sstatus output=$(cat "$sout")
	[ "$sresult" = fail ] && [ "$sstatus" -eq 1 ] ||
	    fail "$ex: the starter should fail its check (got $sresult, exit $sstatus)"
	status=$pstatus output=$poutput
	[ "$presult" = pass ] && [ "$pstatus" -eq 0 ] ||
	    fail "$ex: the solution should pass its check (got $presult, exit $pstatus)"
	[ -f "$CAP/out" ] || fail "$ex: the check ran no program whose output could be captured"
	fake_from "$ex" "$CAP/out"
	check_status "$ex"
	[ "$result" = fail ] && [ "$status" -eq 1 ] ||
	    fail "$ex: a program printing only the solution's output should fail (got $result, exit $status)"
}
