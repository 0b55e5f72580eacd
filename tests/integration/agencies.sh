#!/bin/bash
# tests/integration/agencies.sh - two Herald instances (two agencies) on loopback: one
# follows the other by WebFinger handle, the Accept comes back, the other's notice lands in
# the follower's timeline, a boost goes through the approval workflow, unfollow undoes it.
. "$(dirname "$0")/../harness/lib.sh"

H_APPROVALS=1 h_start health agency          # agency A: boosts need one approval
A_DATA=$H_DATA A_BASE=$H_BASE A_PID=$H_PID
a() { "$HERALD_BIN" --data "$A_DATA" "$@"; }
h_start police agency                        # agency B
B_DATA=$H_DATA B_BASE=$H_BASE B_PORT=$H_PORT
b() { "$HERALD_BIN" --data "$B_DATA" "$@"; }

out=$(a follow health "@police@127.0.0.1:$B_PORT")
t_match "follow resolves the handle by WebFinger" "follows $B_BASE/users/police" "$out"
accepted() { a following health | grep '"state": "accepted"' >/dev/null; }
t_wait 15 accepted || true
t_match "the other agency accepted" '"state": "accepted"' "$(a following health)"
t_eq "and lists us as a follower" "$A_BASE/users/health" "$(b followers police --json | t_jq '.[0].actor')"
t_match "our following collection shows it" "$B_BASE/users/police" \
    "$(curl -s -H 'Accept: application/activity+json' "$A_BASE/users/health/following")"

NOTE=$(b post police "Road closed on Main Street until 18:00")
in_timeline() { a timeline health | grep "Road closed" >/dev/null; }
t_wait 15 in_timeline || true
t_match "their notice is in our timeline" "Road closed on Main Street" "$(a timeline health)"
tl=$(a timeline health)
t_eq "its Create's proof (FEP-8b32) was checked against their key: proven" \
    "proven $B_BASE/users/police#ed25519-key" \
    "$(printf '%s' "$tl" | t_jq '[0].proof.activity.state') $(printf '%s' "$tl" | t_jq '[0].proof.activity.method')"
t_eq "and so was the embedded Note's" proven "$(printf '%s' "$tl" | t_jq '[0].proof.object.state')"

a operator add ed >/dev/null
a operator add ap >/dev/null
a grant ed editor --account health >/dev/null
a grant ap approver --account health >/dev/null
out=$(a --as ed boost health "$NOTE")
t_match "a boost waits for its approval" "^d[0-9]+ submitted, awaiting 1 approval$" "$out"
t_eq "nothing announced before approval" 0 "$(a stats --json | t_jq .objects | grep -c . >/dev/null; \
    curl -s "$A_BASE/users/health/outbox?page=true" | grep -c Announce)"
ANN=$(a --as ap draft approve "${out%% *}" --rev "$(a draft show "${out%% *}" | t_jq .rev_sha256)")
t_match "approved, the Announce is published" "/users/health/announces/" "$ANN"
t_match "it is in our outbox" "Announce" "$(curl -s "$A_BASE/users/health/outbox?page=true")"
t_match "herald posts shows it too" "Announce" "$(a posts health)"
if a posts nobody 2>/dev/null; then t_fail "posts of an unknown account succeeded"; else t_pass "posts of an unknown account is refused"; fi

out=$(a --as ed draft new health "We support this closure." --quote "$NOTE" --submit)
t_match "a quote waits for its approval" "awaiting 1 approval" "$out"
Q=$(a --as ap draft approve "${out%% *}" --rev "$(a draft show "${out%% *}" | t_jq .rev_sha256)")
q=$(curl -s -H 'Accept: application/activity+json' "$Q")
t_eq "the quoting Note names the quoted notice" "$NOTE" "$(printf '%s' "$q" | t_jq .quoteUrl)"
t_match "and links it in its text" "RE: <a href" "$(printf '%s' "$q" | t_jq .content)"

t_match "unfollow sends Undo" "no longer follows" "$(a unfollow health "@police@127.0.0.1:$B_PORT")"
gone() { [ -z "$(b followers police)" ]; }
t_wait 15 gone || true
t_eq "the other agency dropped us" "" "$(b followers police)"
t_eq "and we no longer follow it" "[]" "$(a following health | tr -d ' \n')"
if a follow health "@nobody@127.0.0.1:$B_PORT" 2>"$T_DIR/err"; then t_fail "follow of an unknown handle succeeded"; fi
t_match "an unknown handle is a clear error" "WebFinger" "$(cat "$T_DIR/err")"
if a follow health "not a handle" 2>"$T_DIR/err"; then t_fail "follow of garbage succeeded"; fi
t_match "a malformed handle is a clear error" "handle" "$(cat "$T_DIR/err")"
h_stop
H_PID=$A_PID H_DATA=$A_DATA
h_stop
t_done
