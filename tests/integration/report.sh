#!/bin/bash
# tests/integration/report.sh - evaluation reports (issue #12 part 5, docs/evaluation.md)
# with the real binary: posts published through the CLI, followers through signed Follows
# (and one Undo), a Like, a rejected draft, deliveries that reach a peer; then `herald
# report --format json|csv|html` agrees with a hand count, the admin API's GET /reports
# says the same, and every bad input (a bad date, a reversed period, an unknown account,
# format or language, an operator without report.read) is a clear error with nothing
# written to --output.
#
# Peers: 127.0.0.2 ann (follows), bob (follows, then leaves).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
API=/api/herald/v1

h_start health agency
ME="$H_BASE/users/health"
H() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
H account add transport --kind agency --name Transport >/dev/null
for op in adm aud ed ap; do H operator add "$op" >/dev/null; done
H grant adm admin >/dev/null
H grant aud auditor --account health >/dev/null
H grant ed editor --account health >/dev/null
H grant ap approver --account health >/dev/null
TOK_ADM=$(H token create adm 2>/dev/null)
TOK_AUD=$(H token create aud 2>/dev/null)
TOK_ED=$(H token create ed 2>/dev/null)
api() { # api TOKEN QUERY: prints STATUS then the body
    curl -s -w '\n%{http_code}' -H "Authorization: Bearer $1" "$H_BASE$API/reports?$2" | {
        body=$(cat); printf '%s\n%s\n' "${body##*$'\n'}" "${body%$'\n'*}"; }
}

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P2_ROOT" "$P2" bob
as() { sc_as "$P2_ROOT" "$P2" "$1" "$ME/inbox" --body-text "$2"; }
follow() { as "$1" "{\"@context\":\"$AS\",\"id\":\"$P2/users/$1/follows/1\",\"type\":\"Follow\",\"actor\":\"$P2/users/$1\",\"object\":\"$ME\"}"; }

# ---- what happens in the period (today), counted by hand as it goes ----
follow ann
t_eq "ann follows" 202 "$SC_STATUS"
follow bob
t_eq "bob follows" 202 "$SC_STATUS"
as bob "{\"@context\":\"$AS\",\"id\":\"$P2/users/bob/undos/1\",\"type\":\"Undo\",\"actor\":\"$P2/users/bob\",\"object\":{\"id\":\"$P2/users/bob/follows/1\",\"type\":\"Follow\",\"actor\":\"$P2/users/bob\",\"object\":\"$ME\"}}"
t_eq "bob leaves" 202 "$SC_STATUS"
t_eq "one follower left" "$P2/users/ann" "$(h_followers health)"

N1=$(H post health "First notice")
H post health "Second notice" >/dev/null
H post health "Third notice" >/dev/null
t_match "posts are published" "^$ME/notes/" "$N1"
H boost health "$P2/users/ann/notes/1" >/dev/null 2>&1 || true # a boost is not a post
as ann "{\"@context\":\"$AS\",\"id\":\"$P2/users/ann/likes/1\",\"type\":\"Like\",\"actor\":\"$P2/users/ann\",\"object\":\"$N1\"}"
t_eq "ann likes the first post" 202 "$SC_STATUS"
H account set health approvals 1 >/dev/null
D=$(H --as ed draft new health "Not like this" --submit | grep -oE 'd[0-9a-z]+' | head -1)
REV=$(H draft show "$D" | t_jq .rev_sha256)
H --as ap draft reject "$D" --rev "$REV" --comment "wording" >/dev/null
t_eq "the draft is rejected" rejected "$(H draft show "$D" | t_jq .state)"
t_wait 15 h_deliveries_drained || t_fail "deliveries not drained"

TODAY=$(date -u +%F)
YESTERDAY=$(date -u -d yesterday +%F)
P="--from $YESTERDAY --to $TODAY"
J=$(H report $P --format json)
acct() { t_jq ".accounts[?account=health].$1" <<<"$J"; }
t_eq "period from" "$YESTERDAY" "$(t_jq .period.from <<<"$J")"
t_eq "period to (inclusive)" "$TODAY" "$(t_jq .period.to <<<"$J")"
t_eq "two accounts" 2 "$(t_jq '.accounts|length' <<<"$J")"
t_eq "posts: three, the boost not counted" 3 "$(acct posts)"
t_eq "drafts rejected" 1 "$(acct drafts_rejected)"
t_eq "followers at the start: none yet" 0 "$(acct followers_start)"
t_eq "followers at the end: ann (bob left)" 1 "$(acct followers_end)"
t_eq "likes" 1 "$(acct likes)"
t_eq "active followers: ann liked" 1 "$(acct active_followers)"
t_eq "instances reached: the peer" 1 "$(acct instances_reached)"
t_eq "no cases" 0 "$(acct cases.opened)"
t_eq "no service index without cases" null "$(acct indices.service.score)"
t_match "an activity score" '^[0-9.]+$' "$(acct indices.activity.score)"
t_eq "transport published nothing" 0 "$(t_jq '.accounts[?account=transport].posts' <<<"$J")"

# ---- csv ----
C=$(H report $P --format csv)
t_eq "csv: a header and a row per account" 3 "$(printf '%s' "$C" | grep -c $'\r$')"
t_match "csv header" '^account,parent,from,to,posts,drafts_rejected,' "$C"
t_match "csv: health's row" "^health,,$YESTERDAY,$TODAY,3,1," "$(grep '^health,' <<<"$C")"

# ---- html ----
HT=$(H report $P --format html)
t_match "html: a page" '^<!DOCTYPE html>' "$HT"
t_match "html: inline SVG charts" '<svg' "$HT"
t_eq "html: nothing fetched from elsewhere" 0 "$(grep -cE '(src|href)=' <<<"$HT" || true)"
t_eq "html: no script" 0 "$(grep -c '<script' <<<"$HT" || true)"
t_match "html: English labels" 'Posts per week' "$HT"
t_match "html in Chinese" '每周发布数' "$(H report $P --format html --lang zh-CN)"
H report $P --format html --output "$T_DIR/r.html"
t_eq "--output writes the page" "$HT" "$(cat "$T_DIR/r.html")"

# ---- the admin API says the same ----
A=$(api "$TOK_ADM" "from=$YESTERDAY&to=$TODAY&format=json")
t_eq "API: 200" 200 "$(head -1 <<<"$A")"
AJ=$(tail -n +2 <<<"$A")
for f in posts drafts_rejected followers_start followers_end likes active_followers \
    instances_reached; do
    t_eq "API agrees on $f" "$(acct "$f")" "$(t_jq ".accounts[?account=health].$f" <<<"$AJ")"
done
A=$(api "$TOK_AUD" "account=health&from=$YESTERDAY&to=$TODAY")
t_eq "API: the account's auditor reads its report" 200 "$(head -1 <<<"$A")"
t_eq "API: its posts" 3 "$(tail -n +2 <<<"$A" | t_jq '.accounts[0].posts')"
t_eq "API: the auditor of one account not the instance's" 403 "$(api "$TOK_AUD" "from=$TODAY" | head -1)"
t_eq "API: an editor may not" 403 "$(api "$TOK_ED" "account=health" | head -1)"
t_eq "API: a bad date" 422 "$(api "$TOK_ADM" "from=2026-02-30" | head -1)"
t_eq "API: an unknown account" 404 "$(api "$TOK_ADM" "account=nobody" | head -1)"
t_eq "API: csv" 200 "$(api "$TOK_ADM" "format=csv" | head -1)"
t_eq "API: an unknown format" 422 "$(api "$TOK_ADM" "format=xml" | head -1)"

# ---- bad input: a clear error, an exit code, nothing written ----
refused() { # refused WHAT EXIT ARGS...: exit code EXIT, a message, no file
    local what=$1 want=$2 rc=0 err
    shift 2
    rm -f "$T_DIR/out.json"
    err=$(H "$@" --output "$T_DIR/out.json" 2>&1 >/dev/null) || rc=$?
    t_eq "$what: exit $want" "$want" "$rc"
    t_match "$what: says why" 'herald' "$err"
    t_eq "$what: nothing written" no "$([ -e "$T_DIR/out.json" ] && echo yes || echo no)"
}
refused "no such day" 2 report --from 2026-02-30 --format json
refused "not a date" 2 report --to tomorrow --format json
refused "from after to" 2 report --from "$TODAY" --to "$YESTERDAY" --format json
refused "unknown format" 2 report --format xml
refused "no format" 2 report
refused "unknown language" 2 report --format html --lang fr
refused "unknown account" 1 report --account nobody --format json
refused "an editor" 1 --as ed report --account health --format json
refused "an account's auditor, instance-wide" 1 --as aud report --format json
t_eq "nothing left behind" 0 "$(find "$T_DIR" -maxdepth 1 -name 'out.json*' | wc -l)"

h_stop
t_done
