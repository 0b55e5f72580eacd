#!/bin/bash
# tests/integration/freeze.sh - herald account freeze (a suspected hijack): posts are refused
# with nothing stored or sent, deliveries already queued and Accepts of new followers are
# held (not dropped, not failed) while followers are kept, the profile says so (actor
# summary, a field, the public page) and followers get Update(actor); one admin cannot lift
# the freeze (neither alone nor as requester and approver, nor the shell user as the
# second), a second admin can, and the held deliveries then go out. CLI and admin API.
#
# Peer: 127.0.0.2 ann and bea (shared inbox).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
API=/api/herald/v1
H() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
actor() { curl -s -H 'Accept: application/activity+json' "$ME"; }
follow() { # follow NAME N
    sc_as "$P2_ROOT" "$P2" "$1" "$ME/inbox" --body-text \
        "$(printf '{"@context":"%s","id":"%s/users/%s/follows/%s","type":"Follow","actor":"%s/users/%s","object":"%s"}' \
            "$AS" "$P2" "$1" "$2" "$P2" "$1" "$ME")"
}
api() { # api TOKEN PATH BODY: prints STATUS then the body
    curl -s -w '\n%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -X POST --data "$3" "$H_BASE$API$2" | { b=$(cat); printf '%s\n%s\n' "${b##*$'\n'}" "${b%$'\n'*}"; }
}
frozen_in_actor() { actor | t_jq '.attachment[?name=Account status].value'; }
deliveries() { h_stats | t_jq .deliveries; }
posts() { h_stats | t_jq .objects; }

h_start health agency
ME="$H_BASE/users/health"
for op in adm1 adm2 ed; do H operator add "$op" >/dev/null; done
H grant adm1 admin --account health >/dev/null
H grant adm2 admin >/dev/null
H grant ed editor --account health >/dev/null
TOK_ADM2=$(H token create adm2 2>/dev/null)
TOK_ED=$(H token create ed 2>/dev/null)

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P2_ROOT" "$P2" bea
follow ann 1
t_eq "ann's Follow accepted" 202 "$SC_STATUS"
t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/ann/inbox "" 1 || t_fail "ann got no Accept"
t_wait 15 h_deliveries_drained || t_fail "queue not drained"

# --- a post queued while the server is down, then the freeze ---
h_stop
N1=$(H post health "Queued before the freeze")
t_eq "one delivery queued for the post" 1 "$(deliveries)"
out=$(H --as ed account freeze health --reason "suspected hijack" 2>&1) && t_fail "an editor froze"
t_match "an editor cannot freeze" "admin" "$out"
out=$(H account freeze health 2>&1) && t_fail "freeze without a reason succeeded"
t_match "freeze needs --reason" "reason" "$out"
t_eq "refused freezes stored nothing" "" "$(frozen_in_actor)"
out=$(H --as adm1 account freeze health --reason "suspected hijack: token of anna leaked")
t_match "adm1 freezes the account" "frozen" "$out"
t_eq "the freeze queued one Update(actor)" 2 "$(deliveries)"
out=$(H --as adm2 account freeze health --reason "again" 2>&1) && t_fail "a second freeze succeeded"
t_match "freezing twice is refused" "frozen already" "$out"

objects=$(posts)
out=$(H post health "Send your bank details to ..." 2>&1) && t_fail "a frozen account posted"
t_match "herald post is refused with a clear error" "frozen since .*two admins" "$out"
out=$(H --as ed draft new health "Another attempt" --submit 2>&1) && t_fail "a frozen draft was submitted"
t_match "a submitted draft is refused too" "frozen" "$out"
t_eq "the refused posts stored nothing" "$objects" "$(posts)"
t_eq "the refused posts queued nothing" 2 "$(deliveries)"
t_match "the freeze is audited with its reason" "account.freeze.*suspected hijack" \
    "$(H audit list --account health)"

# --- serving again: the notice goes out, the post is held ---
h_serve "$H_DATA" "$H_PORT"
t_wait 15 fp_has_posts "$P2_ROOT" Update /inbox "" 1 || t_fail "the freeze's Update(actor) did not arrive"
U=$(fp_posts "$P2_ROOT" Update /inbox | head -n1)
t_match "the Update carries the notice" "frozen" "$(t_jq .object.summary "$P2_ROOT/_received/$U.json")"
t_eq "the post queued before the freeze was not sent" "" "$(fp_posts "$P2_ROOT" Create)"
t_eq "... and is still queued (held, not dropped)" 1 "$(deliveries)"
t_match "the actor shows the freeze as a field" "^Frozen since " "$(frozen_in_actor)"
t_match "the actor summary says it is frozen" "frozen by its agency" "$(actor | t_jq .summary)"
t_eq "the reason is not published" "" "$(actor | grep -o 'anna' || true)"
page=$(curl -s -H 'Accept: text/html' "$H_BASE/@health")
t_match "the profile page shows the notice" 'class="frozen" role="alert"' "$page"

# a new follower is kept, its Accept held; a later profile change still goes out
follow bea 2
t_eq "bea's Follow accepted while frozen" 202 "$SC_STATUS"
t_eq "bea is kept as a follower" 2 "$(h_followers health | wc -l)"
H --as adm1 account set health display_name "Health (frozen)" >/dev/null
t_wait 15 fp_has_posts "$P2_ROOT" Update /inbox "" 2 || t_fail "the profile Update did not arrive"
t_eq "bea's Accept is held" "" "$(fp_posts "$P2_ROOT" Accept /users/bea/inbox)"
t_eq "still no Create sent" "" "$(fp_posts "$P2_ROOT" Create)"

# --- lifting: two different admins ---
sent=$(fp_count "$P2_ROOT")
out=$(H --as adm1 account unfreeze health --approve 2>&1) && t_fail "approve without a request"
t_match "approving before anyone asked is refused" "nobody asked" "$out"
out=$(H --as adm1 account unfreeze health)
t_match "adm1 asks to lift the freeze" "second admin" "$out"
out=$(H --as adm1 account unfreeze health 2>&1) && t_fail "a second request succeeded"
t_match "asking twice is refused" "requested by adm1 already" "$out"
out=$(H --as adm1 account unfreeze health --approve 2>&1) && t_fail "adm1 approved its own request"
t_match "the requester cannot approve" "second admin must" "$out"
out=$(H account unfreeze health --approve 2>&1) && t_fail "the shell user approved"
t_match "the shell user cannot be the second admin" "nobody's approver" "$out"
out=$(H --as ed account unfreeze health --approve 2>&1) && t_fail "an editor approved"
t_match "an editor cannot approve" "admin" "$out"
r=$(api "$TOK_ED" /accounts/health/unfreeze '{"approve":true}')
t_eq "the API refuses an editor's approval" 403 "$(head -n1 <<<"$r")"
r=$(api "$TOK_ADM2" /accounts/health/unfreeze '{"approve":"yes"}')
t_eq "the API wants a boolean approve" 422 "$(head -n1 <<<"$r")"
r=$(api "$TOK_ADM2" /accounts/health/freeze '{}')
t_eq "the API wants a reason to freeze" 422 "$(head -n1 <<<"$r")"
t_match "after the refusals the account is still frozen" "^Frozen since " "$(frozen_in_actor)"
t_eq "after the refusals nothing more was sent" "$sent" "$(fp_count "$P2_ROOT")"
t_eq "after the refusals the held jobs are still queued" 2 "$(deliveries)"

r=$(api "$TOK_ADM2" /accounts/health/unfreeze '{"approve":true}')
t_eq "adm2 lifts the freeze through the API" 200 "$(head -n1 <<<"$r")"
t_eq "the held deliveries are resumed" 2 "$(tail -n +2 <<<"$r" | t_jq .resumed)"
t_wait 15 fp_has_posts "$P2_ROOT" Create /inbox "" 1 || t_fail "the held post was not delivered"
C=$(fp_posts "$P2_ROOT" Create /inbox | head -n1)
t_eq "the held post is the one delivered" "$N1" "$(t_jq .object.id "$P2_ROOT/_received/$C.json")"
t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/bea/inbox "" 1 || t_fail "bea's Accept was not delivered"
t_wait 15 fp_has_posts "$P2_ROOT" Update /inbox "" 3 || t_fail "no Update(actor) after the unfreeze"
t_eq "the actor no longer shows the freeze" "" "$(frozen_in_actor)"
t_wait 15 h_deliveries_drained || t_fail "queue not drained after the unfreeze"
t_match "the request and the lifting are audited" \
    "account.unfreeze.request.*adm1|adm1.*account.unfreeze.request" "$(H audit list --account health)"
t_match "the lifting names both admins" "adm2.*account.unfreeze.*requested by adm1" \
    "$(H audit list --account health | tr -s ' ')"
N2=$(H post health "Back to normal")
t_match "posting works again" "^$ME/notes/" "$N2"

h_stop
t_done
