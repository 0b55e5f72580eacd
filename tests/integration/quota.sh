#!/bin/bash
# tests/integration/quota.sh - nobody outside can fill the store. On a 16 MiB map:
#  - repeated Follows of one actor (new ids each time) keep one Accept, not one per Follow;
#  - per-actor and per-domain quotas refuse with 429 quota_actor / quota_domain;
#  - a flood of padded signed activities fills the inbound share of the map and is then
#    refused with 507 inbound_reserve, while `herald post` still publishes, a draft can
#    still be approved, deliveries still go out and `herald audit verify` passes;
#  - every refused request stored nothing (herald stats unchanged) and sent nothing.
# Pruning by age is tested where the clock can be moved: tests/unit/federation/test_quota.c.
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
h_start health agency
ME="$H_BASE/users/health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
restart_with() { # KEY = VALUE lines appended to herald.conf (later lines win), then a restart
    h_stop
    printf '%s\n' "$@" >>"$H_DATA/herald.conf"
    h_serve "$H_DATA" "$H_PORT"
}
code() { printf '%s' "$SC_BODY" | t_jq .error; }

restart_with "map_size_mb = 16" "inbound_share_percent = 25" \
    "inbound_max_objects_per_actor = 3" "inbound_max_objects_per_domain = 5"
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
for a in alice bob carol; do fp_actor "$P2_ROOT" "$P2" "$a"; done
ALICE="$P2/users/alice" BOB="$P2/users/bob"

follow() { # ACTOR-NAME N: a Follow of health with a fresh id
    printf '{"@context":"%s","id":"%s/users/%s/follows/%s","type":"Follow","actor":"%s/users/%s","object":"%s"}' \
        "$AS" "$P2" "$1" "$2" "$P2" "$1" "$ME" >"$T_DIR/follow-$1-$2.json"
    echo "$T_DIR/follow-$1-$2.json"
}
like() { # ACTOR-NAME N [PAD-BYTES]: a Like of one of our posts, padded
    local pad
    pad=$(head -c "${3:-10}" /dev/zero | tr '\0' 'x')
    printf '{"@context":"%s","id":"%s/users/%s/likes/%s","type":"Like","actor":"%s/users/%s","object":"%s/notes/1","pad":"%s"}' \
        "$AS" "$P2" "$1" "$2" "$P2" "$1" "$ME" "$pad" >"$T_DIR/like-$1-$2.json"
    echo "$T_DIR/like-$1-$2.json"
}

# ---- one Accept per follower, however often it follows ----
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(follow alice 1)"
t_eq "alice's Follow is accepted" 202 "$SC_STATUS"
t_wait 60 h_deliveries_drained || t_fail "the Accept was not delivered"
objects=$(h_stats | t_jq .objects)
t_eq "one Accept is stored" 1 "$objects"
for n in 2 3; do
    sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(follow alice "$n")"
    t_eq "alice's Follow $n (a new id) is accepted" 202 "$SC_STATUS"
done
t_wait 60 h_deliveries_drained || t_fail "the Accepts were not delivered"
t_eq "repeated Follows still keep one Accept" "$objects" "$(h_stats | t_jq .objects)"
# the Accept of Follow 2 may have been replaced before it was sent (its job is then
# dropped): the follower gets the Accept of its newest Follow, which is the one it waits for
t_match "the newest Follow was answered" "^[0-9]+ /users/alice/inbox 202" \
    "$(fp_bodies "$P2_ROOT" '"Accept".*alice/follows/3\b|alice/follows/3\b.*"Accept"')"

# ---- per-actor quota: alice holds her Accept and two Likes, the third is refused ----
for n in 1 2; do
    sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(like alice "$n")"
    t_eq "alice's Like $n is within her quota" 202 "$SC_STATUS"
done
before=$(h_stats) p0=$(fp_count "$P2_ROOT")
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(like alice 3)"
t_eq "past inbound_max_objects_per_actor a Like gets 429" 429 "$SC_STATUS"
t_eq "with the quota_actor code" quota_actor "$(code)"
t_match "the message names the actor" "alice" "$(printf '%s' "$SC_BODY" | t_jq .message)"
t_eq "nothing stored for the refused Like" "$before" "$(h_stats)"
t_eq "nothing sent for it" "$p0" "$(fp_count "$P2_ROOT")"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$T_DIR/like-alice-1.json"
t_eq "a Like processed before the quota was reached is still a 202 repeat" 202 "$SC_STATUS"
t_eq "and stores nothing" "$before" "$(h_stats)"
t_match "the refusal is logged with actor and reason" \
    "reason=quota_actor .*alice.*127\.0\.0\.2" "$(cat "$H_DATA.log")"

# ---- per-domain quota: bob, on alice's domain, gets what is left of the domain's 5 ----
for n in 1 2; do
    sc_as "$P2_ROOT" "$P2" bob "$ME/inbox" --body "$(like bob "$n")"
    t_eq "bob's Like $n is within the domain's quota" 202 "$SC_STATUS"
done
before=$(h_stats)
sc_as "$P2_ROOT" "$P2" bob "$ME/inbox" --body "$(like bob 3)"
t_eq "past inbound_max_objects_per_domain bob gets 429" 429 "$SC_STATUS"
t_eq "with the quota_domain code" quota_domain "$(code)"
sc_as "$P2_ROOT" "$P2" carol "$ME/inbox" --body "$(like carol 1)"
t_eq "and so does carol, a third actor of that domain" "429 quota_domain" "$SC_STATUS $(code)"
t_eq "nothing stored for the refused Likes" "$before" "$(h_stats)"

# ---- the quotas hold across a restart (they are kept in the store) ----
restart_with "log_level = info"
before=$(h_stats)
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(like alice 4)"
t_eq "after a restart alice is still over her quota" quota_actor "$(code)"
t_eq "nothing stored" "$before" "$(h_stats)"

# ---- the inbound reserve: a flood from another domain fills 25% of the map ----
restart_with "inbound_max_objects_per_actor = 0" "inbound_max_objects_per_domain = 0"
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_actor "$P3_ROOT" "$P3" flood
# one activity per actor (f1, f2, ...: one key for all), so that no per-actor burst limit
# answers before the reserve does
for n in $(seq 1 80); do fp_actor "$P3_ROOT" "$P3" "f$n" --key "$P3_ROOT/flood.key.pem"; done
pad=$(head -c 120000 /dev/zero | tr '\0' 'x')
out=$("$HERALD_TOOLS/sigclient" --url "$ME/inbox" --key "$P3_ROOT/flood.key.pem" \
    --key-id "$P3/users/f{n}#main-key" --each 1:80 --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$P3/users/f{n}/likes/1\",\"type\":\"Like\",\"actor\":\"$P3/users/f{n}\",\"object\":\"$ME/notes/1\",\"pad\":\"$pad\"}" \
    2>"$T_DIR/flood.err" | grep -E '^[0-9]{3}$' | tr '\n' ' ')
t_match "the flood is stored until the inbound share is used up, then refused with 507" \
    "^(202 )+(507 )+$" "$out"
t_match "with the inbound_reserve code" inbound_reserve "$(grep -o 'inbound_reserve' "$H_DATA.log" | head -1)"
accepted=$(grep -o 202 <<<"$out" | wc -l)
t_match "some 2-4 MiB of it was stored first ($accepted Likes of 120 kB)" '^(1[5-9]|2[0-9]|3[0-9])$' "$accepted"

before=$(h_stats) p3=$(fp_count "$P3_ROOT")
sc_as "$P3_ROOT" "$P3" flood "$ME/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$P3/users/flood/likes/x\",\"type\":\"Like\",\"actor\":\"$P3/users/flood\",\"object\":\"$ME/notes/1\"}"
t_eq "even a small activity is refused while the reserve is reached" 507 "$SC_STATUS"
t_eq "with the inbound_reserve code" inbound_reserve "$(code)"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$(follow alice 9)"
t_eq "and so is a Follow from another domain" 507 "$SC_STATUS"
t_eq "nothing stored for the refused requests" "$before" "$(h_stats)"
t_eq "nothing sent for them" "$p3" "$(fp_count "$P3_ROOT")"

# ---- while inbound writes are refused, everything we write still works ----
creates0=$(fp_posts "$P2_ROOT" Create | wc -l)
out=$(h post health "Boil-water notice lifted" 2>&1) || true
t_match "herald post still publishes" "^$ME/notes/" "$out"
t_wait 60 fp_has_posts "$P2_ROOT" Create "" "" $((creates0 + 1)) || true
t_eq "and the post is delivered to the follower" $((creates0 + 1)) "$(fp_posts "$P2_ROOT" Create | wc -l)"

h account add mayor --kind official --agency health --name "Mayor" >/dev/null
h account set mayor approvals 1 >/dev/null
for op in ed ap; do h operator add "$op" >/dev/null; done
h grant ed editor --account mayor >/dev/null
h grant ap approver --account mayor >/dev/null
out=$(h --as ed post mayor "Road closed on Main Street" 2>&1) || true
t_match "a draft can still be filed" "^d[0-9]+ submitted" "$out"
D=${out%% *}
rev=$(h draft show "$D" | t_jq .rev_sha256) # an approval names the revision it approves
out=$(h --as ap draft approve "$D" --rev "$rev" 2>&1) || true
t_match "and approved, which publishes it" "/users/mayor/notes/" "$out"
out=$(h audit verify 2>&1) || t_fail "audit verify failed: $out"
t_match "the audit log verifies" "audit log intact" "$out"
t_eq "the server still answers" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$H_BASE/.well-known/nodeinfo")"

# a withdrawal is carried out while the reserve is still reached, storing nothing: alice unfollows
t_eq "alice still follows health" "$ALICE" "$(h_followers health | grep -x "$ALICE" || true)"
seen0=$(h_stats | t_jq .seen) inbound0=$(h_stats | t_jq .inbound)
printf '{"@context":"%s","id":"%s/undos/1","type":"Undo","actor":"%s","object":{"id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s"}}' \
    "$AS" "$ALICE" "$ALICE" "$ALICE" "$ALICE" "$ME" >"$T_DIR/undo.json"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$T_DIR/undo.json"
t_eq "an Undo of her Follow is accepted while the reserve is reached" 202 "$SC_STATUS"
t_eq "alice no longer follows health" "" "$(h_followers health | grep -x "$ALICE" || true)"
t_eq "and its id was not recorded (no seen id)" "$seen0" "$(h_stats | t_jq .seen)"
t_eq "nor any inbound copy" "$inbound0" "$(h_stats | t_jq .inbound)"


h_stop
t_done
