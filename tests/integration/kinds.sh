#!/usr/bin/env bash
# tests/integration/kinds.sh - account kinds made visible (issue #9 item 3), on the real
# binary with languages = zh,en:
#  - the actor of each kind as a peer (Fedify, Mastodon) reads it: type, accountKind, the
#    "Account type" field in both languages, an official's disclaimer (field and summary
#    line, its agency linked), the parent back-pointer (worksFor / parentOrganization /
#    provider) and its field;
#  - the agency's account matrix (ACTOR/accounts): local children and a linked remote one,
#    each with its kind; only agencies and departments publish one;
#  - a remote parent served by a fakepeer: a child it does not list shows "(unconfirmed)"
#    and parentConfirmed false; once the parent lists it, setting the parent again confirms;
#  - every bad input (CLI and admin API) refused with a clear error and nothing stored;
#  - the Mastodon client API's view of the same accounts.
. "$(dirname "$0")/../harness/lib.sh"

H_PORT=$(t_freeport)
H_DATA="$T_DIR/data-$H_PORT"
H_BASE="http://127.0.0.1:$H_PORT"
h_init "$H_DATA" "$H_PORT"
printf 'languages = zh,en\n' >>"$H_DATA/herald.conf"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
# j PATH EXPR: a JSON query on what GET PATH answers (ActivityPub Accept).
j() { curl -s -H 'Accept: application/activity+json' "$H_BASE$1" | t_jq "$2"; }
# refused WHAT CMD...: exit 1 or 2 with a "herald:" line; sets ERR.
refused() {
    local what=$1 rc=0
    shift
    ERR=$("$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && grep -q '^herald: ' <<<"$ERR"; then t_pass "$what: refused ($ERR)"
    else t_fail "$what: exit $rc, [$ERR]"; fi
}
# snapshot: every account with its kind and profile, and the audit length.
snapshot() {
    h account list --json | t_jq '.[].name' | tr '\n' ' '
    for a in $(h account list --json | t_jq '.[].name'); do
        printf '%s=' "$a"; j "/users/$a" .attachment | tr -d '\n'; echo
    done
    h audit list --json | t_jq '.|length'
}

# ---- the remote parent, on a fakepeer at 127.0.0.2 ----
fp_start 127.0.0.2 peer
MIN="$FP_BASE/users/ministry"
# remote_actor NAME LISTED...: an agency actor with an account matrix listing LISTED
remote_actor() {
    local name=$1 items= u
    shift
    for u in "$@"; do items="$items${items:+,}{\"id\":\"$u\",\"type\":\"Organization\"}"; done
    mkdir -p "$FP_ROOT/users/$name"
    printf '{"@context":["https://www.w3.org/ns/activitystreams",{"accounts":{"@id":"https://w3id.org/herald/ns#accounts","@type":"@id"}}],"id":"%s","type":"Organization","preferredUsername":"%s","name":"Ministry of <Health>","inbox":"%s/inbox","outbox":"%s/outbox","accounts":"%s/accounts"}\n' \
        "$FP_BASE/users/$name" "$name" "$FP_BASE/users/$name" "$FP_BASE/users/$name" \
        "$FP_BASE/users/$name" >"$FP_ROOT/users/$name.json"
    printf '{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/accounts","type":"OrderedCollection","totalItems":%d,"orderedItems":[%s]}\n' \
        "$FP_BASE/users/$name" "$#" "$items" >"$FP_ROOT/users/$name/accounts.json"
}
remote_actor ministry "$H_BASE/users/listed"

# ---- accounts of every kind ----
h account add health --kind agency --name "Health & Co" >/dev/null
h account add mayor --kind official --agency health --name "The Mayor" --summary "Mayor" >/dev/null
h account add roads --kind department --parent health >/dev/null
h account add alerts --kind service --parent roads >/dev/null
h account add listed --kind department --parent "$MIN" >/dev/null
h account add stray --kind official --agency "$MIN" >/dev/null
h account link health "https://elsewhere.example/users/envoy" --kind official >/dev/null
t_eq "the CLI checked the remote parent with the guarded fetch" 2 \
    "$(grep -c '^GET /users/ministry/accounts ' "$FP_ROOT/_fetched.log")"
h_serve "$H_DATA" "$H_PORT"

# ---- the actor of each kind ----
t_eq "agency: Organization" Organization "$(j /users/health .type)"
t_eq "agency: accountKind" agency "$(j /users/health .accountKind)"
t_eq "agency: its matrix is referenced" "$H_BASE/users/health/accounts" "$(j /users/health .accounts)"
t_eq "agency: the Account type field in zh and en" "账号类型 / Account type" \
    "$(j /users/health '.attachment[0].name')"
t_eq "agency: its label in zh and en" "政府机构 / Government agency" \
    "$(j /users/health '.attachment[0].value')"
t_eq "agency: no parent, no back-pointer" "" "$(j /users/health .parentOrganization)"
t_eq "the accounts term is defined in the @context (JSON-LD readers keep it)" \
    "herald:accounts" "$(j /users/health '.["@context"][4].accounts.["@id"]')"
t_eq "the namespace is ours" "https://w3id.org/herald/ns#" "$(j /users/health '.["@context"][4].herald')"
t_eq "official: Person" Person "$(j /users/mayor .type)"
t_eq "official: worksFor points at its agency" "$H_BASE/users/health" "$(j /users/mayor .worksFor)"
t_eq "official: confirmed (a local agency lists its accounts)" true "$(j /users/mayor .parentConfirmed)"
t_eq "official: the schema.org IRI of worksFor" "http://schema.org/worksFor" \
    "$(j /users/mayor '.["@context"][4].worksFor.["@id"]')"
t_match "official: the summary keeps its own text first" '^<p>Mayor</p>' "$(j /users/mayor .summary)"
t_match "official: the English disclaimer line in the summary, the agency linked" \
    "<p>Personal account: views are my own and not the official position of <a href=\"$H_BASE/users/health\">Health &amp; Co</a></p>" \
    "$(j /users/mayor .summary)"
t_match "official: the Chinese disclaimer line in the summary" \
    "<p>个人账号：所发表言论仅代表个人观点，不代表<a href=\"$H_BASE/users/health\">Health &amp; Co</a>的官方立场</p>" \
    "$(j /users/mayor .summary)"
t_eq "official: the disclaimer field" "声明 / Disclaimer" "$(j /users/mayor '.attachment[2].name')"
t_match "official: the disclaimer field's value" "views are my own and not the official position of" \
    "$(j /users/mayor '.attachment[2].value')"
t_eq "official: the parent field" "隶属于 / Part of" "$(j /users/mayor '.attachment[1].name')"
t_eq "official: the parent field's value, not unconfirmed" \
    "<a href=\"$H_BASE/users/health\">Health &amp; Co</a>" "$(j /users/mayor '.attachment[1].value')"
t_eq "department: Organization" Organization "$(j /users/roads .type)"
t_eq "department: parentOrganization" "$H_BASE/users/health" "$(j /users/roads .parentOrganization)"
t_eq "department: publishes a matrix too" "$H_BASE/users/roads/accounts" "$(j /users/roads .accounts)"
t_eq "service: Service (clients show it as automated)" Service "$(j /users/alerts .type)"
t_eq "service: provider points at its department" "$H_BASE/users/roads" "$(j /users/alerts .provider)"
t_eq "service: no matrix" "" "$(j /users/alerts .accounts)"
t_eq "service: no disclaimer" 2 "$(j /users/alerts '.attachment|length')"

# the agency's new name reaches its children's documents (and their followers, as Update)
h account set health display_name "Health Agency" >/dev/null
t_match "a renamed agency: the official's disclaimer names it at once" \
    "official position of <a href=\"$H_BASE/users/health\">Health Agency</a>" "$(j /users/mayor .summary)"
t_eq "a renamed agency: the department's field too" \
    "<a href=\"$H_BASE/users/health\">Health Agency</a>" "$(j /users/roads '.attachment[1].value')"
h account set health display_name "Health & Co" >/dev/null

# ---- the matrix ----
t_eq "matrix: an OrderedCollection" OrderedCollection "$(j /users/health/accounts .type)"
t_eq "matrix: mayor, roads and the linked envoy" 3 "$(j /users/health/accounts .totalItems)"
t_eq "matrix: the official with its kind" official \
    "$(j /users/health/accounts ".orderedItems[?id=$H_BASE/users/mayor].accountKind")"
t_eq "matrix: the department with its type" Organization \
    "$(j /users/health/accounts ".orderedItems[?id=$H_BASE/users/roads].type")"
t_eq "matrix: the linked remote official" official \
    "$(j /users/health/accounts '.orderedItems[?id=https://elsewhere.example/users/envoy].accountKind')"
t_eq "matrix: the service is under its department, not the agency" service \
    "$(j /users/roads/accounts ".orderedItems[?id=$H_BASE/users/alerts].accountKind")"
t_eq "matrix: an official publishes none (404)" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$H_BASE/users/mayor/accounts")"

# ---- a remote parent: confirmed when it lists the child, unconfirmed when not ----
t_eq "remote parent listing the child: confirmed" true "$(j /users/listed .parentConfirmed)"
t_eq "remote parent: its name, read with the guarded fetch, escaped in the field" \
    "<a href=\"$MIN\">Ministry of &lt;Health&gt;</a>" "$(j /users/listed '.attachment[1].value')"
t_eq "remote parent not listing the child: parentConfirmed false" false "$(j /users/stray .parentConfirmed)"
t_match "remote parent not listing the child: the field says unconfirmed" \
    '</a> \(未确认 / unconfirmed\)$' "$(j /users/stray '.attachment[1].value')"
t_match "and the disclaimer still names the agency it claims" "official position of <a href=\"$MIN\">" \
    "$(j /users/stray .summary)"
remote_actor ministry "$H_BASE/users/listed" "$H_BASE/users/stray"
h account set stray parent "$MIN" >/dev/null
t_eq "once the parent lists it, setting the parent again confirms" true "$(j /users/stray .parentConfirmed)"
t_match "and the field is no longer unconfirmed" "</a>$" "$(j /users/stray '.attachment[1].value')"

# ---- bad input: refused, nothing stored ----
BEFORE=$(snapshot)
refused "an official without --agency" h account add o1 --kind official
t_match "  says what is missing" "official's agency must be named \(--agency" "$ERR"
refused "an official of an unknown local agency" h account add o1 --kind official --agency nobody
t_match "  names the unknown account" "'nobody' is no local account" "$ERR"
refused "an official under a service" h account add o1 --kind official --agency alerts
t_match "  says which kind it must be" "must be of kind agency, and 'alerts' is of kind service" "$ERR"
refused "an official under a department" h account add o1 --kind official --agency roads
refused "a department without --parent" h account add d1 --kind department
refused "a department under an official" h account add d1 --kind department --parent mayor
refused "a parent that is not an http(s) URL" h account add d1 --kind department --parent ftp://x.example/a
t_match "  says so" "is not an http\(s\) URL" "$ERR"
refused "a parent URL that does not parse" h account add d1 --kind department --parent "http://exa mple/u"
refused "a parent that is neither a name nor a URL" h account add d1 --kind department --parent "Not A Name"
refused "--agency on a department" h account add d1 --kind department --agency health
refused "--parent on an official" h account add o1 --kind official --parent health
refused "a department as its own parent" h account set roads parent roads
refused "a service under an official" h account set alerts parent mayor
h account add sub --kind department --parent roads >/dev/null
AFTER_SUB=$(snapshot)
refused "a cycle: roads under its own sub-department" h account set roads parent sub
t_match "  says it is a cycle" "a cycle" "$ERR"
refused "clearing an official's agency" h account set mayor parent
refused "linking to an official" h account link mayor https://elsewhere.example/users/x
refused "linking a URL that is not http(s)" h account link health javascript:alert
refused "linking twice" h account link health https://elsewhere.example/users/envoy
refused "unlinking what is not linked" h account unlink health https://elsewhere.example/users/none
t_eq "nothing was stored by any refused command" "$AFTER_SUB" "$(snapshot)"
t_eq "(the one accepted add changed only that)" 1 \
    "$(( $(printf '%s' "$AFTER_SUB" | tail -n1) - $(printf '%s' "$BEFORE" | tail -n1) ))"

# ---- the admin API: the same rules ----
h operator add boss >/dev/null
h grant boss admin >/dev/null
TOKEN=$(h token create boss 2>/dev/null)
API="$H_BASE/api/herald/v1"
api() { curl -s -o "$T_DIR/api.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X POST --data "$2" "$API$1"; }
BEFORE=$(snapshot)
t_eq "API: an official without a parent: 422" 422 "$(api /accounts '{"name":"o2","kind":"official"}')"
t_match "API:   the message says what is missing" "agency must be named" "$(cat "$T_DIR/api.out")"
t_eq "API: an official under a service: 422" 422 \
    "$(api /accounts '{"name":"o2","kind":"official","agency":"alerts"}')"
t_eq "API: both parent and agency: 422" 422 \
    "$(api /accounts '{"name":"o2","kind":"official","agency":"health","parent":"health"}')"
t_eq "API: a cycle through the profile: 422" 422 \
    "$(api /accounts/roads/profile '{"key":"parent","value":"sub"}')"
t_eq "API: linking to a service: 422" 422 \
    "$(api /accounts/alerts/link '{"actor":"https://elsewhere.example/users/x"}')"
t_eq "API: link without an actor: 422" 422 "$(api /accounts/health/link '{}')"
t_eq "nothing was stored by any refused API call" "$BEFORE" "$(snapshot)"
t_eq "API: an official with its agency: 201" 201 \
    "$(api /accounts '{"name":"o2","kind":"official","agency":"health"}')"
t_eq "API: unlink: 200" 200 "$(api /accounts/health/unlink '{"actor":"https://elsewhere.example/users/envoy"}')"
t_eq "API: the matrix lost the envoy, gained o2" \
    "$H_BASE/users/mayor $H_BASE/users/o2 $H_BASE/users/roads " \
    "$(j /users/health/accounts '.orderedItems[].id' | sort | tr '\n' ' ')"

# a remote parent set through the API: no HTTP thread fetches; the scheduler checks it
remote_actor ministry "$H_BASE/users/listed" "$H_BASE/users/stray" "$H_BASE/users/o2"
t_eq "API: o2 moves under the remote ministry: 200" 200 \
    "$(api /accounts/o2/profile "{\"key\":\"parent\",\"value\":\"$MIN\"}")"
o2_confirmed() { [ "$(j /users/o2 .parentConfirmed)" = true ]; }
t_wait 30 o2_confirmed || true
t_eq "the scheduler read the ministry's matrix and confirmed o2" true "$(j /users/o2 .parentConfirmed)"

# ---- the Mastodon client API's view ----
m() { curl -s "$H_BASE$1" | t_jq "$2"; }
t_eq "Mastodon: lookup finds the official" mayor "$(m '/api/v1/accounts/lookup?acct=mayor' .id)"
t_eq "Mastodon: the service is a bot" true "$(m /api/v1/accounts/alerts .bot)"
t_eq "Mastodon: the official is not" false "$(m /api/v1/accounts/mayor .bot)"
t_eq "Mastodon: the disclaimer field" "声明 / Disclaimer" "$(m /api/v1/accounts/mayor '.fields[2].name')"
t_eq "Mastodon: the unconfirmed parent" "null" "$(m /api/v1/accounts/stray '.fields[1].verified_at')"
t_eq "Mastodon: an unknown account is Mastodon's 404" "Record not found" \
    "$(m /api/v1/accounts/nobody .error)"
t_eq "Mastodon: an account on another domain is not ours" "Record not found" \
    "$(m '/api/v1/accounts/lookup?acct=mayor@elsewhere.example' .error)"
t_eq "Mastodon: instance languages" "zh en" "$(m /api/v1/instance '.languages[]' | tr '\n' ' ' | sed 's/ $//')"
t_eq "Mastodon: nothing that needs a token" 401 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$H_BASE/api/v1/timelines/home")"
t_eq "Mastodon: no writes" 405 \
    "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$H_BASE/api/v1/statuses")"

h_stop
t_done
