#!/bin/bash
# tests/integration/reactions.sh - polls and counts (issue #10 items 5 and 6): a poll is a
# Question; signed votes from test peers are counted once per actor (oneOf) or per actor and
# option (anyOf), only while open and only for existing options, every refusal stores
# nothing; the results go out as Update(Question) to the followers and at closing;
# `herald poll results` exports the record; Like/Announce/replies and their Undo/Delete
# move the live replies/likes/shares collections and `herald posts`.
#
# Peers: 127.0.0.2 ann (follows us) and bob; 127.0.0.3 carol.
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'

# the server with poll_update_minutes = 0: results go out at the next scheduler second
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

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P2_ROOT" "$P2" bob
fp_actor "$P3_ROOT" "$P3" carol
ANN="$P2/users/ann" BOB="$P2/users/bob" CAROL="$P3/users/carol"

herald() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
# as ROOT BASE NAME JSON: JSON signed by NAME to our shared inbox; sets SC_STATUS, SC_BODY.
as() { sc_as "$1" "$2" "$3" "$H_BASE/inbox" --body-text "$4"; }
as_ann() { as "$P2_ROOT" "$P2" ann "$1"; }
as_bob() { as "$P2_ROOT" "$P2" bob "$1"; }
as_carol() { as "$P3_ROOT" "$P3" carol "$1"; }
# vote ACTOR QUESTION OPTION: the body of a vote as Mastodon sends it
vote() {
    printf '{"@context":"%s","id":"%s/votes/%s","type":"Create","actor":"%s","to":"%s","object":{"id":"%s/votes/%s/note","type":"Note","name":"%s","attributedTo":"%s","to":"%s","inReplyTo":"%s"}}' \
        "$AS" "$1" "$RANDOM$RANDOM" "$1" "$ME" "$1" "$RANDOM$RANDOM" "$3" "$1" "$ME" "$2"
}
stats() { h_stats | tr -d ' \n'; }
# refused WHAT STATUS CODE: the last request got STATUS and error CODE, and nothing changed
refused() {
    t_eq "$1: status" "$2" "$SC_STATUS"
    t_eq "$1: error code" "$3" "$(printf '%s' "$SC_BODY" | t_jq .error)"
    t_eq "$1: nothing stored" "$BEFORE" "$(stats)"
}
getj() { curl -s -H 'Accept: application/activity+json' "$1"; }
total() { getj "$1" | t_jq .totalItems; }
in_future() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }

sc_as "$P2_ROOT" "$P2" ann "$H_BASE/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$ANN/follows/1\",\"type\":\"Follow\",\"actor\":\"$ANN\",\"object\":\"$ME\"}"
t_eq "ann follows health" 202 "$SC_STATUS"

# ---- a poll ----
Q=$(herald draft new health "Which opening hours?" --poll "Mornings" --poll "Evenings, late" \
    --closes "$(in_future 86400)" --submit)
t_match "a poll is published" "^$ME/notes/" "$Q"
QJ=$(getj "$Q")
t_eq "it is a Question" Question "$(t_jq .type <<<"$QJ")"
t_eq "oneOf names the first option" Mornings "$(t_jq '.oneOf[0].name' <<<"$QJ")"
t_eq "each option counts its replies" 0 "$(t_jq '.oneOf[1].replies.totalItems' <<<"$QJ")"
t_eq "votersCount starts at 0" 0 "$(t_jq .votersCount <<<"$QJ")"
t_match "endTime is set" '^20[0-9-]+T' "$(t_jq .endTime <<<"$QJ")"
t_eq "the Question is signed" eddsa-jcs-2022 "$(t_jq .proof.cryptosuite <<<"$QJ")"

BEFORE=$(stats)
herald draft new health "x" --poll "A" --closes "$(in_future 600)" 2>/dev/null && t_fail "one option accepted"
herald draft new health "x" --poll "A" --poll "A" --closes "$(in_future 600)" 2>/dev/null &&
    t_fail "repeated option accepted"
herald draft new health "x" --poll "A" --poll "B" --closes 2020-01-01T00:00:00Z 2>/dev/null &&
    t_fail "closing time in the past accepted"
herald draft new health "x" --poll "A" --poll "B" 2>/dev/null && t_fail "poll without --closes accepted"
t_eq "refused polls store nothing" "$BEFORE" "$(stats)"

# ---- votes ----
# settle WHAT REGEX: an Update(Question) matching REGEX reached ann's server and nothing is
# left to deliver: the scheduler has reported every vote so far, so "nothing stored" below
# compares a store nobody else is writing to.
has_update() { fp_bodies "$P2_ROOT" "\"type\":\"Update\".*$1" | grep -q .; }
settle() {
    if t_wait 20 has_update "$2"; then t_pass "$1"; else t_fail "$1 (no Update matching $2)"; fi
    t_wait 20 h_deliveries_drained || t_fail "$1: deliveries not drained"
}
as_ann "$(vote "$ANN" "$Q" Mornings)"
t_eq "ann's vote is counted" 202 "$SC_STATUS"
settle "followers get Update(Question) with votersCount 1" "\"votersCount\":1"
BEFORE=$(stats)
as_ann "$(vote "$ANN" "$Q" "Evenings, late")"
refused "a second oneOf vote" 409 vote_duplicate
as_bob "$(vote "$BOB" "$Q" "Nights")"
refused "a vote for an option that does not exist" 422 poll_option_unknown
as_bob "$(vote "$ANN" "$Q" Mornings | sed "s|\"actor\":\"$ANN\"|\"actor\":\"$BOB\"|")"
refused "a vote by bob attributed to ann" 403 origin
as_bob "$(vote "$BOB" "$Q" "$(printf 'Even\\tings')")"
refused "a vote whose name has a control character" 400 vote_malformed
as_bob "$(vote "$BOB" "$ME/notes/ffff" Mornings)"
refused "a vote on a post that is not here" 404 not_found
as_bob "$(vote "$BOB" "$Q" "Evenings, late")"
t_eq "bob's vote is counted" 202 "$SC_STATUS"
settle "followers get Update(Question) with votersCount 2" "\"votersCount\":2"

N=$(herald post health "Library closed on Monday.")
t_wait 20 h_deliveries_drained || t_fail "the Create was not delivered"
BEFORE=$(stats)
as_bob "$(vote "$BOB" "$N" Mornings)"
refused "a vote on a post that is not a poll" 422 not_a_poll

# results went out to the followers as Update(Question), re-signed, with the counts
QJ=$(getj "$Q")
t_eq "the stored Question counts 2 voters" 2 "$(t_jq .votersCount <<<"$QJ")"
t_eq "Mornings: 1" 1 "$(t_jq '.oneOf[0].replies.totalItems' <<<"$QJ")"
t_eq "Evenings, late: 1" 1 "$(t_jq '.oneOf[1].replies.totalItems' <<<"$QJ")"
t_eq "the updated Question is still signed" eddsa-jcs-2022 "$(t_jq .proof.cryptosuite <<<"$QJ")"

CSV=$(herald poll results "$Q" --format csv)
t_match "CSV header" '^kind,question,state,closes,option,votes,actor,time' "$CSV"
t_match "CSV quotes an option with a comma" '^option,[^,]*,open,[^,]*,"Evenings, late",1,,' "$CSV"
t_match "CSV has ann's vote" "^vote,[^,]*,open,[^,]*,Mornings,,$ANN," "$CSV"
t_match "CSV has bob's vote" "^vote,[^,]*,open,[^,]*,\"Evenings, late\",,$BOB," "$CSV"
t_eq "results as JSON" 2 "$(herald poll results "$Q" | t_jq .votersCount)"
herald operator add ed >/dev/null 2>&1 || true
herald --as ed poll results "$Q" >/dev/null 2>&1 && t_fail "an operator without a role read the results"

# anyOf: once per actor and option
QM=$(herald draft new health "Which services?" --poll "Library" --poll "Pool" --multiple \
    --closes "$(in_future 86400)" --submit)
t_eq "a multiple-choice poll uses anyOf" Library "$(getj "$QM" | t_jq '.anyOf[0].name')"
as_ann "$(vote "$ANN" "$QM" Library)"
t_eq "anyOf: first choice" 202 "$SC_STATUS"
as_ann "$(vote "$ANN" "$QM" Pool)"
t_eq "anyOf: second choice of the same actor" 202 "$SC_STATUS"
settle "anyOf: the Update counts both choices" \
    '"anyOf":\[\{[^]]*"totalItems":1[^]]*"totalItems":1'
BEFORE=$(stats)
as_ann "$(vote "$ANN" "$QM" Pool)"
refused "anyOf: the same choice twice" 409 vote_duplicate
t_eq "anyOf: one voter, two choices" 1 "$(herald poll results "$QM" | t_jq .votersCount)"

# a poll that closes: late votes are refused, the closing is sent once
QC=$(herald draft new health "Quick one?" --poll "Yes" --poll "No" --closes "$(in_future 3)" --submit)
as_bob "$(vote "$BOB" "$QC" Yes)"
t_eq "a vote before closing" 202 "$SC_STATUS"
closed() { [ "$(getj "$QC" | t_jq .closed)" != "" ]; }
if t_wait 20 closed; then t_pass "the Question says closed after endTime"; else t_fail "not closed"; fi
t_wait 20 h_deliveries_drained || t_fail "the closing was not delivered"
BEFORE=$(stats)
t_eq "the closing Update counts the vote" 1 "$(getj "$QC" | t_jq .votersCount)"
as_ann "$(vote "$ANN" "$QC" No)"
refused "a late vote" 403 poll_closed
t_match "results say closed" '^poll,[^,]*,closed,' "$(herald poll results "$QC" --format csv)"
has_closing() { fp_bodies "$P2_ROOT" "\"type\":\"Update\".*\"closed\"" | grep -q .; }
if t_wait 20 has_closing; then t_pass "followers get the closing Update"; else t_fail "no closing Update"; fi

# ---- counts ----
t_eq "replies collection id on the Note" "$N/replies" "$(getj "$N" | t_jq .replies.id)"
t_eq "likes collection id on the Note" "$N/likes" "$(getj "$N" | t_jq .likes.id)"
t_eq "no likes yet" 0 "$(total "$N/likes")"
LIKE="{\"@context\":\"$AS\",\"id\":\"$ANN/likes/1\",\"type\":\"Like\",\"actor\":\"$ANN\",\"object\":\"$N\"}"
as_ann "$LIKE"
t_eq "ann likes the note" 202 "$SC_STATUS"
as_ann "${LIKE//likes\/1/likes\/2}"
t_eq "ann likes it again" 202 "$SC_STATUS"
t_eq "one like per actor" 1 "$(total "$N/likes")"
t_eq "the likes list ann" "$ANN" "$(getj "$N/likes" | t_jq '.first.items[0]')"
as_bob "{\"@context\":\"$AS\",\"id\":\"$BOB/announces/1\",\"type\":\"Announce\",\"actor\":\"$BOB\",\"object\":\"$N\"}"
t_eq "bob boosts the note" 202 "$SC_STATUS"
t_eq "one share" 1 "$(total "$N/shares")"
as_carol "{\"@context\":\"$AS\",\"id\":\"$CAROL/notes/9/activity\",\"type\":\"Create\",\"actor\":\"$CAROL\",\"object\":{\"id\":\"$CAROL/notes/9\",\"type\":\"Note\",\"attributedTo\":\"$CAROL\",\"content\":\"When does it reopen?\",\"inReplyTo\":\"$N\"}}"
t_eq "carol replies" 202 "$SC_STATUS"
R=$(herald draft new health "Tuesday at 9." --reply-to "$N" --submit)
t_eq "two replies (ours and carol's)" 2 "$(total "$N/replies")"
t_eq "our reply is listed first" "$R" "$(getj "$N/replies" | t_jq '.first.items[0]')"
t_eq "then carol's" "$CAROL/notes/9" "$(getj "$N/replies" | t_jq '.first.items[1]')"
POSTS=$(herald posts health)
t_match "herald posts shows the counts" '"counts":\{"replies":2,"likes":1,"shares":1\}' "$POSTS"
t_match "herald posts shows a poll's votes" '"votes":2\}' "$POSTS"
MS=$(curl -s "$H_BASE/api/v1/statuses/health-${N##*/}")
t_eq "client API: replies, reblogs, favourites" "2 1 1" \
    "$(t_jq .replies_count <<<"$MS") $(t_jq .reblogs_count <<<"$MS") $(t_jq .favourites_count <<<"$MS")"
MS=$(curl -s "$H_BASE/api/v1/statuses/health-${Q##*/}")
t_eq "client API: the poll's voters and option counts" "2 1 1 false false" \
    "$(t_jq .poll.voters_count <<<"$MS") $(t_jq '.poll.options[0].votes_count' <<<"$MS") $(t_jq '.poll.options[1].votes_count' <<<"$MS") $(t_jq .poll.multiple <<<"$MS") $(t_jq .poll.expired <<<"$MS")"
t_eq "client API: option titles" "Evenings, late" "$(t_jq '.poll.options[1].title' <<<"$MS")"

# the admin API: a poll draft, its refusals, and the counts in GET /posts
herald operator add ed >/dev/null 2>&1 || true
herald grant ed editor --account health >/dev/null
TOK=$(herald token create ed 2>/dev/null)
api() { curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
BEFORE=$(stats)
for bad in '{"options":["A"],"closes":"2030-01-01T00:00:00Z"}' \
    '{"options":["A","B"]}' '{"options":["A",7],"closes":"2030-01-01T00:00:00Z"}' \
    '{"options":["A","B"],"multiple":"yes","closes":"2030-01-01T00:00:00Z"}' '"A,B"'; do
    out=$(api -X POST -d "{\"account\":\"health\",\"text\":\"x\",\"poll\":$bad}" "$H_BASE/api/herald/v1/drafts")
    t_eq "API refuses poll $bad" 422 "${out##*$'\n'}"
done
t_eq "refused API polls store nothing" "$BEFORE" "$(stats)"
out=$(api -X POST -d "{\"account\":\"health\",\"text\":\"Bus or tram?\",\"poll\":{\"options\":[\"Bus\",\"Tram\"],\"multiple\":false,\"closes\":\"$(in_future 86400)\"}}" "$H_BASE/api/herald/v1/drafts")
t_eq "API files a poll draft" 201 "${out##*$'\n'}"
D=$(herald draft show "$(t_jq .id <<<"${out%$'\n'*}")")
t_eq "the draft keeps the poll" "Bus Tram false" \
    "$(t_jq '.poll.options[0]' <<<"$D") $(t_jq '.poll.options[1]' <<<"$D") $(t_jq .poll.multiple <<<"$D")"
out=$(api "$H_BASE/api/herald/v1/posts?account=health")
t_match "GET /posts carries the counts" '"counts":\{"likes":1,"replies":2,"shares":1\}|"counts":\{"replies":2,"likes":1,"shares":1\}' "${out%$'\n'*}"

BEFORE=$(stats)
as_bob "{\"@context\":\"$AS\",\"id\":\"$BOB/undo/1\",\"type\":\"Undo\",\"actor\":\"$BOB\",\"object\":{\"id\":\"$ANN/likes/2\",\"type\":\"Like\",\"actor\":\"$ANN\",\"object\":\"$N\"}}"
refused "Undo of ann's Like by bob" 403 origin
as_ann "{\"@context\":\"$AS\",\"id\":\"$ANN/undo/1\",\"type\":\"Undo\",\"actor\":\"$ANN\",\"object\":{\"id\":\"$ANN/likes/2\",\"type\":\"Like\",\"actor\":\"$ANN\",\"object\":\"$N\"}}"
t_eq "ann takes her like back" 202 "$SC_STATUS"
t_eq "no likes" 0 "$(total "$N/likes")"
as_bob "{\"@context\":\"$AS\",\"id\":\"$BOB/undo/2\",\"type\":\"Undo\",\"actor\":\"$BOB\",\"object\":{\"id\":\"$BOB/announces/1\",\"type\":\"Announce\",\"actor\":\"$BOB\",\"object\":\"$N\"}}"
t_eq "bob takes his boost back" 202 "$SC_STATUS"
t_eq "no shares" 0 "$(total "$N/shares")"
as_carol "{\"@context\":\"$AS\",\"id\":\"$CAROL/notes/9#delete\",\"type\":\"Delete\",\"actor\":\"$CAROL\",\"object\":{\"id\":\"$CAROL/notes/9\",\"type\":\"Tombstone\"}}"
t_eq "carol deletes her reply" 202 "$SC_STATUS"
t_eq "one reply left (ours)" 1 "$(total "$N/replies")"
t_eq "a collection of a post that is not here" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$ME/notes/ffff/likes")"
t_eq "a bad page number" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$N/likes?page=x")"

h_stop
t_done
