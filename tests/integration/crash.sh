#!/bin/bash
# tests/integration/crash.sh - crash safety of delivery and scheduling: SIGKILL at many points
# of a fan-out to N followers' own inboxes (300; 40 under valgrind) and around a scheduled
# post, restart on the same data directory, and assert that every inbox got the post at least
# once (losses: none; duplicates: allowed, counted and printed) and that a scheduled post is
# published exactly once.
#
# Peers: 127.0.0.2, 127.0.0.3, 127.0.0.4, followers u1..uN spread over them, each with its own
# inbox (no shared inbox: one delivery job per follower). Every peer records a POST at once
# and holds its answer for HOLD ms (_post_hold), so a fan-out takes seconds, and at any kill
# some POSTs have arrived whose outcome the server has not recorded: those come again.
#
# Fan-out rounds, one new post each, killed:
#   0  never (the uninterrupted fan-out: duration, no duplicates), then after its queue
#      drained (a restart must not send anything again)
#   a  at once after `herald post` returns        b/c/d  after 10% / 50% / 90% arrived
#   e  once all N arrived (outcomes of the last ones not yet known to the server)
#   f1..f3  after a random delay within the fan-out's duration (printed, with the seed:
#      CRASH_SEED=S repeats every random choice, CRASH_RANDOM_MS=MS the delay exactly;
#      CRASH_RANDOM_ROUNDS=N runs N such rounds instead of 3)
#   g  twice: at 20%, and again shortly after the restart
#   h  at 50%, then during the start-up that resumes the fan-out (random delay)
# Scheduled rounds (approvals 1, the draft approved for a time 2-3 s ahead), killed:
#   s1 before its time, restarted after it (published at start-up), killed again when its
#      first Create arrives, and at 50% of its fan-out
#   s2 at its time (a random offset around the scheduler's once-a-second poll)
#   s3 as soon as the store shows the draft published
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
N=300 HOLD=100 STARTUP_KILL_MS=150
if [ "${HERALD_VALGRIND:-0}" = 1 ]; then
    # signing under memcheck is ~50x slower: fewer followers, the same kill points
    N=40 HOLD=100 STARTUP_KILL_MS=3000
fi
SEED=${CRASH_SEED:-$(($(date +%s%N) % 32768))}
RANDOM=$SEED
echo "crash.sh: N=$N hold=${HOLD}ms seed=$SEED (CRASH_SEED=$SEED repeats the random kill points)"

h_start health agency
ME="$H_BASE/users/health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
rev() { h draft show "$1" | t_jq .rev_sha256; } # the revision an approver read

ROOTS=() BASES=()
for p in 2 3 4; do
    fp_start "127.0.0.$p" "p$p"
    ROOTS+=("$FP_ROOT")
    BASES+=("$FP_BASE")
done
# one RSA key for every follower (N key generations would only slow the test down): actor
# "t" on each peer is the template whose document is copied under each follower's id
fp_actor "${ROOTS[0]}" "${BASES[0]}" t --no-shared-inbox
for k in 1 2; do
    fp_actor "${ROOTS[$k]}" "${BASES[$k]}" t --no-shared-inbox --key "${ROOTS[0]}/t.key.pem"
done
KEY="${ROOTS[0]}/t.key.pem"
# peer k serves u$((FIRST[k]))..u$((LAST[k])) (blocks: one sigclient --each per half block)
FIRST=() LAST=()
: >"$T_DIR/inboxes"
for k in 0 1 2; do
    FIRST[k]=$((k * N / 3 + 1)) LAST[k]=$(((k + 1) * N / 3))
    base=${BASES[$k]}
    tpl0=$(<"${ROOTS[$k]}/users/t.json")
    for ((i = FIRST[k]; i <= LAST[k]; i++)); do
        tpl=${tpl0//"$base/users/t\""/"$base/users/u$i\""}
        tpl=${tpl//"$base/users/t#"/"$base/users/u$i#"}
        tpl=${tpl//"$base/users/t/"/"$base/users/u$i/"}
        printf '%s\n' "$tpl" >"${ROOTS[$k]}/users/u$i.json"
        echo "/users/u$i/inbox" >>"$T_DIR/inboxes"
    done
done
sort -o "$T_DIR/inboxes" "$T_DIR/inboxes"

# received: sets RECEIVED to the POSTs all peers recorded so far. It and nap fork no
# process: they are polled every 10 ms while the server works on the same two cores.
received() {
    local r
    local -a f
    RECEIVED=0
    shopt -s nullglob
    for r in "${ROOTS[@]}"; do
        f=("$r"/_received/[0-9]*.json)
        RECEIVED=$((RECEIVED + ${#f[@]}))
    done
    shopt -u nullglob
}
exec {NAP_FD}<> <(:) # a pipe nobody writes to: read -t on it is a sleep without a process
nap() { read -rt "$1" -u "$NAP_FD" || true; }
# wait_received COUNT [SECONDS]: polls every 10 ms until the peers recorded COUNT POSTs.
wait_received() {
    local limit=$((${2:-60} * 100)) i
    for ((i = 0; i < limit; i++)); do
        received
        [ "$RECEIVED" -ge "$1" ] && return 0
        nap 0.01
    done
    return 1
}
# ms: now in milliseconds (bash 5: EPOCHREALTIME, no process)
ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# follows K FROM TO: signed Follows to health from uFROM..uTO of peer K, one process.
follows() {
    local actor="${BASES[$1]}/users/u{n}" body
    printf -v body '{"@context":"%s","id":"%s/follows/1","type":"Follow",%s}' "$AS" "$actor" \
        "$(printf '"actor":"%s","object":"%s"' "$actor" "$ME")"
    "$HERALD_TOOLS/sigclient" --url "$ME/inbox" --key "$KEY" --key-id "$actor#main-key" \
        --body-text "$body" --each "$2:$3" >"$T_DIR/follows.$1.$2" 2>&1 || true
}
running=()
for k in 0 1 2; do
    half=$(((FIRST[k] + LAST[k]) / 2))
    follows "$k" "${FIRST[k]}" "$half" &
    running+=($!)
    follows "$k" $((half + 1)) "${LAST[k]}" &
    running+=($!)
done
wait "${running[@]}" || true # only these: a bare wait would wait for the servers too
t_eq "$N Follows accepted" "$N" "$(cat "$T_DIR"/follows.* | grep -cx 202 || true)"
t_eq "health has $N followers" "$N" "$(h_followers health | wc -l)"
if wait_received "$N" 120 && t_wait 30 h_deliveries_drained; then
    t_pass "$N Accepts delivered"
else
    received; t_fail "the Accepts did not all arrive ($RECEIVED of $N)"
fi
for r in "${ROOTS[@]}"; do echo "$HOLD" >"$r/_post_hold"; done
if [ "${HERALD_VALGRIND:-0}" = 1 ]; then
    # the worker claims (and signs) up to deliver_concurrency jobs before it sends them: with
    # the default 64 > N, one batch would be the whole fan-out; 10 makes it four
    echo "deliver_concurrency = 10" >>"$H_DATA/herald.conf"
    h_stop
    h_serve "$H_DATA" "$H_PORT"
fi
echo "crash.sh: $N followers set up in $SECONDS s"

# ---- kill, restart, check ----

log_mark() { wc -c <"$H_DATA.log"; }
# crash: SIGKILL the server and wait for it; notes in R_KILLS how far the round had come.
crash() {
    kill -9 "$H_PID" 2>/dev/null || true
    wait "$H_PID" 2>/dev/null || true
    received
    R_KILLS+=" $((RECEIVED - R_BASE))"
}
restart() { h_serve "$H_DATA" "$H_PORT" || t_fail "herald did not restart on the same data dir"; }
# pct PCT: the count of POSTs by which PCT% of this round's inboxes have it
pct() { echo $((R_BASE + (N * $1 + 99) / 100)); }

# settle NAME WHAT: waits for the queue to drain, then checks that every inbox got the post
# marked R_MARK (Note R_NOTE), counts duplicates and reads the server log since R_LOG.
settle() {
    local name=$1 what=$2 got total distinct dups missing foreign log bad resumed
    t_wait 90 h_deliveries_drained || t_fail "round $name: delivery queue not drained in 90 s"
    got=$(for r in "${ROOTS[@]}"; do fp_bodies "$r" "$R_MARK"; done)
    total=$(printf '%s' "$got" | grep -c . || true)
    printf '%s\n' "$got" | awk 'NF { print $2 }' | sort -u >"$T_DIR/got"
    distinct=$(grep -c . "$T_DIR/got" || true)
    missing=$(comm -23 "$T_DIR/inboxes" "$T_DIR/got" | wc -l)
    foreign=$(comm -13 "$T_DIR/inboxes" "$T_DIR/got" | tr '\n' ' ')
    dups=$((total - distinct))
    t_eq "round $name ($what): every one of the $N inboxes got the post (missing)" 0 "$missing"
    t_eq "round $name: nothing sent to any other inbox" "" "$foreign"
    t_eq "round $name: every answer was 202" "" \
        "$(printf '%s\n' "$got" | awk 'NF && $3 != 202' | head -n3)"
    # one post, not two: every Create carries the same Note (a second publication of the
    # same text would carry a new Note id)
    t_eq "round $name: every Create carries Note $R_NOTE" "" "$(for r in "${ROOTS[@]}"; do
        grep -lF -- "$R_MARK" "$r"/_received/[0-9]*.json | xargs -r grep -LF -- "\"$R_NOTE\""
    done | head -n3)"
    # errors, sanitizer reports, and warnings that a job or a post was abandoned fail the
    # round; other warnings are shown
    log=$(tail -c +$((R_LOG + 1)) "$H_DATA.log")
    bad=$(printf '%s\n' "$log" | grep -E 'Z error |AddressSanitizer|LeakSanitizer|runtime error' \
        || true)
    bad+=$(printf '%s\n' "$log" | grep -E 'Z warn .*(dropping|giving up|cannot be published)' \
        || true)
    t_eq "round $name: no errors in the server log" "" "$bad"
    printf '%s\n' "$log" | grep -E 'Z warn ' | sed "s/^/round $name: note: /" || true
    resumed=$(printf '%s\n' "$log" | sed -n 's/.*resuming \([0-9]*\) deliveries.*/\1/p' |
        paste -sd+)
    R_SUMMARY+=$(printf '\n  %-3s %-46s killed at%-16s %4d POSTs, %3d duplicates, %s resumed' \
        "$name" "$what" "${R_KILLS:- (never)}" "$total" "$dups" "$resumed")
    R_SUMMARY+=" ($((SECONDS - R_T0)) s)"
    echo "round $name ($what): killed at${R_KILLS:- (never)} of $N;" \
        "$distinct inboxes, $total POSTs, $dups duplicates"
}

# round NAME WHAT KILLER [ARGS]: posts a new Note, runs KILLER (which kills and restarts the
# server at its point), then settles.
round() {
    local name=$1 what=$2
    shift 2
    R_MARK="crash-$name-$RANDOM$RANDOM" R_NAME=$name
    received
    R_BASE=$RECEIVED R_LOG=$(log_mark) R_KILLS= R_T0=$SECONDS
    R_NOTE=$(h post health "Crash test, round $name: $R_MARK") || true
    [[ $R_NOTE == "$ME/notes/"* ]] || t_fail "round $name: herald post printed [$R_NOTE]"
    "$@"
    settle "$name" "$what"
}

no_kill() {
    local t0
    t0=$(ms)
    wait_received "$(pct 100)" 60 || true
    FANOUT_MS=$(($(ms) - t0))
    t_wait 30 h_deliveries_drained || true
    crash
    R_KILLS=" drained"
    restart
    sleep 1 # time to send again what it wrongly would
}
kill_now() { crash; restart; }
kill_at() { wait_received "$(pct "$1")" || true; crash; restart; }
kill_random() {
    local delay=$((RANDOM * 32768 + RANDOM))
    delay=${CRASH_RANDOM_MS:-$((delay % (FANOUT_MS * 11 / 10 + 1)))}
    echo "round $R_NAME: kill $delay ms after the post (of a $FANOUT_MS ms fan-out;" \
        "CRASH_RANDOM_MS=$delay repeats it)"
    nap "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    crash
    restart
}
kill_twice() {
    kill_at 20
    received
    wait_received $((RECEIVED + (N + 9) / 10)) || true
    crash
    restart
}
kill_startup() {
    local delay=$((RANDOM % STARTUP_KILL_MS))
    wait_received "$(pct 50)" || true
    crash
    echo "round $R_NAME: kill $delay ms into the restart"
    h_spawn "$H_DATA" "$H_PORT"
    nap "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    crash
    restart
}

R_SUMMARY=
round 0 "never; then once drained (no resend)" no_kill
received
t_eq "round 0: a restart after the fan-out sends nothing again" "$N" "$((RECEIVED - R_BASE))"
round a "at once after herald post returns" kill_now
round b "after 10% arrived" kill_at 10
round c "after 50% arrived" kill_at 50
round d "after 90% arrived" kill_at 90
round e "once all arrived, before their answers" kill_at 100
for ((j = 1; j <= ${CRASH_RANDOM_ROUNDS:-3}; j++)); do
    round "f$j" "at a random point" kill_random
done
round g "twice: at 20%, then after 10% more" kill_twice
round h "at 50%, then during the start-up" kill_startup

# ---- scheduled posts: exactly once, to every inbox ----
h operator add ed >/dev/null
h operator add ap >/dev/null
h grant ed editor --account health >/dev/null
h grant ap approver --account health >/dev/null
h account set health approvals 1 >/dev/null

# schedule NAME: a draft for 6 s ahead (room for a loaded machine), approved; sets R_* (R_NOTE once published), S_AT (s).
schedule() {
    local name=$1 out
    R_MARK="crash-$name-$RANDOM$RANDOM"
    received
    R_BASE=$RECEIVED R_LOG=$(log_mark) R_KILLS= R_NOTE= R_T0=$SECONDS
    S_AT=$(($(date +%s) + 6))
    out=$(h --as ed draft new health "Crash test, scheduled $name: $R_MARK" \
        --at "$(date -u -d "@$S_AT" +%Y-%m-%dT%H:%M:%SZ)" --submit) || true
    S_DRAFT=${out%% *}
    t_match "round $name: approved for later" "^$S_DRAFT approved" \
        "$(h --as ap draft approve "$S_DRAFT" --rev "$(rev "$S_DRAFT")")"
}
state() { h draft show "$S_DRAFT" | t_jq .state; }
published() { [ "$(state)" = published ]; }
# until_ms EPOCH_MS: sleeps until then (returns at once when it has passed).
until_ms() {
    local left=$(($1 - $(ms)))
    [ "$left" -gt 0 ] || return 0
    nap "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
}
# sched_settle NAME WHAT: exactly one publication, then the fan-out checks.
sched_settle() {
    local name=$1 what=$2 outbox
    t_wait 30 published || true
    t_eq "round $name: the draft is published" published "$(state)"
    R_NOTE=$(h draft show "$S_DRAFT" | t_jq .published_id)
    outbox=$(h posts health)
    t_eq "round $name: the outbox has the post once" 1 "$(printf '%s' "$outbox" |
        t_jq '.orderedItems[].object.content' | grep -cF "$R_MARK" || true)"
    t_eq "round $name: one publication in the draft's history" 1 \
        "$(h draft show "$S_DRAFT" | grep -cF '"post.publish"' || true)"
    settle "$name" "$what"
}

schedule s1
crash # before its time
R_KILLS=" (before its time)"
until_ms $((S_AT * 1000 + 300))
restart # published at start-up
wait_received $((R_BASE + 1)) 30 || true
crash # just after the publication
restart
wait_received "$(pct 50)" || true
crash # during its fan-out
restart
sched_settle s1 "before its time, first Create, 50%"

schedule s2
offset=$(printf '%+d' $((RANDOM % 1500 - 300)))
echo "round s2: kill at its time ${offset} ms"
until_ms $((S_AT * 1000 + offset))
crash
restart
sched_settle s2 "at its time, ${offset} ms"

schedule s3
t_wait 15 published || true
crash
restart
sched_settle s3 "as soon as the draft shows published"

echo "crash.sh: N=$N seed=$SEED; per round: where the kills landed (POSTs of the round that"\
    "had arrived by then), POSTs, duplicates, jobs resumed at restart$R_SUMMARY"
t_match "the audit chain verifies" "^audit log intact: [0-9]+ entries$" "$(h audit verify)"
h_stop
if [ "${HERALD_VALGRIND:-0}" = 1 ]; then
    # a killed server never reports its exit code: its errors are only in its log
    t_eq "no memcheck errors in any server run, killed ones included" "" \
        "$(cat "$H_DATA".valgrind.* 2>/dev/null | head -n 40)"
fi
t_done
