#!/usr/bin/env bash
# tests/interop/test_content_fedify.sh - hashtags, mentions, language and profile fields
# (issue #10) as an independent implementation reads them: the Fedify peer (peer.mjs)
# parses what Herald sends with Fedify's vocabulary, as a Mastodon-shaped reader would.
#
#  1. Herald's profile fields read as PropertyValues; the peer follows the account;
#  2. a post in Chinese (--lang zh) with two hashtags and a mention of the peer's user,
#     resolved by WebFinger on loopback at draft time: the peer's Note has Hashtag tags
#     (names, tag-page hrefs), the Mention of itself, the content in language zh, the peer's
#     actor in cc; the peer, a follower, gets it once (the mention adds no second delivery);
#  3. after the peer unfollows, a post mentioning it still reaches its inbox (it was
#     mentioned), and one without the mention does not.
# Env from ctest: HERALD_BIN, HERALD_SRC, HERALD_TOOLS. T_KEEP=1 keeps the work directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_content_fedify "$HERE" @fedify/fedify/package.json

h_start health agency
HERALD_ACTOR="$H_BASE/users/health"
HANDLE="health@127.0.0.1:$H_PORT"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
peer_start
PEER_HANDLE="citizen@127.0.0.2:$PEER_PORT"
trap 'dump_diagnostics; t_cleanup' EXIT

# ---------------------------------------------------------------- 1. fields, follow
h account set health field "Opening hours" "Mon-Fri 9-17" >/dev/null
h account set health field "Website" "https://city.example/health" >/dev/null
ctl POST /_control/actor-fields "{\"handle\":\"$HANDLE\"}" "$T_DIR/fields.json" >/dev/null
F="$T_DIR/fields.json"
t_eq "fields as Fedify reads them (PropertyValue), after the account type" \
    "Opening hours=Mon-Fri 9-17" \
    "$(jsq "$F" '(d.fields||[]).filter(f => f.name === "Opening hours").map(f => f.name + "=" + f.value).join()')"
t_match "a field's URL is a link rel=me" '<a href="https://city.example/health"[^>]*rel="me nofollow noopener"' \
    "$(jsq "$F" '(d.fields||[]).filter(f => f.name === "Website").map(f => f.value).join()')"
# (the fields first: Fedify caches the actor document it fetches for the Follow)
st=$(ctl POST /_control/follow "{\"handle\":\"$HANDLE\"}" "$T_DIR/follow.json")
t_eq "the peer follows the account" 200 "$st"
FOLLOW_ID=$(jsq "$T_DIR/follow.json" 'd.follow')
wait_received "r.type === 'Accept' && r.object.id === '$FOLLOW_ID'" 20 ||
    t_fail "no Accept of the peer's Follow"


# ---------------------------------------------------------------- 2. tags, mention, language
TEXT="接种 #FluShots 和 #流感疫苗, @$PEER_HANDLE"
note=$(h draft new health "$TEXT" --lang zh --submit 2>"$T_DIR/post.err" | tail -n 1) || true
t_match "the post mentioning the peer is published (its WebFinger answered at draft time)" \
    "^$HERALD_ACTOR/notes/" "$note"
[ -s "$T_DIR/post.err" ] && cat "$T_DIR/post.err" >&2
wait_received "r.type === 'Create' && r.object.id === '$note'" 20 ||
    t_fail "no verified Create of $note"
ctl POST /_control/note-content "{\"id\":\"$note\"}" "$T_DIR/note.json" >/dev/null
N="$T_DIR/note.json"
t_eq "delivered once to the follower mentioned in it" 1 "$(jsq "$N" 'd.length')"
t_eq "parsed by Fedify without error" "" "$(jsq "$N" 'd[0].error')"
t_eq "Hashtags: names" "#FluShots #流感疫苗" \
    "$(jsq "$N" 'd[0].tags.filter(t => t.type === "Hashtag").map(t => t.name).join(" ")')"
t_eq "Hashtags: the instance's tag pages" \
    "$H_BASE/tags/flushots $H_BASE/tags/%E6%B5%81%E6%84%9F%E7%96%AB%E8%8B%97" \
    "$(jsq "$N" 'd[0].tags.filter(t => t.type === "Hashtag").map(t => t.href).join(" ")')"
t_eq "the Mention of the peer's user" "@$PEER_HANDLE $PEER_ACTOR" \
    "$(jsq "$N" 'd[0].tags.filter(t => t.type === "Mention").map(t => t.name + " " + t.href).join()')"
t_eq "the content's language (contentMap)" zh \
    "$(jsq "$N" 'd[0].contents.map(c => c.language).filter(Boolean).join()')"
t_match "the content links the mention" "class=\"u-url mention\">@<span>citizen</span>" \
    "$(jsq "$N" 'd[0].contents.map(c => c.value).join()')"
t_match "the peer's actor is in cc" "$PEER_ACTOR" "$(jsq "$N" 'd[0].cc.join(" ")')"

# ---------------------------------------------------------------- 3. mentioned, not following
st=$(ctl POST /_control/unfollow '{}' "$T_DIR/unfollow.json")
t_eq "the peer unfollows" 200 "$st"
t_wait 10 test -z "$(h followers health --json | t_jq '.[].actor')" ||
    t_fail "the peer is still a follower"
plain=$(h post health "Not for the peer" | tail -n 1)
mentioned=$(h post health "For @$PEER_HANDLE only #Notice" | tail -n 1)
if wait_received "r.type === 'Create' && r.object.id === '$mentioned'" 20; then
    t_pass "a post mentioning the peer reaches it although it no longer follows"
else
    t_fail "the mentioned peer did not get $mentioned"
fi
ctl POST /_control/note-content "{\"id\":\"$mentioned\"}" "$T_DIR/m.json" >/dev/null
t_eq "  in its own inbox or the shared one, once" 1 "$(jsq "$T_DIR/m.json" 'd.length')"
ctl POST /_control/note-content "{\"id\":\"$plain\"}" "$T_DIR/p.json" >/dev/null
t_eq "a post without the mention does not reach it" 0 "$(jsq "$T_DIR/p.json" 'd.length')"

h_stop
t_done
