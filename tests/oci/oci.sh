#!/usr/bin/env bash
# The OCI runtime with runc's command line, checked against runc itself:
# every case runs the same bundle with runc and with msentry (each with its
# own --root in a temp dir) and expects runc's documented result from both.
# If runc cannot run containers on this machine, that is said once and the
# documented results alone are checked.
#   oci.sh MSENTRY SUBREAPER_PY CONSOLE_PY
set -u
msentry=$(realpath "$1")
subreaper=$(realpath "$2")
console=$(realpath "$3")
tmp=$(mktemp -d)
fail=0
# Every run is bounded: a runtime that hangs fails its case (124).
M() { timeout -k 5 60 "$msentry" --root "$tmp/root-msentry" "$@"; }
R() { timeout -k 5 60 runc --root "$tmp/root-runc" "$@"; }

cleanup() {
	for c in $(M list -q 2>/dev/null); do M delete --force "$c" >/dev/null 2>&1; done
	if [ "$have_runc" = 1 ]; then
		for c in $(R list -q 2>/dev/null); do R delete --force "$c" >/dev/null 2>&1; done
	fi
	[ -z "${netns:-}" ] || ip netns del "$netns" 2>/dev/null
	rm -rf "$tmp"
}
have_runc=0
trap cleanup EXIT

ok() { echo "ok: $*"; }
bad() {
	echo "FAIL: $*"
	fail=1
}
# check NAME WANT GOT
check() {
	if [ "$2" == "$3" ]; then ok "$1: $(head -c 200 <<<"$3" | tr '\n' '|')"; else bad "$1: want [$2] got [$3]"; fi
}

# A busybox rootfs: /bin/busybox and its applets, /etc/passwd, /tmp.
rootfs=$tmp/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/proc" "$rootfs/dev" \
	"$rootfs/sys"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$rootfs/etc/passwd"
printf 'root:x:0:\n' >"$rootfs/etc/group"
# A root-owned 0644 file, and a /tmp anyone may write (the user cases).
echo secret >"$rootfs/rootfile"
chmod 0644 "$rootfs/rootfile"
chmod 1777 "$rootfs/tmp"
# What read-only and masked paths cover (the mount cases).
mkdir -p "$rootfs/ro-dir" "$rootfs/secret-dir"
echo kept >"$rootfs/ro-dir/f"
echo secret >"$rootfs/secret-file"
echo secret >"$rootfs/secret-dir/a"

# make_bundle NAME PATCH_JSON: `msentry spec`, made non-interactive, the
# shared rootfs, no pid namespace (so that runc's container process is not
# a pid 1 that ignores SIGTERM), then PATCH merged in.
make_bundle() {
	local b=$tmp/$1
	mkdir -p "$b"
	"$msentry" spec --bundle "$b" || bad "spec --bundle $b"
	python3 - "$b/config.json" "$rootfs" "$2" <<'PY'
import json, sys
path, rootfs, patch = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
c = json.load(open(path))
c["process"]["terminal"] = False
c["root"]["path"] = rootfs
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]
def merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            merge(a[k], v)
        elif v is None:
            a.pop(k, None)
        else:
            a[k] = v
merge(c, patch)
json.dump(c, open(path, "w"), indent=1)
PY
	echo "$b"
}

runtimes() {
	echo M
	[ "$have_runc" = 1 ] && echo R
}
name_of() { [ "$1" = M ] && echo msentry || echo runc; }

# Can runc run a container here?
probe=$(make_bundle probe '{"process":{"args":["echo","probe"]}}')
if command -v runc >/dev/null && out=$(R run --bundle "$probe" probe 2>&1) && [ "$out" = probe ]; then
	have_runc=1
	echo "runc: $(runc --version | head -1): results compared with runc's"
else
	echo "runc cannot run containers here (${out:-runc not installed}): checking runc's documented behaviour only"
fi

# run_case NAME WANT_STDOUT WANT_STATUS PATCH: `run` in the foreground.
run_case() {
	local b
	b=$(make_bundle "$1" "$4")
	for rt in $(runtimes); do
		local out rc
		out=$($rt run --bundle "$b" "$1-$(name_of "$rt")" 2>"$b/err.$rt" </dev/null)
		rc=$?
		check "$(name_of "$rt") run $1: stdout" "$2" "$out"
		check "$(name_of "$rt") run $1: exit status" "$3" "$rc"
	done
}
run_case echo "hi" 0 '{"process":{"args":["echo","hi"]}}'
run_case exit3 "" 3 '{"process":{"args":["sh","-c","exit 3"]}}'
run_case abs-path "a b" 0 '{"process":{"args":["/bin/echo","a","b"]}}'
run_case env "$(printf 'FOO=bar baz\nHOME=/root\nPATH=/bin:/usr/bin')" 0 \
	'{"process":{"args":["sh","-c","env | grep -v -e ^PWD= -e ^SHLVL= | sort"],"env":["PATH=/bin:/usr/bin","FOO=bar baz"]}}'
run_case env-home "HOME=/given" 0 \
	'{"process":{"args":["sh","-c","env | grep ^HOME="],"env":["PATH=/bin","HOME=/given"]}}'
run_case cwd "/tmp" 0 '{"process":{"args":["pwd"],"cwd":"/tmp"}}'
run_case cwd-made "/made/by/create" 0 '{"process":{"args":["sh","-c","cd . && pwd"],"cwd":"/made/by/create"}}'
check "a missing process.cwd is made in the rootfs" "dir" "$([ -d "$rootfs/made/by/create" ] && echo dir)"
run_case args "[a b] [ c] " 0 '{"process":{"args":["sh","-c","printf \"[%s] \" \"$@\"; echo","sh","a b"," c"]}}'
# No fd past 2 reaches the container unless --preserve-fds says so.
run_case fd3-closed "closed" 0 '{"process":{"args":["sh","-c","(echo x >&3) 2>/dev/null && echo open || echo closed"]}}' 3>/dev/null

# create, start, kill by signal, reaped by a subreaper: the shim's view.
sr_bundle=$(make_bundle signals '{"process":{"args":["sleep","100"]}}')
for sig in TERM KILL; do
	want=$(printf 'pidfile=decimal-no-newline\nparent=yes\nstatus-created=created pid=N\nstatus-running=running pid=N\nexit=%s\nstatus-stopped=stopped pid=0' \
		"$([ $sig = TERM ] && echo 143 || echo 137)")
	for rt in $(runtimes); do
		bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
		got=$(timeout 60 "$subreaper" "$bin" "$tmp/root-$(name_of "$rt")" "$sr_bundle" "sig-$sig" "$sig" 2>&1)
		check "$(name_of "$rt") create/start/kill $sig under a subreaper" "$want" "$got"
	done
done
sr_exit=$(make_bundle exit7 '{"process":{"args":["sh","-c","echo out; exit 7"]}}')
want=$(printf 'pidfile=decimal-no-newline\nparent=yes\nstatus-created=created pid=N\nexit=7\nstatus-stopped=stopped pid=0')
for rt in $(runtimes); do
	bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
	got=$(timeout 60 "$subreaper" "$bin" "$tmp/root-$(name_of "$rt")" "$sr_exit" exit7 none 2>&1)
	check "$(name_of "$rt") create/start, exit 7 under a subreaper" "$want" "$got"
	check "$(name_of "$rt") the container's stdout is create's" "out" "$(cat "$sr_exit/stdout")"
done

# Errors for ids that do not exist, and usage errors (runc's messages).
# expect_error NAME WANT_STATUS MESSAGE_PART -- COMMAND...
expect_error() {
	local name=$1 want=$2 part=$3
	shift 4
	for rt in $(runtimes); do
		local err rc
		err=$($rt "$@" 2>&1 >/dev/null </dev/null)
		rc=$?
		if [ "$rc" != "$want" ] || ! grep -qF -- "$part" <<<"$err"; then
			bad "$(name_of "$rt") $name: want exit $want and '$part', got $rc: $err"
		elif [ "$rt" = M ] && [ -n "$part" ] && [ "$(grep -c . <<<"$err")" != 1 ]; then
			bad "msentry $name: want one line, got: $err"
		else
			ok "$(name_of "$rt") $name: $rc: $err"
		fi
	done
}
expect_error "state of an unknown id" 1 "container does not exist" -- state nosuch
expect_error "kill of an unknown id" 1 "container does not exist" -- kill nosuch KILL
expect_error "delete of an unknown id" 1 "container does not exist" -- delete nosuch
expect_error "start of an unknown id" 1 "container does not exist" -- start nosuch
expect_error "delete --force of an unknown id" 0 "" -- delete --force nosuch
expect_error "an id with a slash" 1 "invalid container ID format" -- state a/b
expect_error "the id .." 1 "invalid container ID format" -- state ..
expect_error "state without an id" 1 "requires exactly 1 argument" -- state

# Lifecycle errors on one container: created, then running, then stopped.
life=$(make_bundle life '{"process":{"args":["sh","-c","sleep 1"]}}')
for rt in $(runtimes); do
	n=$(name_of "$rt")
	$rt create --bundle "$life" life >/dev/null 2>&1 </dev/null
	expect_one() { # the same check, this runtime only
		local err rc
		err=$($rt "${@:4}" 2>&1 >/dev/null </dev/null)
		rc=$?
		if [ "$rc" = "$2" ] && grep -qF -- "$3" <<<"$err"; then ok "$n $1: $rc $err"; else bad "$n $1: want $2 '$3', got $rc: $err"; fi
	}
	expect_one "create of a taken id" 1 "container with given ID already exists" create --bundle "$life" life
	expect_one "kill with an unknown signal" 1 'unknown signal' kill life nosuch
	expect_one "kill 0 of a created container" 0 "" kill life 0
	expect_one "start" 0 "" start life
	expect_one "start twice" 1 "cannot start an already running container" start life
	expect_one "delete of a running container" 1 "cannot delete container life that is not stopped: running" delete life
	for _ in $(seq 50); do
		[ "$($rt state life 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
		sleep 0.1
	done
	check "$n state after exit" "stopped 0" "$($rt state life | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["status"], s["pid"])')"
	expect_one "kill of a stopped container" 1 "container not running" kill life TERM
	expect_one "start of a stopped container" 1 "cannot start a container that has stopped" start life
	expect_one "delete of a stopped container" 0 "" delete life
	expect_one "delete again" 1 "container does not exist" delete life
	# delete --force: a running container, then a half-created one.
	$rt run --detach --bundle "$sr_bundle" forced >/dev/null 2>&1 </dev/null
	pid=$($rt state forced | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
	expect_one "delete --force of a running container" 0 "" delete --force forced
	sleep 0.2
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
	check "$n the init is gone after delete --force" "gone" "$([ -z "$state" ] || [ "$state" = Z ] && echo gone || echo "$state")"
	mkdir -p "$tmp/root-$n/half"
	expect_one "delete --force of a half-created container" 0 "" delete --force half
	check "$n the half-created directory is removed" "no" "$([ -e "$tmp/root-$n/half" ] && echo yes || echo no)"
done

# A running container reached from outside: exec, ps, pause/resume, events,
# kill --all (msentry: the sentry's control channel). The init counts in a
# file; each runtime has its own files in the shared rootfs.
for rt in $(runtimes); do
	n=$(name_of "$rt")
	cb=$(make_bundle "ctl-$n" '{"root":{"readonly":false},"process":{"args":["sh","-c","echo init-wrote >/tmp/x-'"$n"'; i=0; while :; do i=$((i+1)); echo $i >/tmp/count-'"$n"'; sleep 0.1; done"]}}')
	$rt run --detach --bundle "$cb" ctl >/dev/null 2>&1 </dev/null
	for _ in $(seq 50); do
		[ -s "$rootfs/tmp/count-$n" ] && break
		sleep 0.1
	done
	out=$($rt exec ctl sh -c 'echo hi; exit 3' </dev/null 2>&1)
	check "$n exec: output and exit status" "hi 3" "$out $?"
	check "$n exec --env --cwd" "bar /tmp" \
		"$($rt exec --env FOO=bar --cwd /tmp ctl sh -c 'echo $FOO $(pwd)' </dev/null 2>&1)"
	check "$n exec sees the init's files" "init-wrote" "$($rt exec ctl cat "/tmp/x-$n" </dev/null 2>&1)"
	check "$n exec: ps inside shows the init and itself" "init exec" \
		"$($rt exec ctl ps -o args </dev/null 2>&1 | awk -v f="/tmp/count-$n" 'index($0, f) {i="init"} /ps -o args$/ {e="exec"} END {print i, e}')"
	printf '{"args":["sh","-c","echo from-process $A; exit 4"],"env":["PATH=/bin","A=1"],"cwd":"/"}' >"$tmp/process-$n.json"
	out=$($rt exec --process "$tmp/process-$n.json" ctl </dev/null 2>&1)
	check "$n exec --process FILE" "from-process 1 4" "$out $?"
	check "$n exec --detach: the pid file's process has the exec's status" \
		"$(printf 'pidfile=decimal-no-newline\nparent=yes\nexit=5')" \
		"$(timeout 60 "$subreaper" --exec "$tmp/e-$n.pid" -- "$([ "$rt" = M ] && echo "$msentry" || echo runc)" \
			--root "$tmp/root-$n" exec --detach --pid-file "$tmp/e-$n.pid" ctl sh -c 'sleep 0.2; exit 5')"
	# exec with a terminal, as containerd's shim asks for `ctr task exec -t`:
	# --detach, --console-socket, "terminal": true in --process. A new
	# pty; the process leads a session (field 6 of its stat is its pid)
	# with it as its terminal: ^C reaches its group as SIGINT.
	python3 - "$tmp/ttyexec-$n.json" "$tmp/intrexec-$n.json" <<'PY'
import json, sys
proc = lambda script: {"terminal": True, "args": ["sh", "-c", script], "env": ["PATH=/bin"], "cwd": "/"}
json.dump(proc('read l; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo isatty; stty size; '
               'set -- $(cat /proc/$$/stat); [ "$6" = $$ ] && echo leader; echo got:$l; exit 3'),
          open(sys.argv[1], "w"))
json.dump(proc("trap 'echo got INT; exit 4' INT; echo ready; while :; do sleep 0.2; done"),
          open(sys.argv[2], "w"))
PY
	bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
	check "$n exec --tty --console-socket: master received, size, leader, input, exit" \
		"$(printf 'received=1 name=nonempty\nexit=3\nisatty\n33 77\nleader\ngot:typed')" \
		"$(timeout 90 python3 "$console" --exec "$bin" "$tmp/root-$n" "$tmp/ttyexec-$n.json" ctl 33 77 $'typed\n' 2>&1)"
	check "$n exec --tty: ^C on its terminal is SIGINT to its group" \
		"$(printf 'received=1 name=nonempty\nexit=4\nready\n^Cgot INT')" \
		"$(timeout 90 python3 "$console" --exec "$bin" "$tmp/root-$n" "$tmp/intrexec-$n.json" ctl 33 77 INTR 2>&1)"
	check "$n ps --format json: an array of pids" "ok" \
		"$($rt ps --format json ctl | python3 -c 'import json,sys; a=json.load(sys.stdin); print("ok" if a and all(isinstance(p, int) and p > 0 for p in a) else a)')"
	$rt pause ctl >/dev/null 2>&1
	check "$n state after pause" "paused" "$($rt state ctl | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
	a=$(cat "$rootfs/tmp/count-$n")
	sleep 0.5
	b=$(cat "$rootfs/tmp/count-$n")
	check "$n pause: the counter does not advance" "same" "$([ "$a" = "$b" ] && echo same || echo "$a then $b")"
	expect_one() {
		local err rc
		err=$($rt "${@:4}" 2>&1 >/dev/null </dev/null)
		rc=$?
		if [ "$rc" = "$2" ] && grep -qF -- "$3" <<<"$err"; then ok "$n $1: $rc $err"; else bad "$n $1: want $2 '$3', got $rc: $err"; fi
	}
	expect_one "pause of a paused container" 1 "container not running" pause ctl
	expect_one "resume" 0 "" resume ctl
	check "$n state after resume" "running" "$($rt state ctl | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
	sleep 0.5
	c=$(cat "$rootfs/tmp/count-$n")
	check "$n resume: the counter advances again" "advanced" "$([ "$c" != "$b" ] && echo advanced || echo "stuck at $c")"
	expect_one "resume of a running container" 1 "container not paused" resume ctl
	expect_one "exec --tty --detach without --console-socket" 255 \
		"cannot allocate tty if runc will detach without setting console socket" exec -t -d ctl true
	check "$n events --stats: one stats object" "stats ctl int" \
		"$($rt events --stats ctl | python3 -c 'import json,sys; e=json.loads(sys.stdin.readline()); print(e["type"], e["id"], type(e["data"]["pids"]["current"]).__name__)')"
	expect_one "kill --all" 0 "" kill --all ctl TERM
	for _ in $(seq 50); do
		[ "$($rt state ctl 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
		sleep 0.1
	done
	check "$n kill --all: stopped" "stopped" "$($rt state ctl | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
	expect_one "exec into a stopped container" 255 "cannot exec in a stopped container" exec ctl true
	expect_one "exec into an unknown container" 255 "container does not exist" exec nosuch true
	expect_one "pause of a stopped container" 1 "container not running" pause ctl
	$rt delete ctl >/dev/null 2>&1
	expect_one() { :; }
done
# Paused means paused: a SIGCONT to a job-control-stopped init while the
# container is paused lets it go on only after resume.
cb=$(make_bundle ctl-cont '{"root":{"readonly":false},"process":{"args":["sh","-c","i=0; while :; do i=$((i+1)); echo $i >/tmp/count-cont; sleep 0.1; done"]}}')
M run --detach --bundle "$cb" cont >/dev/null 2>&1 </dev/null
for _ in $(seq 50); do
	[ -s "$rootfs/tmp/count-cont" ] && break
	sleep 0.1
done
M exec cont kill -STOP 1 </dev/null
M pause cont
M kill --all cont CONT
a=$(cat "$rootfs/tmp/count-cont")
sleep 0.5
b=$(cat "$rootfs/tmp/count-cont")
check "msentry SIGCONT while paused: still paused" "same" "$([ "$a" = "$b" ] && echo same || echo "$a then $b")"
M resume cont
sleep 0.5
c=$(cat "$rootfs/tmp/count-cont")
check "msentry SIGCONT while paused: goes on after resume" "advanced" "$([ "$c" != "$b" ] && echo advanced || echo "stuck at $c")"
M delete --force cont >/dev/null 2>&1
# A dead sentry: the state file says running, nobody serves the channel.
cb=$(make_bundle ctl-dead '{"process":{"args":["sleep","100"]}}')
M run --detach --bundle "$cb" dead >/dev/null 2>&1 </dev/null
sleep 0.3
mv "$tmp/root-msentry/dead/control.sock" "$tmp/root-msentry/dead/control.sock.gone"
out=$(M exec dead true 2>&1 </dev/null)
check "msentry exec with nobody on the channel" "msentry: exec failed: container not running 255" "$out $?"
M delete --force dead >/dev/null 2>&1
# Untrusted requests on the channel: each one error reply (an empty message
# closes the connection), no fd left open in the sentry, still serving.
cb=$(make_bundle ctl-bad '{"process":{"args":["sleep","100"]}}')
M run --detach --bundle "$cb" bad >/dev/null 2>&1 </dev/null
sleep 0.3
bad_pid=$(M state bad | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
fds_before=$(ls "/proc/$bad_pid/fd" | wc -l)
got=$(timeout 60 python3 "$(dirname "$subreaper")/control_bad.py" "$tmp/root-msentry/bad/control.sock")
check "msentry control channel: malformed requests get errors" \
	"closed $(printf 'error %.0s' $(seq 21))ok ok" "$(awk -F': ' '{printf "%s ", $2}' <<<"$got" | sed 's/ $//')"
check "msentry control channel: no fd leaked" "$fds_before" "$(ls "/proc/$bad_pid/fd" | wc -l)"
check "msentry control channel: still serving" "yes" "$(M exec bad echo yes 2>&1 </dev/null)"
M delete --force bad >/dev/null 2>&1

# state/list/ps/spec/features print valid JSON, with runc's keys.
annotated=$(make_bundle annotated '{"process":{"args":["sleep","100"]},"annotations":{"z.last":"1","a.first":"2"}}')
json_ok() { python3 -m json.tool >/dev/null 2>&1 && echo valid || echo invalid; }
for rt in $(runtimes); do
	n=$(name_of "$rt")
	check "$n list --format json with no container" "null" "$($rt list --format json)"
	$rt create --bundle "$sr_bundle" q1 >/dev/null 2>&1 </dev/null
	check "$n state keys" "ociVersion id pid status bundle rootfs created owner" \
		"$($rt state q1 | python3 -c 'import json,sys; print(*json.load(sys.stdin))')"
	check "$n state bundle and rootfs" "$sr_bundle $rootfs created" \
		"$($rt state q1 | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["bundle"], s["rootfs"], s["status"])')"
	check "$n state created: RFC 3339 with nanoseconds" "ok" \
		"$($rt state q1 | python3 -c 'import json,sys,re; s=json.load(sys.stdin); print("ok" if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", s["created"]) else s["created"])')"
	check "$n list --format json" "valid" "$($rt list --format json | json_ok)"
	check "$n list -q" "q1" "$($rt list -q)"
	check "$n list table header" "ID PID STATUS BUNDLE CREATED OWNER" "$($rt list | head -1 | tr -s ' ')"
	check "$n list table row" "q1 created $sr_bundle root" "$($rt list | awk 'NR==2 {print $1, $3, $4, $6}')"
	check "$n ps --format json" "[$($rt state q1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')]" "$($rt ps --format json q1)"
	check "$n ps table has the init" "1" "$($rt ps q1 | awk -v p="$(cat /dev/null)" 'NR>1' | wc -l)"
	$rt delete --force q1 >/dev/null 2>&1
	$rt create --bundle "$annotated" q2 >/dev/null 2>&1 </dev/null
	check "$n state with annotations: runc's keys, annotations sorted" \
		"ociVersion id pid status bundle rootfs created annotations owner | a.first z.last" \
		"$($rt state q2 | python3 -c 'import json,sys; s=json.load(sys.stdin); print(*s, "|", *s["annotations"])')"
	$rt delete --force q2 >/dev/null 2>&1
	check "$n features" "valid" "$($rt features | json_ok)"
	mkdir -p "$tmp/spec-$n"
	(cd "$tmp/spec-$n" && $rt spec) && check "$n spec in the current directory" "valid" "$(json_ok <"$tmp/spec-$n/config.json")"
	expect_one() { :; }
done
check "spec: runc's defaults" "sh True True rootfs /" \
	"$(python3 -c 'import json; c=json.load(open("'"$tmp/spec-msentry/config.json"'")); print(c["process"]["args"][0], c["process"]["terminal"], c["root"]["readonly"], c["root"]["path"], c["process"]["cwd"])')"
if [ "$have_runc" = 1 ]; then
	check "spec: the same document as runc's" "same" "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print("same" if a==b else "differ")' "$tmp/spec-msentry/config.json" "$tmp/spec-runc/config.json")"
	mkdir -p "$tmp/rl-m" "$tmp/rl-r"
	"$msentry" spec --rootless --bundle "$tmp/rl-m"
	runc spec --rootless --bundle "$tmp/rl-r"
	check "spec --rootless: the same document as runc's" "same" "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print("same" if a==b else "differ")' "$tmp/rl-m/config.json" "$tmp/rl-r/config.json")"
fi
expect_error "spec over an existing config.json" 1 "exists" -- spec --bundle "$tmp/spec-msentry"

# A bad config.json: one line naming the field, exit 1, and nothing left
# behind (no state directory, no process), also for a failure inside the
# init (an rlimit the kernel refuses).
badcfg=$(make_bundle badcfg '{"process":{"args":[]}}')
rlim=$(make_bundle badrlimit '{"process":{"args":["true"],"rlimits":[{"type":"RLIMIT_NOFILE","soft":1073741824,"hard":1073741824}]}}')
tty=$(make_bundle tty '{"process":{"args":["true"],"terminal":true}}')
noexe=$(make_bundle noexe '{"process":{"args":["nosuchprogram"]}}')
failing_create() { # NAME BUNDLE MESSAGE
	local log=$tmp/log-$1.json got
	got=$("$subreaper" --leftovers "$msentry" --root "$tmp/root-msentry" --log "$log" \
		--log-format json create --bundle "$2" "$1")
	check "msentry create with $1: exit, one line, no process" \
		"$(printf 'exit=1\nstderr=msentry: %s\nleftovers=none' "$3")" "$got"
	check "msentry create with $1: no state directory" "no" \
		"$([ -e "$tmp/root-msentry/$1" ] && echo yes || echo no)"
	check "msentry create with $1: the log's JSON line" "error $3" \
		"$(python3 -c 'import json,sys; l=json.loads(open(sys.argv[1]).readlines()[-1]); print(l["level"], l["msg"])' "$log")"
}
failing_create badcfg "$badcfg" "config.json: process.args: must be a non-empty array of strings"
failing_create badrlimit "$rlim" "process.rlimits: cannot set RLIMIT_NOFILE: Operation not permitted"
failing_create tty "$tty" 'cannot allocate tty if runc will detach without setting console socket'
failing_create noexe "$noexe" 'exec: "nosuchprogram": executable file not found in $PATH'
expect_error "create with a missing program (runc's message)" 1 \
	'executable file not found in $PATH' -- create --bundle "$noexe" noexe2

# process.terminal: the console socket gets the pty master (one fd, a
# name); the container's stdio is the slave, with the size set on the
# master. runc's errors for a terminal without a socket and the reverse.
expect_error "create with a terminal and no --console-socket" 1 \
	"cannot allocate tty if runc will detach without setting console socket" -- create --bundle "$tty" tty2
expect_error "--console-socket without a terminal" 1 \
	"cannot use console socket if runc will not detach or allocate tty" -- create --bundle "$noexe" --console-socket "$tmp/x.sock" nt
expect_error "--console-socket with run in the foreground" 1 \
	"cannot use console socket if runc will not detach or allocate tty" -- run --bundle "$tty" --console-socket "$tmp/x.sock" fg
expect_error "a console socket nobody listens on" 1 "dial unix $tmp/nosuch.sock: connect: " \
	-- create --bundle "$tty" --console-socket "$tmp/nosuch.sock" nosock
expect_error "run with a terminal and no terminal on stdin" 1 "open /dev/tty: " -- run --bundle "$tty" notty
check "no container is left by the failed terminal cases" "" "$(M list -q)"
ttyb=$(make_bundle ttyrun '{"process":{"terminal":true,"args":["sh","-c","[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo isatty; stty size; read line; echo got:$line; exit 4"]}}')
for rt in $(runtimes); do
	bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
	got=$(timeout 90 python3 "$console" "$bin" "$tmp/root-$(name_of "$rt")" "$ttyb" "con-$rt" 33 77 $'typed\n' 2>&1)
	check "$(name_of "$rt") create --console-socket: master received, size, input, exit" \
		"$(printf 'received=1 name=nonempty\nexit=4\nisatty\n33 77\ngot:typed')" "$got"
done

winchb=$(make_bundle winch '{"process":{"terminal":true,"args":["sh","-c","trap \"stty size; exit 5\" WINCH; echo ready; while :; do sleep 0.2; done"]}}')
for rt in $(runtimes); do
	bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
	got=$(timeout 90 python3 "$console" "$bin" "$tmp/root-$(name_of "$rt")" "$winchb" "winch-$rt" 33 77 WINCH 2>&1)
	check "$(name_of "$rt") a resize of the console reaches the program as SIGWINCH" \
		"$(printf 'received=1 name=nonempty\nexit=5\nready\n40 100')" "$got"
done

# The container's /dev/pts lists its own terminal, under the name tty(1)
# and its /proc/self/fd link give, owned as runc's devpts leaves it
# (mode 620, group tty), and nothing else: a pty the host holds (opened
# here first) is neither listed nor reachable by its number.
python3 -c 'import os, time; m, s = os.openpty(); print(os.ttyname(s).rsplit("/", 1)[1], flush=True); time.sleep(300)' >"$tmp/hostpty" &
hostpty_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$tmp/hostpty" ] && break; sleep 0.2; done
# /dev/pts/.. leaves the devpts mount: it once freed a path twice and
# crashed the sentry (sentry/fs/devpts.c).
run_case pts-dotdot "$(printf 'directory\nalive')" 0 \
	'{"process":{"args":["sh","-c","ls -la /dev/pts/ >/dev/null; stat -c %F /dev/pts/..; echo alive"]}}'
hostn=$(cat "$tmp/hostpty")
ptsb=$(make_bundle ptslist '{"process":{"terminal":true,"args":["sh","-c","t=$(tty); l=$(ls /dev/pts | grep -v ptmx); [ \"/dev/pts/$l\" = \"$t\" ] && echo only-own; [ \"$(readlink /proc/self/fd/0)\" = \"$t\" ] && echo fd-link; { [ \"/dev/pts/'"$hostn"'\" = \"$t\" ] || ! [ -e /dev/pts/'"$hostn"' ]; } && echo host-pty-hidden; stat -c %a:%g $t"]}}')
for rt in $(runtimes); do
	bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
	got=$(timeout 90 python3 "$console" "$bin" "$tmp/root-$(name_of "$rt")" "$ptsb" "pts-$rt" 33 77 2>&1)
	check "$(name_of "$rt") /dev/pts lists the container's terminal alone (host pty $hostn held)" \
		"$(printf 'received=1 name=nonempty\nexit=0\nonly-own\nfd-link\nhost-pty-hidden\n620:5')" "$got"
done
kill "$hostpty_pid" 2>/dev/null
wait "$hostpty_pid" 2>/dev/null
# msentry only (runc's /dev/pts is a new instance): a pty master passed in
# (--preserve-fds) counts as held, its slave listed and opened (stat too)
# under the host's number.
masterb=$(make_bundle ptsmaster '{"process":{"args":["sh","-c","ls /dev/pts; stat -c %F /dev/pts/$(ls /dev/pts); exec 4<>/dev/pts/$(ls /dev/pts) && tty <&4"]}}')
got=$(python3 - "$msentry" "$tmp/root-msentry" "$masterb" <<'PY'
import os, subprocess, sys
m, s = os.openpty()
n = os.ttyname(s).rsplit("/", 1)[1]
os.close(s)
os.dup2(m, 3)
r = subprocess.run(["timeout", "-k", "5", "60", sys.argv[1], "--root", sys.argv[2], "run",
                    "--preserve-fds", "1", "--bundle", sys.argv[3], "ptsmaster"],
                   pass_fds=(3,), capture_output=True, text=True)
print(r.stdout.replace(n, "N") + f"status={r.returncode}")
PY
)
check "msentry: a pty master passed in lists and opens its slave" \
	"$(printf 'N\ncharacter special file\n/dev/pts/N\nstatus=0')" "$got"

# run in the foreground with a terminal on stdin (script provides one):
# runc and msentry relay through a pty of their own, its size the
# caller's terminal's.
if command -v script >/dev/null; then
	fgb=$(make_bundle ttyfg '{"process":{"terminal":true,"args":["sh","-c","[ -t 0 ] && echo isatty; stty size; exit 3"]}}')
	for rt in $(runtimes); do
		bin=$([ "$rt" = M ] && echo "$msentry" || echo runc)
		got=$(timeout -k 5 90 script -qc "stty rows 33 cols 77; timeout --foreground -k 5 60 $bin --root $tmp/root-$(name_of "$rt") run --bundle $fgb fg-$rt 2>/dev/null; echo status=\$?" /dev/null </dev/null | tr -d '\r\0' | sed 's/\^@//g')
		check "$(name_of "$rt") run with a terminal on stdin" "$(printf 'isatty\n33 77\nstatus=3')" "$got"
	done
fi

# linux.sysctl: only the keys of the container's own namespaces; another
# fails create with runc's message, and so does a net.* key without a
# network namespace; kernel.hostname and kernel.domainname are refused
# (the config's own fields set them).
nonet='[{"type":"ipc"},{"type":"uts"},{"type":"mount"}]'
b=$(make_bundle sysctl-bad '{"process":{"args":["true"]},"linux":{"sysctl":{"kernel.pid_max":"40000"}}}')
expect_error "linux.sysctl: a key of no namespace" 1 'is not in a separate kernel namespace' -- run --bundle "$b" sc1
b=$(make_bundle sysctl-nonet '{"process":{"args":["true"]},"linux":{"namespaces":'"$nonet"',"sysctl":{"net.ipv4.ip_forward":"1"}}}')
expect_error "linux.sysctl: net.* without a network namespace" 1 "not allowed in host network namespace" -- run --bundle "$b" sc2
b=$(make_bundle sysctl-host '{"process":{"args":["true"]},"linux":{"sysctl":{"kernel.hostname":"h"}}}')
expect_error "linux.sysctl: kernel.hostname" 1 "is not allowed as it conflicts with the OCI" -- run --bundle "$b" sc3
# The IPC namespace's keys reach the container's /proc/sys (the sentry's
# parameters; runc writes them in the container's IPC namespace), and a
# value Linux refuses fails create.
run_case sysctl-ipc "$(printf '1000\n4000\n32000\t1024000000\t500\t12')" 0 \
	'{"process":{"args":["sh","-c","cat /proc/sys/kernel/shmmni /proc/sys/kernel/msgmax /proc/sys/kernel/sem"]},"linux":{"sysctl":{"kernel.shmmni":"1000","kernel.msgmax":"4000","kernel.sem":"32000 1024000000 500 12"}}}'
b=$(make_bundle sysctl-ipc-bad '{"process":{"args":["true"]},"linux":{"sysctl":{"kernel.msgmax":"abc"}}}')
expect_error "linux.sysctl: an IPC value Linux refuses" 1 "msgmax" -- run --bundle "$b" sc4

# Network namespaces: the sentry makes the container's sockets, in the
# namespace config.json names (joined: `ip netns add`) or in a new one
# with its loopback up. A port bound in the container is bound there,
# not in the host's namespace.
listening() { # NETNS|- PORT: yes if something listens on PORT there
	local ss=(ss -Hltn "sport = :$2")
	[ "$1" = - ] || ss=(ip netns exec "$1" "${ss[@]}")
	[ -n "$("${ss[@]}" 2>/dev/null)" ] && echo yes || echo no
}
b=$(make_bundle netlo '{"process":{"args":["sh","-c","nc -l -p 7781 & sleep 0.5; echo over-lo | nc 127.0.0.1 7781; wait"]}}')
for rt in $(runtimes); do
	check "$(name_of "$rt") a new network namespace: its loopback is up" "over-lo" \
		"$($rt run --bundle "$b" "netlo-$rt" 2>&1 </dev/null)"
done
netns=msentry-test-$$
if command -v ip >/dev/null && command -v ss >/dev/null && ip netns add "$netns" 2>/dev/null; then
	port=7782
	for rt in $(runtimes); do
		port=$((port + 1))
		b=$(make_bundle "netjoin-$rt" '{"process":{"args":["nc","-l","-p","'"$port"'"]},"linux":{"namespaces":[{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network","path":"/var/run/netns/'"$netns"'"}],"sysctl":{"net.ipv4.ip_unprivileged_port_start":"'"$port"'"}}}')
		$rt run --detach --bundle "$b" "netjoin-$rt" >/dev/null 2>&1 </dev/null
		for _ in $(seq 50); do
			[ "$(listening "$netns" "$port")" = yes ] && break
			sleep 0.1
		done
		check "$(name_of "$rt") a joined network namespace: the port is bound in it, not in the host's" \
			"yes no" "$(listening "$netns" "$port") $(listening - "$port")"
		check "$(name_of "$rt") linux.sysctl: a net.* key written in the joined namespace" \
			"$port" "$(ip netns exec "$netns" cat /proc/sys/net/ipv4/ip_unprivileged_port_start)"
		$rt delete --force "netjoin-$rt" >/dev/null 2>&1
	done
	b=$(make_bundle netbad '{"process":{"args":["true"]},"linux":{"namespaces":[{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"network","path":"/var/run/netns/nosuch-'"$$"'"}]}}')
	expect_error "a network namespace path that does not exist" 1 "/var/run/netns/nosuch-$$" -- run --bundle "$b" netbad
	ip netns del "$netns"
else
	echo "ip netns add not possible here: the joined-namespace case is skipped"
fi

# Hooks: each appends "KIND STATUS ID pid|nopid" (from the state on its
# stdin) to a log in the rootfs. startContainer runs in the container for
# runc (cwd /) and in the rootfs for msentry: a relative path fits both.
# hooks_patch FAILING_KIND ID: the config's hooks, FAILING_KIND exiting 3.
hooks_patch() {
	python3 - "$rootfs" "$1" "$2" <<'PY'
import json, sys
rootfs, failing, cid = sys.argv[1:]
script = r'''s=$(cat); st=$(echo "$s" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'); id=$(echo "$s" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p'); case $s in *'"pid":'*) p=pid;; *) p=nopid;; esac; echo "$0 $st $id $p" >> $1'''
hooks = {}
for k in ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]:
    log = ("" if k == "startContainer" else rootfs + "/") + "tmp/hooks-" + cid + ".log"
    hooks[k] = [{"path": "/bin/sh", "args": ["sh", "-c", script + ("; exit 3" if k == failing else ""), k, log]}]
print(json.dumps({"root": {"readonly": False}, "process": {"args": ["true"]}, "hooks": hooks}))
PY
}
hooks_log() { grep -v "^$2 " "$rootfs/tmp/hooks-$1.log" 2>/dev/null | tr '\n' '|'; }
for rt in $(runtimes); do
	n=$(name_of "$rt")
	hb=$(make_bundle "hooks-$n" "$(hooks_patch none "hk-$n")")
	$rt create --bundle "$hb" "hk-$n" >/dev/null 2>&1 </dev/null
	$rt start "hk-$n" >/dev/null 2>&1
	for _ in $(seq 50); do
		[ "$($rt state "hk-$n" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
		sleep 0.1
	done
	$rt delete "hk-$n" >/dev/null 2>&1
	# runc 1.1 runs poststart during create (runc#4347, moved to start in
	# runc#5186): compared without it, then msentry's alone.
	check "$n hooks: order and states (poststart aside)" \
		"prestart creating hk-$n pid|createRuntime creating hk-$n pid|createContainer creating hk-$n pid|startContainer created hk-$n pid|poststop stopped hk-$n nopid|" \
		"$(hooks_log "hk-$n" poststart)"
	fb=$(make_bundle "hookfail-$n" "$(hooks_patch prestart "hf-$n")")
	err=$($rt create --bundle "$fb" "hf-$n" 2>&1 >/dev/null </dev/null)
	rc=$?
	check "$n a failing prestart hook fails create" "1 yes" "$rc $(grep -q 'hook #0: .*exit status 3' <<<"$err" && echo yes)"
	check "$n a failing prestart hook: nothing left, poststop run" "none|prestart creating hf-$n pid|poststop stopped hf-$n nopid|" \
		"$($rt list -q | grep -c "hf-$n" | sed 's/^0$/none/')|$(hooks_log "hf-$n" none)"
done
check "msentry hooks: poststart after startContainer, running" \
	"startContainer created hk-msentry pid|poststart running hk-msentry pid|" \
	"$(grep -e ^startContainer -e ^poststart "$rootfs/tmp/hooks-hk-msentry.log" | tr '\n' '|')"
for kind in startContainer poststart; do
	fb=$(make_bundle "hookfail-$kind" "$(hooks_patch "$kind" "hf-$kind")")
	err=$(M run --bundle "$fb" "hf-$kind" 2>&1 >/dev/null </dev/null)
	rc=$?
	check "msentry a failing $kind hook fails run, runs poststop, leaves nothing" \
		"1 error running $kind hook #0: exit status 3 poststop none" \
		"$rc $(grep -o "error running $kind hook #0: exit status 3" <<<"$err" | head -1) $(grep -o '^poststop' "$rootfs/tmp/hooks-hf-$kind.log") $(M list -q | grep -c "hf-$kind" | sed 's/^0$/none/')"
done
bad_hook=$(make_bundle hookbad '{"hooks":{"poststop":[{"path":"/bin/true","args":"true"}]}}')
check "msentry a hook's args not an array: one line naming the field" \
	"msentry: config.json: hooks.poststop[0].args: must be an array of strings 1" \
	"$(M create --bundle "$bad_hook" hb 2>&1 </dev/null) $(M create --bundle "$bad_hook" hb >/dev/null 2>&1 </dev/null; echo $?)"

# --debug with --log-format json: debug lines, then the error as the last
# line, every line JSON (runc's shape), for a failed create.
for rt in $(runtimes); do
	n=$(name_of "$rt")
	$rt --log "$tmp/debug-$n.json" --log-format json --debug create --bundle "$noexe" "dbg-$n" \
		>/dev/null 2>&1 </dev/null
	check "$n --debug --log-format json: debug lines, the error last" "debug error" \
		"$(python3 -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; print("debug" if any(x["level"] == "debug" for x in l) else "no-debug", l[-1]["level"])' "$tmp/debug-$n.json")"
done

# --log: created even when nothing is logged; the text format.
"$msentry" --root "$tmp/root-msentry" --log "$tmp/empty.log" list >/dev/null
check "--log is created even when empty" "exists 0" "$([ -e "$tmp/empty.log" ] && echo exists) $(wc -c <"$tmp/empty.log")"
"$msentry" --root "$tmp/root-msentry" --log "$tmp/text.log" state nosuch 2>/dev/null
check "--log text line" 'level=error msg="container does not exist"' "$(sed 's/^time="[^"]*" //' "$tmp/text.log")"
unsupported=$(M checkpoint x 2>&1)
check "a command not supported yet" "msentry: checkpoint is not supported yet 1" "$unsupported $(M checkpoint x >/dev/null 2>&1; echo $?)"
check "runc's names: msentry oci ..." "1" "$("$msentry" oci --root "$tmp/root-msentry" state nosuch 2>/dev/null; echo $?)"

# --preserve-fds 1: fd 3 reaches the container.
pres=$(make_bundle preserve '{"process":{"args":["sh","-c","echo via-fd-3 >&3"]}}')
for rt in $(runtimes); do
	: >"$tmp/fd3-$rt"
	$rt run --preserve-fds 1 --bundle "$pres" "preserve-$rt" 3>"$tmp/fd3-$rt" </dev/null >/dev/null 2>&1
	check "$(name_of "$rt") run --preserve-fds 1" "via-fd-3" "$(cat "$tmp/fd3-$rt")"
done

# --preserve-fds 2: fds 3 and 4 reach the container, fd 5 and a stray
# fd 63 (inherited, not preserved) do not. The container reports what it
# could read into the preserved fds, judged from the host-side files.
pres2=$(make_bundle preserve2 '{"process":{"args":["sh","-c","echo three >&3; echo four >&4; for f in 5 63; do if cat /proc/self/fd/$f >/dev/null 2>&1 || [ -e /proc/self/fd/$f ]; then echo fd$f-open >&3; fi; done"]}}')
echo hostsecret >"$tmp/stray"
for rt in $(runtimes); do
	: >"$tmp/p3-$rt"
	: >"$tmp/p4-$rt"
	$rt run --preserve-fds 2 --bundle "$pres2" "preserve2-$rt" 3>"$tmp/p3-$rt" 4>"$tmp/p4-$rt" \
		5<"$tmp/stray" 63<"$tmp/stray" </dev/null >/dev/null 2>&1
	check "$(name_of "$rt") run --preserve-fds 2: fds 3, 4 only" "three four" \
		"$(cat "$tmp/p3-$rt") $(cat "$tmp/p4-$rt")"
done

# The container's view, served by the sentry: host name, user.
run_case hostname "$(printf 'ctr1\nctr1\nctr1')" 0 \
	'{"hostname":"ctr1","process":{"args":["sh","-c","hostname; cat /proc/sys/kernel/hostname; uname -n"]}}'
run_case user "$(printf 'uid=1000 gid=1000 groups=5,7\nsh: can'"'"'t create /rootfile: Permission denied\nsecret\n-rw-r--r-- 1000 1000 /tmp/mine')" 0 \
	'{"root":{"readonly":false},"process":{"user":{"uid":1000,"gid":1000,"additionalGids":[5,7]},"args":["sh","-c","id; (echo x >>/rootfile) 2>&1; cat /rootfile; rm -f /tmp/mine; touch /tmp/mine; ls -ln /tmp/mine | awk \"{print \\$1, \\$3, \\$4, \\$NF}\"; rm /tmp/mine"]}}'

# process.capabilities: the sandbox's view (capget, /proc/self/status),
# applied after exec as Linux does for root, and enforced: chown without
# CAP_CHOWN and sethostname without CAP_SYS_ADMIN are refused.
caps_status() { printf 'CapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t0000000000000000' "$1" "$1" "$1"; }
run_case caps-default "$(caps_status 0000000020000420; printf '\nhostname: sethostname: Operation not permitted')" 0 \
	'{"process":{"args":["sh","-c","grep Cap /proc/self/status; hostname other 2>&1; true"]}}'
docker_caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"'
chown_script='grep Cap /proc/self/status; rm -f /tmp/capx; touch /tmp/capx; chown 1:1 /tmp/capx 2>&1; ls -ln /tmp/capx | awk \"{print \\$3, \\$4}\"; rm /tmp/capx'
run_case caps-chown "$(caps_status 00000000a80425fb; printf '\n1 1')" 0 \
	'{"root":{"readonly":false},"process":{"capabilities":{"bounding":['"$docker_caps"'],"effective":['"$docker_caps"'],"permitted":['"$docker_caps"']},"args":["sh","-c","'"$chown_script"'"]}}'
no_chown=${docker_caps#\"CAP_CHOWN\",}
run_case caps-no-chown "$(caps_status 00000000a80425fa; printf '\nchown: /tmp/capx: Operation not permitted\n0 0')" 0 \
	'{"root":{"readonly":false},"process":{"capabilities":{"bounding":['"$no_chown"'],"effective":['"$no_chown"'],"permitted":['"$no_chown"']},"args":["sh","-c","'"$chown_script"'"]}}'

# process.noNewPrivileges (on in `spec`'s default) is the first process's
# no_new_privs, inherited by its children.
run_case nnp-default "$(printf 'NoNewPrivs:\t1\nNoNewPrivs:\t1')" 0 \
	'{"process":{"args":["sh","-c","grep NoNewPrivs /proc/self/status; sh -c \"grep NoNewPrivs /proc/self/status\""]}}'
run_case nnp-off "$(printf 'NoNewPrivs:\t0')" 0 \
	'{"process":{"noNewPrivileges":false,"args":["grep","NoNewPrivs","/proc/self/status"]}}'

# Mounts, read-only and masked paths: the sentry's mount table.
run_case ro-root "touch: /x: Read-only file system" 1 '{"process":{"args":["sh","-c","touch /x 2>&1"]}}'
run_case readonly-paths "$(printf 'sh: can'"'"'t create /ro-dir/g: Read-only file system\nrm: can'"'"'t remove '"'"'/ro-dir/f'"'"': Read-only file system\nkept\nok')" 0 \
	'{"root":{"readonly":false},"linux":{"readonlyPaths":["/ro-dir"]},"process":{"args":["sh","-c","(echo x >/ro-dir/g) 2>&1; rm /ro-dir/f 2>&1; cat /ro-dir/f; echo ok >/tmp/rw-ok; cat /tmp/rw-ok; rm /tmp/rw-ok"]}}'
run_case masked-paths "$(printf 'file:[]\ndir:0\nkcore:[]')" 0 \
	'{"linux":{"maskedPaths":["/secret-file","/secret-dir","/no/such/path"]},"process":{"args":["sh","-c","echo file:[$(cat /secret-file)]; echo dir:$(ls /secret-dir | wc -l); echo kcore:[$(cat /proc/kcore 2>/dev/null | head -c 10)]"]}}'
run_case masked-as-user "$(printf 'crw-rw-rw- 1,3\nwrote\nshm-ok')" 0 \
	'{"linux":{"maskedPaths":["/secret-file"]},"process":{"user":{"uid":1000,"gid":1000},"args":["sh","-c","echo $(ls -ln /secret-file | cut -c1-10) $(stat -c %t,%T /secret-file); cat /secret-file; echo x >/secret-file && echo wrote; touch /dev/shm/a && echo shm-ok"]}}'
mkdir -p "$tmp/bind-src"
echo from-host >"$tmp/bind-src/h"
base_mounts='{"destination":"/proc","type":"proc","source":"proc"},{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}'
run_case bind-rw "$(printf 'from-host\nwritten')" 0 \
	'{"mounts":['"$base_mounts"',{"destination":"/data","type":"bind","source":"'"$tmp/bind-src"'","options":["rbind","rw"]}],"process":{"args":["sh","-c","cat /data/h; echo written >/data/new-$$; cat /data/new-$$"]}}'
check "bind-rw: files written inside are on the host" "2" "$(cat "$tmp"/bind-src/new-* | grep -c written)"
run_case bind-ro "$(printf 'from-host\nsh: can'"'"'t create /data/x: Read-only file system')" 1 \
	'{"mounts":['"$base_mounts"',{"destination":"/data","type":"bind","source":"'"$tmp/bind-src"'","options":["rbind","ro"]}],"process":{"args":["sh","-c","cat /data/h; (echo x >/data/x) 2>&1"]}}'
run_case tmpfs-tmp "$(printf 'in-tmpfs\n/ /proc /dev /tmp')" 0 \
	'{"mounts":['"$base_mounts"',{"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["mode=1777"]}],"process":{"args":["sh","-c","echo in-tmpfs >/tmp/only-here; cat /tmp/only-here; echo $(awk \"{print \\$2}\" /proc/mounts | grep -x -e / -e /proc -e /dev -e /tmp)"]}}'
check "tmpfs-tmp: nothing reached the rootfs" "no" "$([ -e "$rootfs/tmp/only-here" ] && echo yes || echo no)"
# runc's default /dev, the same names (msentry makes no others).
run_case dev-listing "$(printf 'fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\nnull-ok')" 0 \
	'{"process":{"args":["sh","-c","ls /dev; echo x >/dev/null && echo null-ok"]}}'

run_case tmpfs-size "$(printf 'tmpfs 16384 4096\ntmpfs 16384 4096\nshm-ok')" 0 \
	'{"process":{"args":["sh","-c","stat -f -c \"%T %b %S\" /dev /dev/shm; touch /dev/shm/x && echo shm-ok"]}}'

run_case devices "$(printf 'crw-rw-rw- 10, 229\ncrw------- 1, 3\nok')" 0 \
	'{"linux":{"devices":[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":438,"uid":0,"gid":0},{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":384}]},"process":{"args":["sh","-c","ls -l /dev/fuse /dev/mynull | awk \"{print \\$1, \\$5, \\$6}\"; echo x >/dev/mynull && echo ok"]}}'

# Tracing a container (msentry only): the annotation dev.msentry.strace
# (a path relative to the bundle, or absolute) turns on the sentry's
# --strace into that file, dev.msentry.strace-json=true makes it JSON lines;
# the global --strace-log FILE traces a container without the annotation.
b=$(make_bundle strace '{"process":{"args":["sh","-c","echo traced >/dev/null; exit 2"]},"annotations":{"dev.msentry.strace":"trace.txt"}}')
out=$(M run --bundle "$b" strace1 2>&1 </dev/null)
check "msentry strace annotation: output, status" " 2" "$out $?"
check "msentry strace annotation: the program's syscalls in the file" "write exit_group" \
	"$(grep -o -e '^\[pid 1\] write(1, "traced\\n", 7) *= 7' -e '^\[pid 1\] exit_group(2)' "$b/trace.txt" | sed 's/^\[pid 1\] \([a-z_]*\).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
b=$(make_bundle strace-json "{\"process\":{\"args\":[\"true\"]},\"annotations\":{\"dev.msentry.strace\":\"$tmp/trace.json\",\"dev.msentry.strace-json\":\"true\"}}")
M run --bundle "$b" strace2 </dev/null >/dev/null 2>&1
check "msentry strace-json annotation: JSON lines with the program's exit_group" "json exit_group" \
	"$(python3 -c 'import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print("json", " ".join(e["syscall"] for e in ev if e.get("syscall") == "exit_group"))' "$tmp/trace.json" 2>&1)"
b=$(make_bundle strace-bad '{"process":{"args":["true"]},"annotations":{"dev.msentry.strace-json":"yes"}}')
check "msentry strace-json annotation: a bad value fails create in one line" \
	"msentry: annotation dev.msentry.strace-json: want true or false 1 " \
	"$(M run --bundle "$b" strace3 2>&1 </dev/null) $? $(M list -q | grep strace3)"
# dev.msentry.strace-summary: strace -c's table alone ("true"), or lines
# and the table ("both", -C).
b=$(make_bundle strace-sum '{"process":{"args":["sh","-c","exit 5"]},"annotations":{"dev.msentry.strace":"sum.txt","dev.msentry.strace-summary":"true"}}')
M run --bundle "$b" strace5 </dev/null >/dev/null 2>&1
check "msentry strace-summary annotation: status, a table without lines" "5 1 0" \
	"$? $(grep -c '^ *[0-9.]* *[0-9.]* *[0-9]* *[0-9]* *[0-9]* *exit_group$' "$b/sum.txt") $(grep -c '^\[pid' "$b/sum.txt")"
b=$(make_bundle strace-both '{"process":{"args":["sh","-c","exit 6"]},"annotations":{"dev.msentry.strace":"both.txt","dev.msentry.strace-summary":"both"}}')
M run --bundle "$b" strace6 </dev/null >/dev/null 2>&1
check "msentry strace-summary=both: lines and the table" "6 1 1" \
	"$? $(grep -c '^\[pid 1\] exit_group(6)' "$b/both.txt") $(grep -c '^ *[0-9.]* *[0-9.]* *[0-9]* *[0-9]* *[0-9]* *exit_group$' "$b/both.txt")"
b=$(make_bundle strace-global '{"process":{"args":["sh","-c","exit 4"]}}')
M --strace-log "$tmp/global.txt" run --bundle "$b" strace4 </dev/null >/dev/null 2>&1
check "msentry --strace-log: status, the program's exit_group in the file" "4 1" \
	"$? $(grep -c '^\[pid 1\] exit_group(4)' "$tmp/global.txt")"

# `msentry run PROG` is still the standalone runner.
check "msentry run PROG is the standalone runner" "standalone" "$("$msentry" run /bin/echo standalone)"
check "msentry run NAME (PATH lookup)" "x y" "$("$msentry" run --quiet echo x y)"
check "msentry run with a missing PROG" "127" "$("$msentry" run no-such-command-msentry 2>/dev/null; echo $?)"

echo "oci: $([ $fail = 0 ] && echo all passed || echo FAILURES)"
exit $fail
