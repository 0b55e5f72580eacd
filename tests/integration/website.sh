#!/bin/bash
# tests/integration/website.sh - website binding (issue 9 §5): an account's website in its
# actor (rel=me PropertyValue, attributionDomains); herald serve checks a new website by
# itself; `herald website check` verifies, then unverifies when the page changes, each
# change sending Update(actor) to followers; pages that are not HTML, too big, or redirect
# to a refused host do not verify; /.well-known/herald/accounts.json; every bad input is
# refused with nothing stored or sent; SIGTERM during a held website fetch stops cleanly.
#
# Peers: 127.0.0.2 the agency's website; 127.0.0.3 ann, a follower; 127.0.0.4 a host the
# instance blocks (a redirect target that must never be fetched).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'

h_start health agency
ME="$H_BASE/users/health"
PROFILE="$H_BASE/@health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }

fp_start 127.0.0.2 site
SITE_ROOT=$FP_ROOT SITE=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_start 127.0.0.4 evil
EVIL_ROOT=$FP_ROOT EVIL=$FP_BASE
fp_actor "$P3_ROOT" "$P3" ann

# page NAME TYPE HTML: the website serves HTML at /NAME with Content-Type TYPE
page() {
    rm -f "$SITE_ROOT/$1.json.status" "$SITE_ROOT/$1.json.location"
    printf '%s' "$3" >"$SITE_ROOT/$1.json"
    printf '%s' "$2" >"$SITE_ROOT/$1.json.type"
}
fetched() {
    local n
    n=$(grep -c "^GET /$2 " "$1/_fetched.log" 2>/dev/null) || true
    echo "${n:-0}"
}
accounts() { curl -s "$H_BASE/.well-known/herald/accounts.json"; }
website_field() { accounts | t_jq ".accounts[0].website.$1"; }
updates() { fp_posts "$P3_ROOT" Update | wc -l; }
has_updates() { [ "$(updates)" -ge "$1" ]; }
checked() { [ -n "$(website_field checked_at)" ] && [ "$(website_field checked_at)" != null ]; }

# --- ann follows health ---
sc_as "$P3_ROOT" "$P3" ann "$ME/inbox" --body-text \
    "$(printf '{"@context":"%s","id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s"}' \
        "$AS" "$P3/users/ann" "$P3/users/ann" "$ME")"
t_eq "ann's Follow is accepted" 202 "$SC_STATUS"
t_wait 10 fp_has_posts "$P3_ROOT" Accept "" "" 1 || t_fail "no Accept reached ann"

# --- bad input: refused, nothing stored, nothing sent ---
h operator add clerk >/dev/null
before_stats=$(h_stats)
before_accounts=$(accounts)
before_sent=$(fp_count "$P3_ROOT")
long="$SITE/$(head -c 600 /dev/zero | tr '\0' a)"
for bad in "ftp://www.city.example/x" "http://www.city.example/" "not a url" "https://u:p@www.city.example/" \
    "$long" "javascript:alert(1)"; do
    rc=0
    out=$(h account set health website "$bad" 2>&1) || rc=$?
    t_eq "website '${bad:0:40}' is refused" 1 "$rc"
    t_match "with a reason" 'website (must|is)' "$out"
done
rc=0; out=$(h account set health attribution_domains "ok.example bad/host" 2>&1) || rc=$?
t_eq "a bad attribution domain is refused" 1 "$rc"
rc=0; out=$(h account set nobody website "$SITE/index" 2>&1) || rc=$?
t_eq "a website for an unknown account is refused" 1 "$rc"
rc=0; out=$(h --as clerk account set health website "$SITE/index" 2>&1) || rc=$?
t_eq "an operator without a role may not set a website" 1 "$rc"
rc=0; out=$(h website check nobody 2>&1) || rc=$?
t_eq "checking an unknown account fails" 1 "$rc"
t_match "naming it" "no account named 'nobody'" "$out"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "checking an account without website fails" 1 "$rc"
t_match "saying so" 'has no website' "$out"
rc=0; out=$(h --as clerk website check health 2>&1) || rc=$?
t_eq "an operator without a role may not run a check" 1 "$rc"
rc=0; out=$(h website check 2>&1) || rc=$?
t_eq "website check without NAME is a usage error" 2 "$rc"
t_eq "bad input stored nothing (stats)" "$before_stats" "$(h_stats)"
t_eq "bad input stored nothing (accounts.json)" "$before_accounts" "$(accounts)"
t_eq "bad input sent nothing" "$before_sent" "$(fp_count "$P3_ROOT")"
t_eq "no website was fetched" 0 "$(fetched "$SITE_ROOT" index)"

# --- the website is set: actor field, and herald serve checks it by itself ---
page index 'text/html; charset=utf-8' '<!doctype html><html><body><p>No link yet</p></body></html>'
h account set health website "$SITE/index" >/dev/null
h account set health attribution_domains "news.city.example" >/dev/null
actor=$(curl -s -H 'Accept: application/activity+json' "$ME")
t_eq "the actor has a Website field linking with rel=me (text = href)" \
    "<a href=\"$SITE/index\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">$SITE/index</a>" \
    "$(t_jq .attachment[1].value <<<"$actor")"
t_eq "attributionDomains: the website's host, then the admin's" "127.0.0.2 news.city.example" \
    "$(t_jq '.attributionDomains[]' <<<"$actor" | tr '\n' ' ' | sed 's/ $//')"
t_match "the @context defines attributionDomains" 'toot:attributionDomains' "$actor"
if t_wait 20 checked; then t_pass "herald serve checked the new website by itself"; else
    t_fail "herald serve did not check the new website"; fi
t_eq "the page without a link back is not verified" false "$(website_field verified)"
t_eq "the website was fetched (once)" 1 "$(fetched "$SITE_ROOT" index)"
t_wait 10 has_updates 2 || true
t_eq "setting the website and attribution domains sent two Update(actor)" 2 "$(updates)"

# --- verify ---
page index 'text/html' "<html><head><link rel=\"me\" href=\"$PROFILE\"></head><body>Health</body></html>"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a page linking back with rel=me verifies (exit 0)" 0 "$rc"
t_match "and says so" "website $SITE/index verified: rel=\"me\" link to $PROFILE found" "$out"
t_match "and that followers get Update(actor)" 'Update\(actor\) queued' "$out"
t_eq "accounts.json shows it verified" true "$(website_field verified)"
if t_wait 10 has_updates 3; then t_pass "the verification sent Update(actor) to ann"; else
    t_fail "no Update(actor) after verification"; fi
n=$(fp_posts "$P3_ROOT" Update | tail -n1)
t_eq "the Update carries the actor with its Website field" "$ME" \
    "$(t_jq .object.id "$P3_ROOT/_received/$n.json")"
t_eq "its Website field" "$SITE/index" \
    "$(t_jq '.object.attachment[?name=Website].value' "$P3_ROOT/_received/$n.json" | sed 's/.*>\(.*\)<.*/\1/')"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "checking again still verifies" 0 "$rc"
t_eq "no state change: no new Update is queued" 0 "$(h_stats | t_jq .deliveries)"

# --- unverify: the link now names another actor ---
page index 'text/html' "<html><body><a rel=\"me\" href=\"$H_BASE/@other\">x</a><!-- <a rel=\"me\" href=\"$PROFILE\"> --></body></html>"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a page whose rel=me names someone else does not verify (exit 1)" 1 "$rc"
t_match "and says why" 'not verified: no rel="me" link to this account' "$out"
t_eq "accounts.json shows it unverified" false "$(website_field verified)"
if t_wait 10 has_updates 4; then t_pass "the unverification sent Update(actor)"; else
    t_fail "no Update(actor) after unverification"; fi

# --- pages that never verify: not HTML, too big ---
page index 'text/html' "<a rel=me href=\"$PROFILE\">x</a>"
h website check health >/dev/null
t_eq "(verified again)" true "$(website_field verified)"
page index 'application/json' "<a rel=me href=\"$PROFILE\">x</a>"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a page that is not text/html does not verify" 1 "$rc"
t_match "because of its type" 'not an HTML page' "$out"
{ printf '<a rel=me href="%s">x</a>' "$PROFILE"; head -c 1100000 /dev/zero | tr '\0' ' '; } \
    >"$SITE_ROOT/index.json"
printf 'text/html' >"$SITE_ROOT/index.json.type"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a page over 1 MiB does not verify, even with the link" 1 "$rc"
t_match "because of its size" 'over 1048576 bytes' "$out"
t_eq "accounts.json shows it unverified" false "$(website_field verified)"

# --- redirects: each hop meets the domain policy; private addresses need the config ---
page target 'text/html' "<a rel=me href=\"$PROFILE\">x</a>"
page moved 'text/html' ''
printf 302 >"$SITE_ROOT/moved.json.status"
printf '%s' "$SITE/target" >"$SITE_ROOT/moved.json.location"
h account set health website "$SITE/moved" >/dev/null
# the server checks the changed website by itself: let it, so that it cannot fetch (or
# record) in the middle of the checks below
if t_wait 20 checked; then t_pass "herald serve checked the changed website"; else
    t_fail "herald serve did not check the changed website"; fi
t_eq "and found the link behind the redirect" true "$(website_field verified)"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a redirect within the website is followed and verifies" 0 "$rc"
h domain block 127.0.0.4 --reason test >/dev/null
printf '%s' "$EVIL/target" >"$SITE_ROOT/moved.json.location"
cp "$SITE_ROOT/target.json" "$EVIL_ROOT/target.json"
cp "$SITE_ROOT/target.json.type" "$EVIL_ROOT/target.json.type"
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "a redirect to a blocked host is refused" 1 "$rc"
t_match "as refused, not as a link missing" 'not verified: .*(blocked|refused|not allowed)' "$out"
t_eq "the blocked host was never contacted" 0 "$(fetched "$EVIL_ROOT" target)"
t_eq "accounts.json shows it unverified" false "$(website_field verified)"
sed -i 's/^allow_private_network = true$/allow_private_network = false/' "$H_DATA/herald.conf"
n_before=$(fetched "$SITE_ROOT" moved)
rc=0; out=$(h website check health 2>&1) || rc=$?
t_eq "without allow_private_network a loopback website is refused" 1 "$rc"
t_eq "before anything connects" "$n_before" "$(fetched "$SITE_ROOT" moved)"
rc=0; out=$(h account set health website "$SITE/index" 2>&1) || rc=$?
t_eq "and cannot be set" 1 "$rc"
sed -i 's/^allow_private_network = false$/allow_private_network = true/' "$H_DATA/herald.conf"

# --- accounts.json ---
hdr=$(curl -s -D - -o "$T_DIR/accounts.json" "$H_BASE/.well-known/herald/accounts.json")
t_match "accounts.json has an ETag" '^[Ee][Tt]ag: "' "$(grep -i '^etag:' <<<"$hdr")"
t_match "and may be cached" 'public, max-age=' "$(grep -i '^cache-control:' <<<"$hdr")"
t_match "and is served as JSON to any origin" 'application/json' "$(grep -i '^content-type:' <<<"$hdr")"
etag=$(grep -i '^etag:' <<<"$hdr" | cut -d' ' -f2 | tr -d '\r')
t_eq "If-None-Match answers 304" 304 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$H_BASE/.well-known/herald/accounts.json")"
t_eq "it lists the account's name" health "$(t_jq .accounts[0].name "$T_DIR/accounts.json")"
t_eq "kind" agency "$(t_jq .accounts[0].kind "$T_DIR/accounts.json")"
t_eq "actor" "$ME" "$(t_jq .accounts[0].actor "$T_DIR/accounts.json")"
t_eq "profile URL" "$PROFILE" "$(t_jq .accounts[0].url "$T_DIR/accounts.json")"
t_eq "handle" "@health@127.0.0.1:$H_PORT" "$(t_jq .accounts[0].handle "$T_DIR/accounts.json")"
t_eq "website" "$SITE/moved" "$(t_jq .accounts[0].website.url "$T_DIR/accounts.json")"

# --- SIGTERM while the rechecker waits on a slow website: it stops, cleanly ---
page slow 'text/html' "<a rel=me href=\"$PROFILE\">x</a>"
: >"$SITE_ROOT/slow.json.hold"
h account set health website "$SITE/slow" >/dev/null
slow_fetched() { [ "$(fetched "$SITE_ROOT" slow)" -ge 1 ]; }
if t_wait 20 slow_fetched; then t_pass "the rechecker is fetching the held page"; else
    t_fail "the rechecker did not fetch the new website"; fi
h_stop # the fetch in progress ends at fetch_timeout at the latest
rm -f "$SITE_ROOT/slow.json.hold"
t_done
