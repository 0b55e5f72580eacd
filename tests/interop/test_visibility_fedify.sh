#!/usr/bin/env bash
# tests/interop/test_visibility_fedify.sh - authorized fetch with an independent signer
# (issue #10 §3): the Fedify peer (peer.mjs, /_control/fetch) reads a followers-only post
# of Herald's with a GET signed by Fedify's own signRequest, RFC 9421 and draft-cavage:
# 404 (the answer to an unknown id) before it follows and after it unfollows, the Note
# while it follows; unsigned always 404. A followers-only post reaches it through
# Fedify's verified inbox. Node and npm as every interop test (tests/interop/lib.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_visibility_fedify "$HERE" @fedify/fedify/package.json
h_start health agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
HANDLE="health@127.0.0.1:$H_PORT"
peer_start
trap 'dump_diagnostics; t_cleanup' EXIT

FOL=$(h draft new health "For our followers: vaccination slots tomorrow." --visibility followers --submit)
t_match "a followers-only post is published" "^$H_BASE/users/health/notes/" "$FOL"
UNKNOWN="$H_BASE/users/health/notes/0123456789abcdef"

# fetch URL SPEC: "STATUS ID" as Herald answered the peer's GET (SPEC null: unsigned)
fetch() {
    local f="$T_DIR/fetch.json"
    ctl POST /_control/fetch "{\"url\":\"$1\",\"spec\":$2}" "$f" >/dev/null
    echo "$(jsq "$f" 'd.status') $(jsq "$f" '(() => { try { return JSON.parse(d.body).id || JSON.parse(d.body).error } catch { return d.error } })()')"
}
R9='"rfc9421"' CAV='"draft-cavage-http-signatures-12"'

t_eq "an unknown id, as the peer reads it" "404 not_found" "$(fetch "$UNKNOWN" "$R9")"
for spec in "$R9" "$CAV" null; do
    t_eq "not following yet, $spec: the answer to an unknown id" "404 not_found" "$(fetch "$FOL" "$spec")"
done

st=$(ctl POST /_control/follow "{\"handle\":\"$HANDLE\"}" "$T_DIR/follow.json")
t_eq "the peer follows health" 200 "$st"
follows() { h_followers health | grep -qx "$PEER_ACTOR"; }
t_wait 20 follows || t_fail "the peer is not a follower within 20 s"
t_eq "following, RFC 9421 signed: the Note" "200 $FOL" "$(fetch "$FOL" "$R9")"
t_eq "following, draft-cavage signed: the Note" "200 $FOL" "$(fetch "$FOL" "$CAV")"
t_eq "following, its Create too" "200 $FOL/activity" "$(fetch "$FOL/activity" "$R9")"
t_eq "authorized answers are private" "private, no-store" "$(jsq "$T_DIR/fetch.json" 'd.cacheControl')"
t_eq "following, but unsigned: 404" "404 not_found" "$(fetch "$FOL" null)"

FOL2=$(h draft new health "For our followers: the clinic opens at 8." --visibility followers --submit)
if wait_received "r.type === 'Create' && r.object && r.object.id === '$FOL2'" 20; then
    t_pass "a followers-only post reaches the follower through Fedify's verified inbox"
else
    t_fail "no verified Create of $FOL2 within 20 s"
fi
c="(d||[]).find(r => r.type === 'Create' && r.object && r.object.id === '$FOL2')"
t_eq "addressed to the followers only" "[\"$H_BASE/users/health/followers\"] []" \
    "$(jsq "$T_DIR/received.json" "JSON.stringify(($c||{}).object.to) + ' ' + JSON.stringify(($c||{}).object.cc ?? [])")"

st=$(ctl POST /_control/unfollow '{}' "$T_DIR/unfollow.json")
t_eq "the peer unfollows" 200 "$st"
gone() { ! follows; }
t_wait 20 gone || t_fail "the peer still follows after 20 s"
t_eq "no longer following: 404 again" "404 not_found" "$(fetch "$FOL" "$R9")"
h_stop
t_done
