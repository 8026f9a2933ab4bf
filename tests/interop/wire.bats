#!/usr/bin/env bats
# wire.bats — the wire layer (app/queue/wire.c) against CPython's
# multiprocessing.connection, both ways, in both handshake forms.
#
# The C side is tests/unit/test_wire.c run as `test_wire interop NAME`; the
# python side is tests/interop/wire_peer.py: "real" is this machine's own
# multiprocessing.connection (3.11 here: HMAC-MD5), "legacy" and "modern" are
# the <= 3.11 and >= 3.12 handshakes written out by hand, since only one
# python is installed. Skipped, with a message, when python3 is missing.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
PEER="$BATS_TEST_DIRNAME/wire_peer.py"
export SYSTOUR_WIRE_PEER="$PEER"

setup() {
	command -v python3 >/dev/null ||
		skip "python3 is not installed: no CPython peer to talk to"
	TEST_WIRE="$ROOT/${BUILD:-build}/tests/test_wire"
	[ -x "$TEST_WIRE" ] || {
		echo "not built: $TEST_WIRE (make ${BUILD:-build}/tests/test_wire)" >&2
		return 1
	}
}

# Run one interop case of test_wire; show what it said when it fails.
interop() {
	run timeout 60 "$TEST_WIRE" interop "$1"
	if [ "$status" -ne 0 ] || [[ "$output" != *"[  PASSED  ] 1 test(s)."* ]]; then
		printf '%s\n' "$output" >&2
		return 1
	fi
}

@test "wire: systour client, CPython Listener (this python's own code), our challenge in MD5 form" {
	interop client_vs_real_md5
}

@test "wire: systour client, CPython Listener (this python's own code), our challenge in sha256 form" {
	interop client_vs_real_sha256
}

@test "wire: systour client, a 3.11 server written out (20-byte MD5 challenge), both our forms" {
	interop client_vs_legacy_md5
	interop client_vs_legacy_sha256
}

@test "wire: systour client, a 3.12 server written out ({sha256} challenge), both our forms" {
	interop client_vs_modern_md5
	interop client_vs_modern_sha256
}

@test "wire: systour server, CPython Client (this python's own code), both our forms" {
	interop server_vs_real_md5
	interop server_vs_real_sha256
}

@test "wire: systour server, a 3.11 client written out, both our forms" {
	interop server_vs_legacy_md5
	interop server_vs_legacy_sha256
}

@test "wire: systour server, a 3.12 client written out, both our forms" {
	interop server_vs_modern_md5
	interop server_vs_modern_sha256
}

@test "wire: a wrong key is refused both ways, with #FAILURE# as CPython sends it" {
	interop client_vs_real_wrong_key
	interop client_vs_modern_wrong_key
	interop server_vs_real_wrong_key
	interop server_vs_modern_wrong_key
}

# The hand-written 3.12 peer must agree with real CPython where they meet:
# a 3.12 challenge answered by this python's real Client, and this python's
# real Listener answered by the 3.12 client. Otherwise the tests above would
# only prove that two copies of one misreading agree.
@test "wire: the written-out 3.12 peer and this python's real code agree" {
	run timeout 30 python3 - "$PEER" <<'EOF'
import subprocess, sys
peer = sys.argv[1]
def pair(server_form, client_form):
    srv = subprocess.Popen([sys.executable, peer, "listen", server_form],
                           stdout=subprocess.PIPE, text=True)
    port = srv.stdout.readline().split()[1]
    cli = subprocess.run([sys.executable, peer, "connect", port, client_form],
                         capture_output=True, text=True, timeout=20)
    out = srv.communicate(timeout=20)[0]
    print(server_form, client_form, "->", cli.stdout.strip(), "|", out.strip())
    return cli.returncode == 0 and srv.returncode == 0
ok = pair("modern", "real") and pair("real", "modern") and \
     pair("modern", "legacy") and pair("legacy", "modern")
sys.exit(0 if ok else 1)
EOF
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}

@test "wire: no process started by the interop tests outlives them" {
	# test_wire runs in a session of its own; once it has ended, nothing
	# may be left in that session (it reaps every python peer it starts)
	run timeout 90 python3 - "$TEST_WIRE" <<'EOF'
import os, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "interop"], start_new_session=True,
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
out = p.communicate(timeout=80)[0]

def session_left():
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == p.pid:     # field 6 of stat: the session
            left.append(pid)
    return left

# What was still exiting has 0.2 s to be gone (as long as the fixed wait
# that stood here gave it); the check ends as soon as the session is empty.
deadline = time.monotonic() + 0.2
while True:
    left = session_left()
    if not left or time.monotonic() >= deadline:
        break
    time.sleep(0.01)
print(out.splitlines()[-1] if out else "(no output)")
print("left in session %d: %s" % (p.pid, left or "none"))
sys.exit(0 if p.returncode == 0 and not left else 1)
EOF
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
}
