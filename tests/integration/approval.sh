#!/bin/bash
# tests/integration/approval.sh - four-eyes publishing end to end: an account needing two
# approvals; one operator alone gets nothing out by any CLI route (post, approve own draft,
# approve twice, edit an approved draft, schedule); two approvers do; a scheduled post goes
# out exactly once even when the server is killed around its time; the audit chain verifies.
. "$(dirname "$0")/../harness/lib.sh"

H_APPROVALS=2 h_start health agency
ME="$H_BASE/users/health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
rev() { h draft show "$1" | t_jq .rev_sha256; } # the revision an approver read
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" alice
ALICE="$P2/users/alice"
printf '{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s"}' \
    "$ALICE" "$ALICE" "$ME" >"$T_DIR/follow.json"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$T_DIR/follow.json"
t_eq "alice follows" 202 "$SC_STATUS"

for op in ed ap1 ap2 mallory; do h operator add "$op" >/dev/null; done
h grant ed editor --account health >/dev/null
h grant ed approver --account health >/dev/null   # an editor who may also approve others
h grant ap1 approver --account health >/dev/null
h grant ap2 approver >/dev/null                   # instance-wide
h grant mallory editor --account health >/dev/null

creates() { fp_posts "$P2_ROOT" Create | wc -l; }

out=$(h --as ed post health "Water main repair on 5th street")
t_match "post on an account needing approval files a draft" "^d[0-9]+ submitted, awaiting 2 approvals$" "$out"
D=${out%% *}
t_eq "the draft is listed as submitted" submitted "$(h draft show "$D" | t_jq .state)"

expect_refused() { # WHAT CMD...
    local what=$1
    shift
    if "$@" >"$T_DIR/out" 2>"$T_DIR/err"; then
        t_fail "$what: succeeded: $(cat "$T_DIR/out")"
    else
        t_pass "$what: refused ($(head -c 120 "$T_DIR/err"))"
    fi
}
expect_refused "the author cannot approve their own draft" h --as ed draft approve "$D" --rev "$(rev "$D")"
expect_refused "an editor without the approver role cannot approve" h --as mallory draft approve "$D" --rev "$(rev "$D")"
expect_refused "the local shell user is nobody's approver" h draft approve "$D" --rev "$(rev "$D")"
expect_refused "an unknown operator cannot approve" h --as nobody draft approve "$D" --rev "$(rev "$D")"
t_match "one approval leaves it waiting" "awaiting 1 approval" "$(h --as ap1 draft approve "$D" --rev "$(rev "$D")" --comment ok)"
expect_refused "the same approver cannot approve twice" h --as ap1 draft approve "$D" --rev "$(rev "$D")"

# an approval names the revision it approves: the approver reads, the author edits and
# resubmits, the approval for the text read is refused and changes nothing
R_READ=$(rev "$D")
h --as mallory draft edit "$D" "Water main repair on 5th street (text swapped after the read)" >/dev/null
h --as mallory draft submit "$D" >/dev/null
R_NOW=$(rev "$D")
t_match "the edit made a new revision hash" "^[0-9a-f]{64} [0-9a-f]{64}$" "$R_READ $R_NOW"
[ "$R_READ" != "$R_NOW" ] && t_pass "the two revision hashes differ" || t_fail "the hash did not change"
before=$(h draft show "$D"; h audit verify; h stats --json; creates)
if h --as ap2 draft approve "$D" --rev "$R_READ" >"$T_DIR/out" 2>"$T_DIR/err"; then
    t_fail "an approval of the revision read before an edit was accepted"
else
    t_pass "an approval of the revision read before an edit is refused"
fi
t_match "saying the draft changed since it was read" "changed since you read it" "$(cat "$T_DIR/err")"
t_eq "and changing nothing (draft, audit log, stats, deliveries)" "$before" \
    "$(h draft show "$D"; h audit verify; h stats --json; creates)"
if h --as ap2 draft reject "$D" --rev "$R_READ" --comment "no" 2>/dev/null; then
    t_fail "a rejection of a stale revision was accepted"
else
    t_pass "a rejection of a stale revision is refused too"
fi
st=0
h --as ap2 draft approve "$D" 2>"$T_DIR/err" >/dev/null || st=$?
t_eq "approve without --rev is a usage error" 2 "$st"
t_match "naming what is missing" "needs --rev HASH" "$(cat "$T_DIR/err")"
t_eq "none of it approved anything" 0 "$(h draft show "$D" | t_jq .approvals_valid)"
h --as mallory draft edit "$D" "Water main repair on 5th street" >/dev/null
h --as mallory draft submit "$D" >/dev/null
t_match "the first approval of the current revision" "awaiting 1 approval" \
    "$(h --as ap1 draft approve "$D" --rev "$(rev "$D")" --comment ok)"

# an edit voids the approvals given so far
t_match "an edit makes a new revision back in draft" "$D draft" "$(h --as mallory draft edit "$D" "Water main repair on 5th street, 8-12h")"
t_eq "the edit voided the approval" 0 "$(h draft show "$D" | t_jq .approvals_valid)"
expect_refused "a draft that is not submitted cannot be approved" h --as ap2 draft approve "$D" --rev "$(rev "$D")"
h --as mallory draft submit "$D" >/dev/null
h --as ap1 draft approve "$D" --rev "$(rev "$D")" >/dev/null
sleep 1
t_eq "nothing is published with one approval" 0 "$(creates)"
out=$(h --as ap2 draft approve "$D" --rev "$(rev "$D")")
t_match "the second approval publishes it" "^$ME/notes/" "$out"
t_wait 15 fp_has_posts "$P2_ROOT" Create "" "" 1 || true
t_eq "the follower got exactly one Create" 1 "$(creates)"
t_match "with the approved text" "8-12h" "$(cat "$P2_ROOT"/_received/*.json)"
expect_refused "a published draft cannot be edited" h --as ed draft edit "$D" "changed"
NOTE=$out

# editing the published post goes through the same workflow and federates as Update
E=$(h --as ed draft new health "Water main repair on 5th street, 8-14h" --replaces "$NOTE" --submit | cut -d' ' -f1)
h --as ap1 draft approve "$E" --rev "$(rev "$E")" >/dev/null
sleep 1
t_eq "an edit with one approval is not out" "" "$(fp_posts "$P2_ROOT" Update)"
h --as ap2 draft approve "$E" --rev "$(rev "$E")" >/dev/null
t_wait 15 fp_has_posts "$P2_ROOT" Update "" "" 1 || true
t_eq "the follower got the Update" 1 "$(fp_posts "$P2_ROOT" Update | wc -l)"
note=$(curl -s -H 'Accept: application/activity+json' "$NOTE")
t_match "the Note shows the new text" "8-14h" "$(printf '%s' "$note" | t_jq .content)"
old=$(printf '%s' "$note" | t_jq '.versions[0]')
t_match "and keeps the previous version" "8-12h"     "$(curl -s -H 'Accept: application/activity+json' "$old" | t_jq .content)"

# deleting it: Delete with a Tombstone, the Note answers 410
X=$(h --as ed draft new health --deletes "$NOTE" --submit | cut -d' ' -f1)
h --as ap1 draft approve "$X" --rev "$(rev "$X")" >/dev/null
h --as ap2 draft approve "$X" --rev "$(rev "$X")" >/dev/null
t_wait 15 fp_has_posts "$P2_ROOT" Delete "" "" 1 || true
t_eq "the follower got the Delete" 1 "$(fp_posts "$P2_ROOT" Delete | wc -l)"
t_eq "the deleted Note answers 410" 410     "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/activity+json' "$NOTE")"
expect_refused "a deleted post cannot be deleted again" h --as ed draft new health --deletes "$NOTE" --submit

# a rejected draft goes nowhere
D2=$(h --as ed draft new health "Draft to reject" --submit | cut -d' ' -f1)
expect_refused "rejecting without a comment" h --as ap1 draft reject "$D2" --rev "$(rev "$D2")"
t_match "says a comment is needed" "needs a comment" "$(cat "$T_DIR/err")"
h --as ap1 draft reject "$D2" --rev "$(rev "$D2")" --comment "wrong figures" >/dev/null
t_eq "a rejected draft is rejected" rejected "$(h draft show "$D2" | t_jq .state)"
expect_refused "a rejected draft cannot be approved" h --as ap2 draft approve "$D2" --rev "$(rev "$D2")"

# scheduling: approved for a time a few seconds ahead, the server killed around it
at_s=$(($(date +%s) + 12)) # far enough that the edits below happen before it, even under load
AT=$(date -u -d "@$at_s" +%Y-%m-%dT%H:%M:%SZ)
D3=$(h --as ed draft new health "Scheduled notice" --at "$AT" --submit | cut -d' ' -f1)
h --as ap1 draft approve "$D3" --rev "$(rev "$D3")" >/dev/null
t_eq "fully approved, it waits for its time" approved "$(h --as ap2 draft approve "$D3" --rev "$(rev "$D3")" | cut -d' ' -f2)"
# editing an approved scheduled draft voids it: it must go round again
h --as ed draft edit "$D3" "Scheduled notice (corrected)" --at "$AT" >/dev/null
h --as ed draft submit "$D3" >/dev/null
h --as ap1 draft approve "$D3" --rev "$(rev "$D3")" >/dev/null
h --as ap2 draft approve "$D3" --rev "$(rev "$D3")" >/dev/null
kill -9 "$H_PID"
wait "$H_PID" 2>/dev/null || true
while [ "$(date +%s)" -le "$at_s" ]; do sleep 0.2; done
h_serve "$H_DATA" "$H_PORT"
t_wait 15 fp_has_posts "$P2_ROOT" Create "" "" 2 || true
kill -9 "$H_PID"
wait "$H_PID" 2>/dev/null || true
h_serve "$H_DATA" "$H_PORT"
sleep 2
t_eq "the scheduled post went out exactly once" 2 "$(creates)"
t_match "in its corrected revision" "corrected" "$(h draft show "$D3" | t_jq .state) $(cat "$P2_ROOT"/_received/*.json)"
t_eq "and its draft is published" published "$(h draft show "$D3" | t_jq .state)"

t_match "the audit chain verifies" "^audit log intact: [0-9]+ entries$" "$(h audit verify)"
t_match "the audit log names who approved" "ap2 +draft.approve +health/$D" "$(h audit list --account health)"
h_stop
t_done
