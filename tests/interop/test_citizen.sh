#!/usr/bin/env bash
# tests/interop/test_citizen.sh - issue #10 "how it will be checked": a citizen on an
# independent fediverse server, through a real Mastodon client library, reads a Herald
# agency. The citizen's server is citizen/facade.mjs (a Fedify federation server - not
# Herald's code - with a Mastodon client API in front, on 127.0.0.3); the client is masto.js
# 7.12 (citizen/client.mjs, one process fed one call a line). Both are pinned in
# citizen/package-lock.json.
#
# Steps (each assertion named): `citizen` resolves and follows the agency; the operator sets
# avatar, header and a profile field -> the citizen sees them (and the images load); a
# public post in zh (#流感疫苗 #FluShots, a mention of @citizen, an image with alt text),
# published through a draft and its approval -> tags, mention + a mention notification,
# language, media description; a poll -> options, expiry, a vote that moves votes_count,
# a second vote refused; forged, duplicate and unknown-option votes change no count; a
# multiple-choice poll takes two choices of one voter;
# favourite/reblog move favourites_count/reblogs_count and their undo moves them back; a
# followers-only post is in the follower's home timeline and invisible to `neighbour` (not a
# follower), to anonymous readers and to an unsigned GET, and only the follower's listing of
# the agency's statuses has it; a malformed image is refused by the CLI and changes nothing;
# Mastodon's 401 and 404.
#
# Needs Node >= 20 (scripts/node) and npm (`npm ci` in citizen/, the first time). Skips
# (exit 77, reason appended to $HERALD_SKIP_FILE when set) only when no Node can be had or
# npm's registry is unreachable. Env from ctest: HERALD_BIN, HERALD_SRC, HERALD_TOOLS.
# T_KEEP=1 keeps the work directory (facade log, every API answer, herald log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"
C="$HERE/citizen"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_citizen "$C" masto/package.json

# ---------------------------------------------------------------- Herald + the citizen's server
facade_spawn
facade_herald_init
AGENCY="$H_BASE/users/health"
h account add health --kind agency --name "Health Agency" >/dev/null
h account set health approvals 1 >/dev/null
h operator add ed >/dev/null
h operator add ap >/dev/null
h grant ed editor --account health >/dev/null
h grant ap approver --account health >/dev/null
h_serve "$H_DATA" "$H_PORT"

facade_wait
echo "herald $H_BASE (agency $AGENCY), the citizen's server $F_BASE"

diagnostics() {
    [ "$T_FAILS" -gt 0 ] || return 0
    {
        echo "=================== citizen diagnostics ($T_DIR) ==================="
        curl -s --max-time 5 "$F_BASE/_control/received" || true
        echo; echo "--- facade log (last 120 lines) ---"
        tail -n 120 "$T_DIR/facade.log" | cut -c1-1200 || true
        echo "--- herald log (last 60 lines) ---"
        tail -n 60 "$H_DATA.log" || true
    } >&2
}
trap 'diagnostics; t_cleanup' EXIT

# is_image URL: "image/..." when GET URL answers 200 with an image content type
is_image() { curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 10 "$1" | sed -n 's/^200 \(image\/[a-z]*\).*/\1/p'; }
# publish TEXT [OPTION...]: ed files the draft, ap approves it; prints the post's URL
publish() {
    local d rev
    d=$(h --as ed draft new health "$@" --submit 2>>"$T_DIR/publish.err" | cut -d' ' -f1) || true
    [ -n "$d" ] || { echo "draft new failed: $(tail -n 1 "$T_DIR/publish.err")" >&2; return 0; }
    rev=$(h draft show "$d" | t_jq .rev_sha256)
    h --as ap draft approve "$d" --rev "$rev" 2>>"$T_DIR/publish.err" | tail -n 1 | tr -d '\r' || true
}

# ---------------------------------------------------------------- 1. follow the agency
mc $CIT search "health@127.0.0.1:$H_PORT"
t_eq "1a the citizen's server resolves @health@127.0.0.1:$H_PORT (WebFinger, signed fetch)" "$AGENCY" \
    "$(v 'd.value.accounts[0].uri')"
AG=$(v 'd.value.accounts[0].id')
mc $CIT follow "$AG"
t_eq "1b masto.js follows the agency (Follow sent)" "$AG" "$(v 'd.value.id')"
if mc_until 20 'd.value && d.value[0] && d.value[0].following' $CIT relationship "$AG"; then
    t_pass "1c the agency accepted: relationship.following"
else
    t_fail "1c no Accept within 20 s: $(cat "$MC")"
fi

# ---------------------------------------------------------------- 2. avatar, header, field
node "$C/mkpng.mjs" 600 600 "$T_DIR/avatar.png"
node "$C/mkpng.mjs" 1600 600 "$T_DIR/header.png"
node "$C/mkpng.mjs" 320 240 "$T_DIR/notice.png"
h account set health avatar "$T_DIR/avatar.png" >/dev/null 2>>"$T_DIR/profile.err" || t_fail "2 herald account set health avatar: $(tail -n 1 "$T_DIR/profile.err")"
h account set health header "$T_DIR/header.png" >/dev/null 2>>"$T_DIR/profile.err" || t_fail "2 herald account set health header: $(tail -n 1 "$T_DIR/profile.err")"
h account set health field "Website" "https://health.example" >/dev/null 2>>"$T_DIR/profile.err" ||
    t_fail "2 herald account set health field: $(tail -n 1 "$T_DIR/profile.err")"
if mc_until 20 "d.value && !/missing\\.png/.test(d.value.avatar + d.value.header) && d.value.fields.some(f => f.name === 'Website')" \
    $CIT account "$AG"; then
    t_pass "2a Update(actor) reached the citizen's server with the new avatar, header and field"
else
    t_fail "2a no Update(actor) with avatar, header and field within 20 s: $(v 'd.value && [d.value.avatar, d.value.header]')"
    mc $CIT search "$AGENCY" # what a refetch of the actor shows
fi
A='((d.value && d.value.accounts ? d.value.accounts[0] : d.value) || {fields: []})' # account or search
AVATAR=$(v "$A.avatar") HEADER=$(v "$A.header")
t_match "2b the avatar is the agency's own image" "^$H_BASE/" "$AVATAR"
t_match "2c the avatar loads as an image" '^image/' "$(is_image "$AVATAR")"
t_match "2d the header is the agency's own image" "^$H_BASE/" "$HEADER"
t_match "2e the header loads as an image" '^image/' "$(is_image "$HEADER")"
t_eq "2f the profile field" "Website" "$(v "($A.fields.find(f => f.name === 'Website')||{}).name")"
t_match "2g  with its value" "health\.example" "$(v "($A.fields.find(f => f.name === 'Website')||{}).value")"

# ---------------------------------------------------------------- 3. tags, mention, language, image
ALT="Poster: free flu vaccination at every community clinic, Monday to Friday 9-17"
NOTE=$(publish "流感疫苗接种开始了 #流感疫苗 #FluShots @citizen@$F_DOMAIN" --lang zh \
    --image "$T_DIR/notice.png" --alt "$ALT")
t_match "3a the post is published after its approval" "^$AGENCY/" "$NOTE"
if [ -n "$NOTE" ]; then
    if mc_until 20 "d.value && d.value.some(s => s.uri === '$NOTE')" $CIT home; then
        t_pass "3b the post arrives in the citizen's home timeline"
    else
        t_fail "3b $NOTE not in the home timeline within 20 s"
    fi
    mc $CIT search "$NOTE"
    S1=$(v 'd.value.statuses[0].id')
    mc $CIT status "$S1"
    t_eq "3c public" public "$(v 'd.value.visibility')"
    t_eq "3d hashtags as tags" "flushots 流感疫苗" "$(v 'd.value.tags.map(t => t.name.toLowerCase()).sort().join(" ")')"
    t_match "3e  each linking to the agency's tag page" "^$H_BASE/" "$(v 'd.value.tags.map(t => t.url).join(" ")')"
    t_eq "3f the mention of the citizen" "citizen $F_BASE/users/citizen" \
        "$(v '(m => m && m.acct + " " + m.url)(d.value.mentions.find(m => m.username === "citizen"))')"
    t_eq "3g the post's language" zh "$(v 'd.value.language')"
    t_eq "3h one image" image "$(v 'd.value.mediaAttachments.map(m => m.type).join(" ")')"
    t_eq "3i  with its alt text as description" "$ALT" "$(v 'd.value.mediaAttachments[0].description')"
    t_match "3j  a blurhash" '^[][0-9A-Za-z#$%*+,.:;=?@^_{|}~-]{6,}$' "$(v 'd.value.mediaAttachments[0].blurhash')"
    t_match "3k  its size" '^[0-9]+x[0-9]+$' "$(v 'd.value.mediaAttachments[0].meta.original.size')"
    t_match "3l  the image loads" '^image/' "$(is_image "$(v 'd.value.mediaAttachments[0].url')")"
    mc $CIT notifications
    t_eq "3m the citizen got a mention notification from the agency" "mention $AGENCY" \
        "$(v '(n => n && n.type + " " + n.account.uri)(d.value.find(n => n.status && n.status.uri === "'"$NOTE"'"))')"
else
    t_fail "3b-3m not run: the post was not published"
fi

# ---------------------------------------------------------------- 4. a poll
CLOSES=$(date -u -d '+2 days' +%Y-%m-%dT%H:00:00Z)
POLL=$(publish "Which clinic hours suit you? @citizen@$F_DOMAIN" --lang en --poll "Mornings" --poll "Evenings" \
    --closes "$CLOSES")
t_match "4a the poll is published after its approval" "^$AGENCY/" "$POLL"
if [ -n "$POLL" ]; then
    mc_until 20 "d.value && d.value.some(s => s.uri === '$POLL')" $CIT home || true
    mc $CIT search "$POLL"
    P=$(v 'd.value.statuses[0].id')
    mc $CIT poll "$P"
    t_eq "4b the poll's options" "Mornings|Evenings" "$(v 'd.value.options.map(o => o.title).join("|")')"
    t_eq "4c  its closing time" "$CLOSES" "$(v 'd.value.expiresAt && d.value.expiresAt.replace(/\.000Z$/, "Z")')"
    t_eq "4d  one choice, open, no votes" "false false 0" "$(v '[d.value.multiple, d.value.expired, d.value.votesCount].join(" ")')"
    mc $CIT vote "$P" 0
    t_eq "4e masto.js votes" "true 0" "$(v 'd.value && [d.value.voted, d.value.ownVotes.join()].join(" ")')"
    if mc_until 30 'd.value && d.value.options[0].votesCount === 1' $CIT poll "$P"; then
        t_pass "4f the vote is counted by the agency (votes_count of Mornings moves to 1)"
    else
        t_fail "4f the vote was not counted within 30 s: $(v 'd.value && d.value.options')"
    fi
    mc $CIT vote "$P" 1
    t_eq "4g a second vote: Mastodon's 422" 422 "$(v 'd.error && d.error.statusCode')"

    # ---------------------------------------------------------------- 5. forged votes change nothing
    rawvote() { curl -s --max-time 30 -H 'Content-Type: application/json' -d "$1" "$F_BASE/_control/raw-vote" >>"$T_DIR/rawvote.out"; echo >>"$T_DIR/rawvote.out"; }
    # (each is answered before the next is sent: Fedify delivers it at once)
    stats_before=$(h_stats)
    rawvote "{\"signer\":\"citizen\",\"attributedTo\":\"neighbour\",\"question\":\"$POLL\",\"name\":\"Evenings\"}"
    rawvote "{\"signer\":\"neighbour\",\"attributedTo\":\"neighbour\",\"question\":\"$POLL\",\"name\":\"At midnight\"}"
    rawvote "{\"signer\":\"citizen\",\"attributedTo\":\"citizen\",\"question\":\"$POLL\",\"name\":\"Evenings\"}"
    t_eq "5a herald stats unchanged by the three raw votes (nothing stored)" "$stats_before" "$(h_stats)"
    # then a genuine vote by neighbour: once it is counted, the forged ones before it were seen
    mc $NEI search "$POLL"
    PN=$(v 'd.value.statuses[0].id')
    mc $NEI vote "$PN" 0
    t_eq "5b neighbour (not a follower) votes on the public poll" true "$(v 'd.value && d.value.voted')"
    if mc_until 30 'd.value && d.value.options[0].votesCount === 2' $CIT poll "$P"; then
        t_pass "5c neighbour's genuine vote is counted"
    else
        t_fail "5c neighbour's vote not counted within 30 s: $(v 'd.value && d.value.options')"
    fi
    t_eq "5d forged (signed by citizen, attributed to neighbour), unknown-option and duplicate votes counted nowhere" \
        "Mornings=2 Evenings=0 total=2" "$(v 'd.value && d.value.options.map(o => o.title + "=" + o.votesCount).join(" ") + " total=" + d.value.votesCount')"
    t_eq "5e two voters" 2 "$(v 'd.value && d.value.votersCount')"
else
    t_fail "4b-5e not run: the poll was not published"
fi

# ---------------------------------------------------------------- 5m. a multiple-choice poll
MULTI=$(publish "Which services should the clinics add?" --lang en --poll "Flu shots" --poll "Covid boosters" \
    --poll "Blood tests" --multiple --closes "$CLOSES")
t_match "5m the multiple-choice poll is published after its approval" "^$AGENCY/" "$MULTI"
if [ -n "$MULTI" ]; then
    mc $CIT search "$MULTI"
    PM=$(v 'd.value.statuses[0].id')
    mc $CIT poll "$PM"
    t_eq "5n masto.js sees a multiple-choice poll (anyOf)" "true 3" "$(v 'd.value && [d.value.multiple, d.value.options.length].join(" ")')"
    mc $CIT vote "$PM" 0 2
    t_eq "5o the citizen chooses two options" "true 0,2" "$(v 'd.value && [d.value.voted, d.value.ownVotes.join()].join(" ")')"
    if mc_until 30 'd.value && d.value.votesCount === 2' $CIT poll "$PM"; then
        t_pass "5p both choices are counted"
    else
        t_fail "5p both choices not counted within 30 s: $(v 'd.value && d.value.options')"
    fi
    t_eq "5q  as one voter" "1 1 0 1" \
        "$(v 'd.value && [d.value.votersCount].concat(d.value.options.map(o => o.votesCount)).join(" ")')"
else
    t_fail "5n-5q not run: the multiple-choice poll was not published"
fi

# ---------------------------------------------------------------- 6. favourite and boost counts
if [ -n "$NOTE" ]; then
    mc $CIT favourite "$S1"
    t_eq "6a masto.js favourites the post" true "$(v 'd.value && d.value.favourited')"
    if mc_until 30 'd.value && d.value.favouritesCount === 1' $CIT status "$S1"; then
        t_pass "6b favourites_count moves to 1"
    else
        t_fail "6b favourites_count: $(v 'd.value && d.value.favouritesCount') after 30 s"
    fi
    mc $CIT reblog "$S1"
    t_eq "6c masto.js boosts the post" "$NOTE" "$(v 'd.value && d.value.reblog && d.value.reblog.uri')"
    if mc_until 30 'd.value && d.value.reblogsCount === 1' $CIT status "$S1"; then
        t_pass "6d reblogs_count moves to 1"
    else
        t_fail "6d reblogs_count: $(v 'd.value && d.value.reblogsCount') after 30 s"
    fi
    mc $CIT unfavourite "$S1"
    if mc_until 30 'd.value && d.value.favouritesCount === 0' $CIT status "$S1"; then
        t_pass "6e unfavourite moves favourites_count back to 0"
    else
        t_fail "6e favourites_count after Undo(Like): $(v 'd.value && d.value.favouritesCount')"
    fi
    mc $CIT unreblog "$S1"
    if mc_until 30 'd.value && d.value.reblogsCount === 0' $CIT status "$S1"; then
        t_pass "6f unreblog moves reblogs_count back to 0"
    else
        t_fail "6f reblogs_count after Undo(Announce): $(v 'd.value && d.value.reblogsCount')"
    fi
else
    t_fail "6a-6f not run: the post was not published"
fi

# ---------------------------------------------------------------- 7. followers-only
PRIV=$(publish "Staff-only: the vaccine delivery arrives Tuesday" --visibility followers)
t_match "7a the followers-only post is published after its approval" "^$AGENCY/" "$PRIV"
if [ -n "$PRIV" ]; then
    if mc_until 20 "d.value && d.value.some(s => s.uri === '$PRIV')" $CIT home; then
        t_pass "7b the follower sees it in the home timeline"
    else
        t_fail "7b $PRIV not in the follower's home timeline within 20 s"
    fi
    SP=$(v "(d.value.find(s => s.uri === '$PRIV')||{}).id")
    t_eq "7c  as a followers-only (private) status" private "$(v "(d.value.find(s => s.uri === '$PRIV')||{}).visibility")"
    mc $NEI search "$PRIV"
    t_eq "7d neighbour (not a follower) cannot resolve it by its URL" 0 "$(v 'd.value ? d.value.statuses.length : "error"')"
    mc $NEI status "$SP"
    t_eq "7e neighbour gets 404 for it" 404 "$(v 'd.error && d.error.statusCode')"
    mc - status "$SP"
    t_eq "7f an anonymous reader gets 404 for it" 404 "$(v 'd.error && d.error.statusCode')"
    mc $NEI home
    t_eq "7g it is not in neighbour's home timeline" no "$(v "d.value && d.value.some(s => s.uri === '$PRIV') ? 'yes' : 'no'")"
    t_match "7h an unsigned GET of it is refused by Herald (authorized fetch)" '^(401|403|404|410)$' \
        "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/activity+json' "$PRIV")"
    mc $CIT statuses "$AG"
    t_eq "7i the agency's statuses, as the follower lists them, include it" yes \
        "$(v "d.value && d.value.some(s => s.uri === '$PRIV') && d.value.some(s => s.uri === '$NOTE') ? 'yes' : 'no'")"
    mc $NEI statuses "$AG"
    t_eq "7j  as neighbour lists them, do not (the public post does)" "no yes" \
        "$(v "d.value && [d.value.some(s => s.uri === '$PRIV'), d.value.some(s => s.uri === '$NOTE')].map(b => b ? 'yes' : 'no').join(' ')")"
else
    t_fail "7b-7j not run: the followers-only post was not published"
fi

# ---------------------------------------------------------------- 8. malformed images change nothing
head -c 200 "$T_DIR/avatar.png" >"$T_DIR/truncated.png"
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$T_DIR/evil.svg"
before=$(h_stats; h draft list --json 2>&1)
rc=0; h account set health avatar "$T_DIR/truncated.png" >/dev/null 2>"$T_DIR/bad1.err" || rc=$?
t_eq "8a herald account set health avatar TRUNCATED.png exits 1" 1 "$rc"
t_match "8b  saying what is wrong with it" 'truncated|corrupt|not an image|unsupported' "$(cat "$T_DIR/bad1.err")"
rc=0; h account set health header "$T_DIR/evil.svg" >/dev/null 2>"$T_DIR/bad2.err" || rc=$?
t_eq "8c herald account set health header EVIL.svg exits 1" 1 "$rc"
t_match "8d  saying SVG is not accepted" 'SVG' "$(cat "$T_DIR/bad2.err")"
rc=0; h --as ed draft new health "bad image" --image "$T_DIR/truncated.png" --alt "broken" --submit >/dev/null 2>"$T_DIR/bad3.err" || rc=$?
t_eq "8e draft new --image TRUNCATED.png exits 1" 1 "$rc"
t_eq "8f nothing stored (stats, drafts unchanged)" "$before" "$(h_stats; h draft list --json 2>&1)"
mc $CIT search "$AGENCY"
t_eq "8g the citizen's refetch of the agency shows the same avatar and header" "$AVATAR $HEADER" \
    "$(v 'd.value.accounts[0] && d.value.accounts[0].avatar + " " + d.value.accounts[0].header')"

# ---------------------------------------------------------------- 9. Mastodon's refusals
mc - home
t_eq "9a the home timeline without a token: Mastodon's 401" 401 "$(v 'd.error && d.error.statusCode')"
mc wrong-token me
t_eq "9b a wrong token: 401" 401 "$(v 'd.error && d.error.statusCode')"
mc $CIT status 999999999
t_eq "9c an unknown status: 404" 404 "$(v 'd.error && d.error.statusCode')"

h_stop
t_done
