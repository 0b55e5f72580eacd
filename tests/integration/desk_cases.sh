#!/bin/bash
# tests/integration/desk_cases.sh - the citizen desk's cases (issue #12 items 1 and 3):
# signed Create(Note)s from citizens on a test peer open cases as a reply to our post, a
# mention and a direct message (the 202 means the case is stored: it is listed right
# after); a second message of the same citizen and thread joins the case; routing rules
# send cases to the department by hashtag and by keyword; an Update and a Delete of a
# message are reflected; a responder answers through the approval workflow (an approver
# of the department approves) and the answer goes out to the citizen as a reply with the
# case's visibility (its to/cc and inReplyTo checked where the citizen's server got it);
# the citizen's reply to our answer joins the case again; bad input gets a clear error
# and changes nothing, on the command line and in the admin API.
#
# Peers: 127.0.0.2 ann (replies), 127.0.0.3 bob (mentions and writes directly; WebFinger).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
PUBLIC="$AS#Public"

h_start health agency
ME="$H_BASE/users/health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P3_ROOT" "$P3" bob
ANN="$P2/users/ann" BOB="$P3/users/bob"
mkdir -p "$P3_ROOT/.well-known" # bob's WebFinger: the direct answer mentions him
printf '{"subject":"acct:bob@%s","links":[{"rel":"self","type":"application/activity+json","href":"%s"}]}' \
    "${P3#http://}" "$BOB" >"$P3_ROOT/.well-known/webfinger.json"

h account add roads --kind department --parent health >/dev/null
h account set roads approvals 1 >/dev/null
for op in resp ap ed adm; do h operator add "$op" >/dev/null; done
h grant resp responder --account roads >/dev/null
h grant resp responder --account health >/dev/null
h grant ap approver --account roads >/dev/null
h grant ed editor --account roads >/dev/null
h grant adm admin >/dev/null

NOTE=$(h post health "Water supply notice")
t_match "a post is published" "^$ME/notes/" "$NOTE"

# note WHO N TO TAGS CONTENT [IN_REPLY_TO] [TYPE]: a signed Create (or TYPE) of Note N by WHO
# (ann on p2, bob on p3) addressed TO (a JSON array) with tag array TAGS; sets SC_STATUS.
note() {
    local who=$1 n=$2 to=$3 tags=$4 content=$5 irt=${6:-} type=${7:-Create} root base actor
    if [ "$who" = ann ]; then root=$P2_ROOT base=$P2; else root=$P3_ROOT base=$P3; fi
    actor="$base/users/$who"
    [ -z "$irt" ] || irt="\"inReplyTo\":\"$irt\","
    sc_as "$root" "$base" "$who" "$H_BASE/inbox" --body-text \
        "{\"@context\":\"$AS\",\"id\":\"$actor/statuses/$n/$type\",\"type\":\"$type\",\"actor\":\"$actor\",\"to\":$to,\"object\":{\"id\":\"$actor/statuses/$n\",\"type\":\"Note\",\"attributedTo\":\"$actor\",$irt\"to\":$to,\"cc\":[],\"tag\":$tags,\"content\":\"$content\"}}"
}
cases() { h case list --json "$@"; }
case_of() { cases | t_jq "[?citizen=$1]$2"; } # case_of ACTOR .FIELD (their only or first case)

# --- a reply to our post opens a case; the 202 means it is stored ---
note ann 1 "[\"$PUBLIC\"]" '[]' '<p>Is the water safe <b>to drink</b>?<script>x()</script></p>' "$NOTE"
t_eq "ann's reply is accepted" 202 "$SC_STATUS"
t_eq "right after the 202, one case" 1 "$(cases | t_jq '|length')"
C1=$(case_of "$ANN" .id)
t_eq "the case is a reply" reply "$(case_of "$ANN" .why)"
t_eq "written to health, handled by health (no route)" "health health" \
    "$(case_of "$ANN" .account) $(case_of "$ANN" .department)"
t_eq "status new" new "$(case_of "$ANN" .status)"
t_eq "public visibility" public "$(case_of "$ANN" .visibility)"
t_eq "thread: our post" "$NOTE" "$(case_of "$ANN" .thread)"
t_match "the citizen's handle" "^@ann@127.0.0.2:" "$(case_of "$ANN" .citizen_acct)"
show=$(h case show "$C1" --json)
t_match "the message is sanitised for display" '<b>to drink</b>' "$(t_jq .messages[0].html <<<"$show")"
t_eq "no script in the display" "" "$(t_jq .messages[0].html <<<"$show" | grep -F '<script' || true)"
t_match "the original is kept as received" '<script>x\(\)</script>' "$(t_jq .messages[0].original <<<"$show")"
opened=$(t_jq .opened_ms <<<"$show") deadline=$(t_jq .deadline_ms <<<"$show")
# the default calendar (UTC, Mon-Fri 09:00-17:00, 3d): close of business on the third
# working day after the day received (agency/calendar.c; its unit test counts exactly)
t_eq "deadline: at 17:00 (close of business, UTC)" "17:00:00" "$(date -u -d "@$((deadline / 1000))" +%T)"
t_match "deadline: on a weekday" '^[1-5]$' "$(date -u -d "@$((deadline / 1000))" +%u)"
t_eq "deadline: three to five days later (weekends between)" 1 \
    "$(( deadline - opened > 3 * 86400000 - 8 * 3600000 && deadline - opened < 6 * 86400000 ))"

# --- the same citizen in the same thread joins the case ---
note ann 2 "[\"$PUBLIC\"]" '[]' '<p>And the tap water?</p>' "$ANN/statuses/1"
t_eq "ann's follow-up is accepted" 202 "$SC_STATUS"
t_eq "still one case" 1 "$(cases | t_jq '|length')"
t_eq "two messages in it" 2 "$(cases | t_jq .[0].message_count)"

# --- routing: by hashtag and by keyword to the department ---
t_match "route by tag" "tag potholes -> roads" "$(h --as adm route add --department roads --tag '#Potholes')"
t_match "route by keyword" "keyword streetlight -> roads" "$(h route add --department roads --keyword streetlight)"
t_eq "two routes" 2 "$(h route list --json | t_jq '|length')"
note bob 1 "[\"$PUBLIC\"]" "[{\"type\":\"Mention\",\"href\":\"$ME\",\"name\":\"@health\"},{\"type\":\"Hashtag\",\"name\":\"#potholes\"}]" \
    '<p>@health a hole on Main street #potholes</p>'
t_eq "bob's mention is accepted" 202 "$SC_STATUS"
C2=$(cases | t_jq "[?why=mention].id")
t_eq "a mention opens a case routed by its tag to roads" roads "$(h case show "$C2" --json | t_jq .department)"
t_eq "its tags" '["potholes"]' "$(h case show "$C2" --json | t_jq .tags)"
note bob 2 "[\"$ME\"]" "[{\"type\":\"Mention\",\"href\":\"$ME\",\"name\":\"@health\"}]" \
    '<p>@health the <em>StreetLight</em> on my corner is broken</p>'
t_eq "bob's direct message is accepted" 202 "$SC_STATUS"
C3=$(cases | t_jq "[?why=direct].id")
t_match "a direct message opens its own case" '^c[0-9]+$' "$C3"
show=$(h case show "$C3" --json)
t_eq "routed by keyword (any case, without markup) to roads" roads "$(t_jq .department <<<"$show")"
t_eq "direct visibility" direct "$(t_jq .visibility <<<"$show")"
t_eq "list by department" "$C2 $C3" "$(cases --department roads | t_jq '[].id' | tr '\n' ' ' | sed 's/ $//')"

# --- an Update and a Delete of a message are reflected ---
note ann 1 "[\"$PUBLIC\"]" '[]' '<p>Is the water safe to drink? (edited)</p>' "$NOTE" Update
t_eq "ann's edit is accepted" 202 "$SC_STATUS"
show=$(h case show "$C1" --json)
t_match "the edit replaced the words" 'edited' "$(t_jq .messages[0].html <<<"$show")"
t_match "the edit is marked" '^[0-9]+$' "$(t_jq .messages[0].edited_ms <<<"$show")"
sc_as "$P2_ROOT" "$P2" ann "$H_BASE/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$ANN/statuses/2#delete\",\"type\":\"Delete\",\"actor\":\"$ANN\",\"to\":[\"$PUBLIC\"],\"object\":{\"id\":\"$ANN/statuses/2\",\"type\":\"Tombstone\"}}"
t_eq "ann's delete is accepted" 202 "$SC_STATUS"
show=$(h case show "$C1" --json)
t_match "the withdrawn message is marked" '^[0-9]+$' "$(t_jq .messages[1].deleted_ms <<<"$show")"
t_eq "its words are gone" "|" "$(t_jq .messages[1].html <<<"$show")|$(t_jq .messages[1].original <<<"$show")"
t_eq "the case stays" 3 "$(cases | t_jq '|length')"

# --- bad input: a clear error, nothing changed ---
refused() { # WHAT EXPECTED-MESSAGE-REGEX CMD...
    local what=$1 re=$2 out
    shift 2
    if out=$("$@" 2>&1); then t_fail "$what: accepted ($out)"; return; fi
    t_match "$what: a clear error" "$re" "$out"
}
before="$(cases)|$(h route list --json)|$(h draft list --json 2>/dev/null)"
refused "an unknown case" "no case c999" h case show c999
refused "a malformed case id" "no case" h case close 'x/../y'
refused "an assignee who is no responder of the department" "ed is not an active responder of roads" \
    h --as resp case assign "$C3" ed
refused "an unknown assignee" "nobody is not an active responder" h --as resp case assign "$C3" nobody
refused "an editor may not assign" "does not hold" h --as ed case assign "$C3" resp
refused "an editor may not answer" "does not hold" h --as ed case answer "$C3" "We fix it."
refused "an empty answer" "needs its text" h --as resp case answer "$C3" "  "
refused "a route to an unknown department" "no such account: nowhere" \
    h route add --department nowhere --tag x
refused "a route without a match" "usage: route add" h route add --department roads
refused "a route keyword with control characters" "control characters" \
    h route add --department roads --keyword $'a\tb'
refused "a responder may not add routes" "does not hold" h --as resp route add --department roads --tag y
refused "an unknown route" "no route r999" h route remove r999
refused "a bad status filter" "new, assigned, answered or closed" h case list --status bogus
refused "an unknown verb" "usage: case" h case frobnicate
t_eq "nothing changed" "$before" "$(cases)|$(h route list --json)|$(h draft list --json 2>/dev/null)"

# --- handling ---
t_match "a responder assigns the case to themselves" "assigned to resp" "$(h --as resp case assign "$C3" resp)"
t_eq "status assigned" assigned "$(h case show "$C3" --json | t_jq .status)"
t_match "the audit log has it" "case.assign" "$(h audit list 2>/dev/null | grep -F "$C3" || true)"

# --- the answer: drafted by the responder, approved by an approver, sent as a reply ---
out=$(h --as resp case answer "$C3" "We will repair it this week." --submit)
t_match "the answer waits for approval" "submitted" "$out"
D=${out%% *}
t_eq "the draft is the department's and names the case" "roads $C3" \
    "$(h draft show "$D" | t_jq .account) $(h draft show "$D" | t_jq .case)"
t_eq "the case is not answered before approval" assigned "$(h case show "$C3" --json | t_jq .status)"
refused "the responder cannot approve their own answer" "does not hold|cannot approve" \
    h --as resp draft approve "$D" --rev "$(h draft show "$D" | t_jq .rev_sha256)"
t_match "the approver approves: published" "^$H_BASE/users/roads/notes/" \
    "$(h --as ap draft approve "$D" --rev "$(h draft show "$D" | t_jq .rev_sha256)" --comment ok)"
show=$(h case show "$C3" --json)
t_eq "the case is answered" answered "$(t_jq .status <<<"$show")"
t_match "first answer time" '^[0-9]+$' "$(t_jq .first_answer_ms <<<"$show")"
ANSWER=$(t_jq .answers[0].note <<<"$show")
t_match "the answer's note" "^$H_BASE/users/roads/notes/" "$ANSWER"
t_wait 15 fp_has_posts "$P3_ROOT" Create "" "" 1 || t_fail "bob got no answer"
got=$(for n in $(fp_posts "$P3_ROOT" Create); do cat "$P3_ROOT/_received/$n.json"; done | head -n1)
t_eq "the answer replies to bob's message" "$BOB/statuses/2" "$(t_jq .object.inReplyTo <<<"$got")"
t_eq "it is addressed to bob only (direct)" "[\"$BOB\"]" "$(t_jq .object.to <<<"$got")"
t_eq "no public, no followers in cc" "[]" "$(t_jq .object.cc <<<"$got")"
t_match "it mentions bob" "class=\"u-url mention\">@<span>bob</span>" "$(t_jq .object.content <<<"$got")"

# a public case's answer is a public reply (the stored Note, as anyone can fetch it)
D2=$(h --as resp case answer "$C2" "Repair crews are on their way." --submit)
h --as ap draft approve "${D2%% *}" --rev "$(h draft show "${D2%% *}" | t_jq .rev_sha256)" >/dev/null
A2=$(h case show "$C2" --json | t_jq .answers[0].note)
pub=$(h_get "${A2#"$H_BASE"}")
t_eq "the public answer is served" 200 "$(head -n1 <<<"$pub")"
t_eq "it replies to bob's mention" "$BOB/statuses/1" "$(tail -n +2 <<<"$pub" | t_jq .inReplyTo)"
t_eq "it is public" "$PUBLIC" "$(tail -n +2 <<<"$pub" | t_jq .to[0])"
t_match "its cc has the department's followers" "$H_BASE/users/roads/followers" "$(tail -n +2 <<<"$pub" | t_jq .cc)"

# --- the citizen's reply to our answer joins the case, which waits again ---
note bob 3 "[\"$H_BASE/users/roads\"]" "[{\"type\":\"Mention\",\"href\":\"$H_BASE/users/roads\"}]" \
    '<p>Thanks, when exactly?</p>' "$ANSWER"
t_eq "bob's follow-up is accepted" 202 "$SC_STATUS"
show=$(h case show "$C3" --json)
t_eq "it joined the case" 2 "$(t_jq '.messages|length' <<<"$show")"
t_eq "the case waits again" new "$(t_jq .status <<<"$show")"
t_eq "no new case" 3 "$(cases | t_jq '|length')"

# --- close; a message after that opens a new case naming the old one ---
t_match "close" "closed" "$(h --as resp case close "$C1" --comment 'answered by phone')"
note ann 4 "[\"$PUBLIC\"]" '[]' '<p>One more question</p>' "$NOTE"
t_eq "ann writes again" 202 "$SC_STATUS"
t_eq "a new case names the closed one" "$C1" "$(cases --status new --account health | t_jq "[?citizen=$ANN].previous")"

# --- the admin API ---
TOK=$(h token create resp 2>/dev/null)
api() { # api METHOD PATH [BODY]: "STATUS BODY"
    curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
        -X "$1" ${3:+--data "$3"} "$H_BASE/api/herald/v1$2" | { b=$(cat); printf '%s %s' "${b##*$'\n'}" "${b%$'\n'*}"; }
}
t_match "GET /cases lists the department's cases" "^200 .*\"id\":\"$C3\"" "$(api GET '/cases?department=roads')"
t_match "GET /cases/ID" "^200 .*\"status\":\"new\"" "$(api GET "/cases/$C3")"
t_match "GET /cases/unknown is 404" '^404 .*no case c999' "$(api GET /cases/c999)"
t_match "POST assign to a non-responder is 422" '^422 .*not an active responder' \
    "$(api POST "/cases/$C3/assign" '{"operator":"ed"}')"
t_match "POST answer without text is 422" '^422 .*needs its text' "$(api POST "/cases/$C3/answer" '{}')"
t_match "POST answer" '^200 .*"state":"submitted"' \
    "$(api POST "/cases/$C3/answer" '{"text":"Thursday morning.","submit":true}')"
t_match "POST answer without \"submit\" submits it for approval" '^200 .*"state":"submitted"' \
    "$(api POST "/cases/$C3/answer" '{"text":"Or Friday at the latest."}')"
t_match "a department's responder may list routes (route.read: any operator)" \
    '^200 ' "$(api GET /routes)"
t_match "a responder may not POST /routes (403)" '^403 ' \
    "$(api POST /routes '{"department":"roads","match":"tag","value":"x"}')"
t_eq "still two routes" 2 "$(h route list --json | t_jq '|length')"
R=$(h route list --json | t_jq .[0].id)
ATOK=$(h token create adm 2>/dev/null)
t_match "an admin lists routes" '"routes":\[' \
    "$(curl -s -H "Authorization: Bearer $ATOK" "$H_BASE/api/herald/v1/routes")"
out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $ATOK" -X POST "$H_BASE/api/herald/v1/routes/$R/remove")
t_match "an admin removes a route" '200$' "$out"
t_eq "one route left" 1 "$(h route list --json | t_jq '|length')"

h_stop
t_done
