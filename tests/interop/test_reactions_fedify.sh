#!/usr/bin/env bash
# tests/interop/test_reactions_fedify.sh - polls and counts with an independent peer
# (issue #10 items 5 and 6): the Fedify peer (peer.mjs) follows a Herald account, reads a
# poll as a Question, votes in it and likes, boosts and replies to a post; Herald counts
# them (the served collections and the Question's counts move), sends the results as a
# re-signed Update(Question) that Fedify verifies, and `herald poll results` exports the
# peer's vote as CSV. Undo of the like and boost takes them back.
#
# Needs Node and npm as tests/interop/test_fedify.sh (exit 77 when the npm registry is
# unreachable). Env from ctest: HERALD_BIN, HERALD_SRC, HERALD_TOOLS. T_KEEP=1 keeps files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_reactions_fedify "$HERE" @fedify/fedify/package.json

# Herald with results sent at the next scheduler second (poll_update_minutes = 0)
for try in 1 2 3; do
    H_PORT=$(t_freeport)
    H_DATA="$T_DIR/data-$H_PORT"
    H_BASE="http://127.0.0.1:$H_PORT"
    h_init "$H_DATA" "$H_PORT"
    echo 'poll_update_minutes = 0' >>"$H_DATA/herald.conf"
    "$HERALD_BIN" --data "$H_DATA" account add health --kind agency --name Health >/dev/null
    "$HERALD_BIN" --data "$H_DATA" account set health approvals 0 >/dev/null
    if h_serve "$H_DATA" "$H_PORT"; then break; fi
    rm -rf "$H_DATA"
done
ME="$H_BASE/users/health"
HANDLE="health@127.0.0.1:$H_PORT"
peer_start
trap 'dump_diagnostics; t_cleanup' EXIT
herald() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
getj() { curl -s -H 'Accept: application/activity+json' "$1" >"$2"; }
in_future() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }

st=$(ctl POST /_control/follow "{\"handle\":\"$HANDLE\"}" "$T_DIR/follow.json")
t_eq "the peer follows health" 200 "$st"
wait_received "r.type === 'Accept'" 20 || t_fail "no Accept at the peer"

# ---- a poll, read by Fedify as a Question
Q=$(herald draft new health "Which opening hours, citizens?" --poll Mornings --poll Evenings \
    --closes "$(in_future 86400)" --submit)
t_match "a poll is published" "^$ME/notes/" "$Q"
if wait_received "r.type === 'Create' && r.object.id === '$Q'" 20; then
    t_pass "the Create(Question) reaches the peer's verified inbox"
else
    t_fail "no Create of the Question at the peer"
fi
t_eq "Fedify reads the object as a Question" Question \
    "$(jsq "$T_DIR/received.json" "((d||[]).find(r => r.type === 'Create' && r.object.id === '$Q')||{object:{}}).object.type")"
st=$(ctl POST /_control/verify "{\"url\":\"$Q\"}" "$T_DIR/verify-q0.json")
t_eq "Fedify verifies the Question's proof" "true Question" \
    "$(jsq "$T_DIR/verify-q0.json" 'd.verified + " " + d.type + (d.error ? " " + d.error : "")')"

# ---- the peer votes
st=$(ctl POST /_control/vote "{\"question\":\"$Q\",\"option\":\"Evenings\"}" "$T_DIR/vote.json")
t_eq "the peer's vote is delivered (Herald answered 2xx)" 200 "$st"
[ "$st" = 200 ] || cat "$T_DIR/vote.json" >&2
if wait_received "r.type === 'Update' && r.object.id === '$Q'" 30; then
    t_pass "Update(Question) with the results reaches the peer's verified inbox"
else
    t_fail "no Update(Question) at the peer"
fi
getj "$Q" "$T_DIR/q.json"
t_eq "the Question counts one voter" 1 "$(jsq "$T_DIR/q.json" 'd.votersCount')"
t_eq "Evenings has the vote" "0 1" \
    "$(jsq "$T_DIR/q.json" 'd.oneOf.map(o => o.replies.totalItems).join(" ")')"
st=$(ctl POST /_control/verify "{\"url\":\"$Q\"}" "$T_DIR/verify-q1.json")
t_eq "Fedify verifies the re-signed Question" "true Question" \
    "$(jsq "$T_DIR/verify-q1.json" 'd.verified + " " + d.type + (d.error ? " " + d.error : "")')"
st=$(ctl POST /_control/vote "{\"question\":\"$Q\",\"option\":\"Mornings\"}" "$T_DIR/vote2.json")
t_eq "a second vote of the peer in a oneOf poll is refused" "502 409 vote_duplicate" \
    "$st $(jsq "$T_DIR/vote2.json" 'd.status + " " + JSON.parse(d.responseBody || "{}").error')"
CSV=$(herald poll results "$Q" --format csv)
t_match "herald poll results CSV has the peer's vote" "^vote,$Q,open,[^,]*,Evenings,,$PEER_ACTOR,20" "$CSV"
t_match "CSV counts" "^option,$Q,open,[^,]*,Evenings,1,," "$CSV"
echo "$CSV" >"$T_DIR/results.csv"

# ---- likes, boosts, replies on a post
N=$(herald post health "Library closed on Monday.")
wait_received "r.type === 'Create' && r.object.id === '$N'" 20 || t_fail "no Create of the Note"
st=$(ctl POST /_control/like "{\"url\":\"$N\"}" "$T_DIR/like.json")
t_eq "the peer likes the post" 200 "$st"
st=$(ctl POST /_control/announce "{\"url\":\"$N\"}" "$T_DIR/announce.json")
t_eq "the peer boosts the post" 200 "$st"
st=$(ctl POST /_control/reply "{\"url\":\"$N\",\"text\":\"When does it reopen?\"}" "$T_DIR/reply.json")
t_eq "the peer replies" 200 "$st"
getj "$N/likes" "$T_DIR/likes.json"
getj "$N/shares" "$T_DIR/shares.json"
getj "$N/replies" "$T_DIR/replies.json"
t_eq "likes: the peer" "1 $PEER_ACTOR" "$(jsq "$T_DIR/likes.json" 'd.totalItems + " " + d.first.items[0]')"
t_eq "shares: the peer" "1 $PEER_ACTOR" "$(jsq "$T_DIR/shares.json" 'd.totalItems + " " + d.first.items[0]')"
t_eq "replies: the peer's reply" "1 $(jsq "$T_DIR/reply.json" 'd.note')" \
    "$(jsq "$T_DIR/replies.json" 'd.totalItems + " " + d.first.items[0]')"
t_match "herald posts shows the counts" '"counts":\{"replies":1,"likes":1,"shares":1\}' \
    "$(herald posts health)"
st=$(ctl POST /_control/undo "{\"id\":\"$(jsq "$T_DIR/like.json" 'd.id')\"}" "$T_DIR/undo1.json")
t_eq "the peer takes its like back" 200 "$st"
st=$(ctl POST /_control/undo "{\"id\":\"$(jsq "$T_DIR/announce.json" 'd.id')\"}" "$T_DIR/undo2.json")
t_eq "the peer takes its boost back" 200 "$st"
getj "$N/likes" "$T_DIR/likes2.json"
getj "$N/shares" "$T_DIR/shares2.json"
t_eq "no likes, no shares" "0 0" \
    "$(jsq "$T_DIR/likes2.json" 'd.totalItems') $(jsq "$T_DIR/shares2.json" 'd.totalItems')"

h_stop
t_done
