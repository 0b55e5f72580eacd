#!/bin/bash
# tests/integration/cli.sh - the command line: init, accounts, posts, followers, version and
# help; every bad input gives one line on stderr and a non-zero exit.
# (A data directory written by a newer schema is covered by a store unit test: this script
# cannot make one without tools that write LMDB.)
. "$(dirname "$0")/../harness/lib.sh"

D="$T_DIR/data"
PORT=$(t_freeport)
BASE="http://127.0.0.1:$PORT"

# run CMD...: sets RC, OUT and ERR (never fails the script).
run() {
    RC=0
    "$@" >"$T_DIR/out" 2>"$T_DIR/err" || RC=$?
    OUT=$(cat "$T_DIR/out")
    ERR=$(cat "$T_DIR/err")
}

# refused WHAT CMD...: non-zero exit and exactly one line on stderr.
refused() {
    local what=$1
    shift
    run "$@"
    if [ "$RC" -ne 0 ]; then t_pass "$what: exit $RC"; else t_fail "$what: exit 0"; fi
    t_lines "$what: one line on stderr" 1 "$ERR"
}

# --- init ---
run "$HERALD_BIN" --data "$D" init --domain "127.0.0.1:$PORT" --base-url "$BASE"
t_eq "init exits 0" 0 "$RC"
t_eq "init writes herald.conf" yes "$([ -f "$D/herald.conf" ] && echo yes || echo no)"
t_eq "data dir is 0700" 700 "$(stat -c %a "$D")"
t_match "herald.conf names the base_url" "^base_url *= *$BASE\$" "$(grep '^base_url' "$D/herald.conf")"
echo 'allow_private_network = true' >>"$D/herald.conf"

# --- accounts ---
run "$HERALD_BIN" --data "$D" account add health --kind agency --name "Health Department"
t_eq "account add agency" 0 "$RC"
run "$HERALD_BIN" --data "$D" account add mayor --kind official --agency health --name "The Mayor" \
    --summary "Mayor of the city"
t_eq "account add official" 0 "$RC"
run "$HERALD_BIN" --data "$D" account add roads --kind department --parent health
t_eq "account add department" 0 "$RC"
run "$HERALD_BIN" --data "$D" account add alerts --kind service
t_eq "account add service" 0 "$RC"

run "$HERALD_BIN" --data "$D" account list --json
t_eq "account list --json exits 0" 0 "$RC"
t_eq "account list --json is a JSON array" array "$(printf '%s' "$OUT" | t_jq '.|type')"
t_eq "account list --json has 4 accounts" 4 "$(printf '%s' "$OUT" | t_jq '.|length')"
names=$(printf '%s' "$OUT" | t_jq '.[].name' | sort | tr '\n' ' ')
t_eq "account list --json names" "alerts health mayor roads " "$names"
t_eq "account list --json kind of mayor" official \
    "$(printf '%s' "$OUT" | t_jq '.[?name=mayor].kind')"
run "$HERALD_BIN" --data "$D" account list
t_eq "account list exits 0" 0 "$RC"
t_match "account list (text) names health" "health" "$OUT"

# --- an unknown profile key is refused and changes nothing ---
run "$HERALD_BIN" --data "$D" account list --json
before=$OUT
run "$HERALD_BIN" --data "$D" stats --json
stats_before=$OUT
run "$HERALD_BIN" --data "$D" account set health bogus x
t_eq "account set of an unknown key exits 1" 1 "$RC"
t_match "account set of an unknown key names it and the known keys" \
    "unknown profile key 'bogus': use display_name" "$ERR"
run "$HERALD_BIN" --data "$D" account list --json
t_eq "account set of an unknown key changed no account" "$before" "$OUT"
run "$HERALD_BIN" --data "$D" stats --json
t_eq "account set of an unknown key stored and queued nothing" "$stats_before" "$OUT"

# --- posts and followers (approvals off: this is about the command, not the workflow) ---
run "$HERALD_BIN" --data "$D" account set health approvals 0
t_eq "account set approvals 0" 0 "$RC"
run "$HERALD_BIN" --data "$D" post health "Boil water notice lifted for the east side."
t_eq "post exits 0" 0 "$RC"
t_match "post prints the Note URL" "^$BASE/users/health/notes/[A-Za-z0-9_-]+\$" "$OUT"
run "$HERALD_BIN" --data "$D" followers health --json
t_eq "followers --json exits 0" 0 "$RC"
t_eq "followers --json is an empty array" 0 "$(printf '%s' "$OUT" | t_jq '.|length')"
run "$HERALD_BIN" --data "$D" followers health
t_eq "followers (text) exits 0" 0 "$RC"
run "$HERALD_BIN" --data "$D" stats --json
t_eq "stats --json exits 0" 0 "$RC"
t_eq "stats counts 4 accounts" 4 "$(printf '%s' "$OUT" | t_jq .accounts)"
for k in objects followers remote_actors deliveries seen inbound; do
    t_match "stats has $k" '^[0-9]+$' "$(printf '%s' "$OUT" | t_jq ".$k")"
done

# --- version and help ---
run "$HERALD_BIN" --version
t_eq "--version exits 0" 0 "$RC"
t_match "--version prints a version" '[0-9]+\.[0-9]+\.[0-9]+' "$OUT"
run "$HERALD_BIN" help
t_eq "help exits 0" 0 "$RC"
t_match "help lists serve" "serve" "$OUT"
t_match "help lists account add" "account add" "$OUT"

# --- bad input: one line on stderr, non-zero exit ---
refused "post for an unknown account" "$HERALD_BIN" --data "$D" post nobody "hello"
refused "followers of an unknown account" "$HERALD_BIN" --data "$D" followers nobody
refused "account name ../x" "$HERALD_BIN" --data "$D" account add ../x --kind agency
refused "account name Bad (upper case)" "$HERALD_BIN" --data "$D" account add Bad --kind agency
refused "account name of 40 chars" "$HERALD_BIN" --data "$D" account add \
    aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd --kind agency
refused "empty account name" "$HERALD_BIN" --data "$D" account add "" --kind agency
refused "unknown kind" "$HERALD_BIN" --data "$D" account add newone --kind wizard
refused "account that exists" "$HERALD_BIN" --data "$D" account add health --kind agency
refused "empty post text" "$HERALD_BIN" --data "$D" post health ""
refused "missing data dir" "$HERALD_BIN" --data "$T_DIR/nowhere" account list
refused "missing data dir (post)" "$HERALD_BIN" --data "$T_DIR/nowhere" post health "x"
run "$HERALD_BIN" --data "$D" account list --json
t_eq "refused commands changed nothing" 4 "$(printf '%s' "$OUT" | t_jq '.|length')"

refused "unknown command" "$HERALD_BIN" --data "$D" frobnicate
t_eq "unknown command is a usage error (2)" 2 "$RC"
refused "account add without --kind" "$HERALD_BIN" --data "$D" account add other
t_eq "missing --kind is a usage error (2)" 2 "$RC"
refused "post without text" "$HERALD_BIN" --data "$D" post health
t_eq "post without text is a usage error (2)" 2 "$RC"

# --- serve on a port that is in use ---
fp_start 127.0.0.1 blocker
run timeout 15 "$HERALD_BIN" --data "$D" serve --listen "127.0.0.1:$FP_PORT"
if [ "$RC" -ne 0 ] && [ "$RC" -ne 124 ]; then
    t_pass "serve on a port in use exits non-zero ($RC)"
else
    t_fail "serve on a port in use: exit $RC (124 = still running after 15 s)"
fi
t_match "serve on a port in use says so" "$FP_PORT|in use|bind|listen" "$ERR"

# --- unknown key in herald.conf: the message names the line ---
cp "$D/herald.conf" "$T_DIR/herald.conf.orig"
echo 'frobnicate = 1' >>"$D/herald.conf"
line=$(wc -l <"$D/herald.conf")
refused "unknown config key" "$HERALD_BIN" --data "$D" account list
t_match "config error names the line" "(line |:)$line([^0-9]|\$)" "$ERR"
t_match "config error names the key" "frobnicate" "$ERR"
cp "$T_DIR/herald.conf.orig" "$D/herald.conf"
echo 'this line has no equals sign' >>"$D/herald.conf"
line=$(wc -l <"$D/herald.conf")
refused "config line without =" "$HERALD_BIN" --data "$D" account list
t_match "config syntax error names the line" "(line |:)$line([^0-9]|\$)" "$ERR"
cp "$T_DIR/herald.conf.orig" "$D/herald.conf"
run "$HERALD_BIN" --data "$D" account list
t_eq "restored herald.conf works" 0 "$RC"

t_done
