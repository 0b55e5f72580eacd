#!/bin/bash
# tests/integration/delivery.sh - posts reach every distinct inbox of the followers, signed;
# failed deliveries are retried and 410 removes the follower. (kill -9 during a fan-out to
# hundreds of inboxes: tests/integration/crash.sh.)
#
# Peers: 127.0.0.2 ann (shared inbox); 127.0.0.3 bea and cid (one shared inbox);
# 127.0.0.4 dan (answers 500, then 202); 127.0.0.5 eve (own inbox, answers 410).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'

h_start health agency
ME="$H_BASE/users/health"
curl -s -H 'Accept: application/activity+json' "$ME" | t_jq .publicKey.publicKeyPem \
    >"$T_DIR/health.pub.pem"

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_start 127.0.0.4 p4
P4_ROOT=$FP_ROOT P4=$FP_BASE
fp_start 127.0.0.5 p5
P5_ROOT=$FP_ROOT P5=$FP_BASE

fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P3_ROOT" "$P3" bea
fp_actor "$P3_ROOT" "$P3" cid
fp_actor "$P4_ROOT" "$P4" dan
fp_actor "$P5_ROOT" "$P5" eve --no-shared-inbox

# follow ROOT BASE NAME TARGET-ACTOR: a signed Follow from NAME; asserts 202.
follow() {
    local root=$1 base=$2 name=$3 target=$4 actor="$2/users/$3"
    sc_as "$root" "$base" "$name" "$target/inbox" --body-text \
        "$(printf '{"@context":"%s","id":"%s/follows/%s","type":"Follow","actor":"%s","object":"%s"}' \
            "$AS" "$actor" "$RANDOM$RANDOM" "$actor" "$target")"
    [ "$SC_STATUS" = 202 ] || echo "Follow from $actor: $SC_STATUS $SC_BODY" >&2
    [ "$SC_STATUS" = 202 ]
}
# wait_posts WHAT SECONDS ROOT TYPE PATH STATUS MIN
wait_posts() {
    local what=$1 s=$2
    shift 2
    if t_wait "$s" fp_has_posts "$@"; then t_pass "$what"; else t_fail "$what (waited $s s)"; fi
}
# post ACCOUNT TEXT: publishes from the CLI while the server runs; prints the Note id.
post() { "$HERALD_BIN" --data "$H_DATA" post "$1" "$2"; }
# created_note ROOT NNNNNN: the Note id inside a recorded Create.
created_note() {
    local id
    id=$(t_jq .object.id "$1/_received/$2.json")
    [ -n "$id" ] || id=$(t_jq .object "$1/_received/$2.json")
    echo "$id"
}

# --- three followers on two servers, four distinct inboxes... but two shared inboxes ---
ok=0
follow "$P2_ROOT" "$P2" ann "$ME" && ok=$((ok + 1))
follow "$P3_ROOT" "$P3" bea "$ME" && ok=$((ok + 1))
follow "$P3_ROOT" "$P3" cid "$ME" && ok=$((ok + 1))
t_eq "three Follows accepted" 3 "$ok"
t_eq "three followers" 3 "$(h_followers health | wc -l)"
wait_posts "ann got her Accept" 15 "$P2_ROOT" Accept /users/ann/inbox "" 1
wait_posts "bea got her Accept" 15 "$P3_ROOT" Accept /users/bea/inbox "" 1
wait_posts "cid got his Accept" 15 "$P3_ROOT" Accept /users/cid/inbox "" 1

N1=$(post health "Water main repair on 5th Street tonight.")
t_match "post prints the Note id" "^$ME/notes/" "$N1"
wait_posts "127.0.0.2's shared inbox got the Create" 15 "$P2_ROOT" Create /inbox "" 1
wait_posts "127.0.0.3's shared inbox got the Create" 15 "$P3_ROOT" Create /inbox "" 1
t_wait 15 h_deliveries_drained || t_fail "delivery queue not drained within 15 s"
t_eq "exactly one Create at 127.0.0.2" 1 "$(fp_posts "$P2_ROOT" Create | wc -l)"
t_eq "exactly one Create at 127.0.0.3 (one per shared inbox)" 1 \
    "$(fp_posts "$P3_ROOT" Create | wc -l)"
for R in "$P2_ROOT" "$P3_ROOT"; do
    c=$(fp_posts "$R" Create /inbox | head -n1)
    [ -n "$c" ] || continue
    H="$R/_received/$c"
    t_match "Create has Signature ($R)" '^[Ss]ignature: .*keyId=' "$(grep -i '^signature:' "$H.headers")"
    t_match "Create has Digest ($R)" '^[Dd]igest: SHA-256=' "$(grep -i '^digest:' "$H.headers")"
    t_match "Create has Date ($R)" '^[Dd]ate: ' "$(grep -i '^date:' "$H.headers")"
    t_eq "Create signature verifies ($R)" ok \
        "$("$HERALD_TOOLS/sigcheck" "$H.headers" "$H.json" "$T_DIR/health.pub.pem" "$ME#main-key")"
    t_eq "Create carries the posted Note ($R)" "$N1" "$(created_note "$R" "$c")"
    t_eq "Create actor ($R)" "$ME" "$(t_jq .actor "$H.json")"
done

# --- a peer answering 500 gets the delivery again once it answers 202 ---
follow "$P4_ROOT" "$P4" dan "$ME" || t_fail "dan's Follow"
wait_posts "dan got his Accept" 15 "$P4_ROOT" Accept /users/dan/inbox 202 1
echo 500 >"$P4_ROOT/_post_status"
N2=$(post health "Road closure on Elm Street.")
wait_posts "dan's server was tried and answered 500" 15 "$P4_ROOT" Create /inbox 500 1
echo 202 >"$P4_ROOT/_post_status"
wait_posts "dan's server got the Create again after switching to 202" 60 "$P4_ROOT" Create \
    /inbox 202 1
c=$(fp_posts "$P4_ROOT" Create /inbox 202 | head -n1)
[ -n "$c" ] && t_eq "the retried Create is the same post" "$N2" "$(created_note "$P4_ROOT" "$c")"
first=$(fp_posts "$P4_ROOT" Create /inbox 500 | head -n1)
if [ -n "$c" ] && [ -n "$first" ]; then
    t_eq "the retry is the same activity" "$(t_jq .id "$P4_ROOT/_received/$first.json")" \
        "$(t_jq .id "$P4_ROOT/_received/$c.json")"
fi
t_eq "dan still follows after a 500" yes \
    "$(h_followers health | grep -x "$P4/users/dan" >/dev/null && echo yes || echo no)"

# --- 410 Gone from the follower's inbox removes the follower ---
follow "$P5_ROOT" "$P5" eve "$ME" || t_fail "eve's Follow"
wait_posts "eve got her Accept" 15 "$P5_ROOT" Accept /users/eve/inbox 202 1
t_eq "eve follows" yes "$(h_followers health | grep -x "$P5/users/eve" >/dev/null && echo yes || echo no)"
mkdir -p "$P5_ROOT/users/eve"
echo 410 >"$P5_ROOT/users/eve/inbox.post_status"
post health "Library hours extended." >/dev/null
wait_posts "eve's inbox was sent the Create and answered 410" 15 "$P5_ROOT" Create \
    /users/eve/inbox 410 1
eve_gone() { ! h_followers health | grep -x "$P5/users/eve" >/dev/null; }
if t_wait 15 eve_gone; then t_pass "410 removed eve"; else t_fail "eve still follows after 410"; fi
t_eq "the other four followers remain" 4 "$(h_followers health | wc -l)"

h_stop
t_done
