#!/bin/sh
# Makes sure the Debian packages systour needs are installed.
# Usage: scripts/deps.sh run|test
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line and fails, so `make run` and `make test` work on a fresh
# machine or say precisely what to do.
set -u
need="gcc make pkg-config libncurses-dev libreadline-dev libsqlite3-dev libmd4c-dev libssl-dev libvterm-dev libhiredis-dev"
if [ "${1:-run}" = test ]; then
	need="$need libcmocka-dev bats tmux python3 strace clang libclang-rt-14-dev libboost-context-dev redis-server"
	need="$need nginx-light wrk"	# bench/net_http.c: serve http against nginx under wrk
fi
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "systour: missing Debian packages:$missing" >&2
	echo "systour: install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "systour: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q $missing >/dev/null 2>&1 ||
	{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing >/dev/null; } ||
	{ echo "systour: apt-get install$missing failed" >&2; exit 1; }
