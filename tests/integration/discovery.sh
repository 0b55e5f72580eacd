#!/bin/bash
# tests/integration/discovery.sh - what a remote server reads before and after it follows:
# WebFinger, NodeInfo, host-meta, the actor in each content type, outbox and followers
# collections with paging, and every Note and Create dereferenceable. No response may ever
# contain private key material.
. "$(dirname "$0")/../harness/lib.sh"

h_start health agency
DOMAIN="127.0.0.1:$H_PORT"
ACTOR="$H_BASE/users/health"
"$HERALD_BIN" --data "$H_DATA" account add mayor --kind official --agency health --name "The Mayor" >/dev/null
"$HERALD_BIN" --data "$H_DATA" account add alerts --kind service >/dev/null
ALL="$T_DIR/all-bodies"
: >"$ALL"

# get PATH [ACCEPT]: sets ST (status), CT (content type), BODY; keeps every body in $ALL.
get() {
    local accept=${2:-application/activity+json}
    ST=$(curl -s -o "$T_DIR/body" -D "$T_DIR/hdr" -w '%{http_code}' -H "Accept: $accept" \
        "$H_BASE$1" || true)
    CT=$(grep -i '^content-type:' "$T_DIR/hdr" | head -n1 | cut -d: -f2- | tr -d '\r' |
        sed 's/^ *//')
    BODY=$(cat "$T_DIR/body")
    cat "$T_DIR/body" >>"$ALL"
    echo >>"$ALL"
}
jq_body() { printf '%s' "$BODY" | t_jq "$1"; }

# --- WebFinger ---
get "/.well-known/webfinger?resource=acct:health@$DOMAIN"
t_eq "webfinger acct: 200" 200 "$ST"
t_match "webfinger content type" '^application/jrd\+json' "$CT"
t_eq "webfinger subject" "acct:health@$DOMAIN" "$(jq_body .subject)"
t_match "webfinger aliases include the actor" "^$ACTOR\$" "$(jq_body '.aliases[]')"
t_eq "webfinger self link href" "$ACTOR" "$(jq_body '.links[?rel=self].href')"
t_eq "webfinger self link type" "application/activity+json" "$(jq_body '.links[?rel=self].type')"

get "/.well-known/webfinger?resource=$ACTOR"
t_eq "webfinger by actor URL: 200" 200 "$ST"
t_eq "webfinger by actor URL: self link" "$ACTOR" "$(jq_body '.links[?rel=self].href')"
t_eq "webfinger by actor URL: subject" "acct:health@$DOMAIN" "$(jq_body .subject)"

get "/.well-known/webfinger?resource=acct:nobody@$DOMAIN"
t_eq "webfinger unknown account: 404" 404 "$ST"
get "/.well-known/webfinger?resource=acct:health@other.example"
t_eq "webfinger other domain: 404" 404 "$ST"
get "/.well-known/webfinger?resource=$H_BASE/users/nobody"
t_eq "webfinger unknown actor URL: 404" 404 "$ST"
get "/.well-known/webfinger?resource=acct:"
t_eq "webfinger malformed (acct:): 400" 400 "$ST"
get "/.well-known/webfinger?resource=health"
t_eq "webfinger malformed (no scheme): 400" 400 "$ST"
get "/.well-known/webfinger"
t_eq "webfinger without resource: 400" 400 "$ST"
t_match "webfinger 400 is a JSON error" '.' "$(jq_body .error)"

# --- NodeInfo and host-meta ---
get "/.well-known/nodeinfo" application/json
t_eq "nodeinfo links: 200" 200 "$ST"
t_eq "nodeinfo links to 2.1" "$H_BASE/nodeinfo/2.1" \
    "$(jq_body '.links[?rel=http://nodeinfo.diaspora.software/ns/schema/2.1].href')"
get "/nodeinfo/2.1" application/json
t_eq "nodeinfo 2.1: 200" 200 "$ST"
t_match "nodeinfo 2.1 content type" '^application/json' "$CT"
t_eq "nodeinfo version" "2.1" "$(jq_body .version)"
t_eq "nodeinfo software.name" "herald" "$(jq_body .software.name)"
t_match "nodeinfo software.version" '^[0-9]+\.[0-9]+' "$(jq_body .software.version)"
t_eq "nodeinfo protocols" '["activitypub"]' "$(jq_body .protocols)"
t_eq "nodeinfo openRegistrations" false "$(jq_body .openRegistrations)"
t_eq "nodeinfo usage.users.total" 3 "$(jq_body .usage.users.total)"
t_match "nodeinfo services" '^\{' "$(jq_body .services)"
t_match "nodeinfo metadata" '^\{' "$(jq_body .metadata)"

get "/.well-known/host-meta" application/xrd+xml
t_eq "host-meta: 200" 200 "$ST"
t_match "host-meta content type" '^application/xrd\+xml' "$CT"
t_match "host-meta lrdd template" \
    "template=\"$H_BASE/\\.well-known/webfinger\\?resource=\\{uri\\}\"" "$BODY"

# --- the actor ---
get /users/health
t_eq "actor (activity+json): 200" 200 "$ST"
t_match "actor content type" '^application/activity\+json' "$CT"
t_eq "actor id" "$ACTOR" "$(jq_body .id)"
t_eq "actor type (agency)" Organization "$(jq_body .type)"
t_eq "actor preferredUsername" health "$(jq_body .preferredUsername)"
t_eq "actor inbox" "$ACTOR/inbox" "$(jq_body .inbox)"
t_eq "actor outbox" "$ACTOR/outbox" "$(jq_body .outbox)"
t_eq "actor followers" "$ACTOR/followers" "$(jq_body .followers)"
t_eq "actor following" "$ACTOR/following" "$(jq_body .following)"
t_eq "actor sharedInbox" "$H_BASE/inbox" "$(jq_body .endpoints.sharedInbox)"
t_eq "actor publicKey.id" "$ACTOR#main-key" "$(jq_body .publicKey.id)"
t_eq "actor publicKey.owner" "$ACTOR" "$(jq_body .publicKey.owner)"
t_match "actor publicKeyPem" '^-----BEGIN PUBLIC KEY-----' "$(jq_body .publicKey.publicKeyPem)"
t_eq "actor assertionMethod type" Multikey "$(jq_body '.assertionMethod[0].type')"
t_eq "actor assertionMethod controller" "$ACTOR" "$(jq_body '.assertionMethod[0].controller')"
t_match "actor assertionMethod key is Ed25519 multibase" '^z6Mk' \
    "$(jq_body '.assertionMethod[0].publicKeyMultibase')"
t_match "actor @context has activitystreams" 'https://www.w3.org/ns/activitystreams' \
    "$(jq_body '.["@context"]')"
t_eq "actor name" "Test health" "$(jq_body .name)"

get /users/health 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
t_eq "actor (ld+json profile): 200" 200 "$ST"
t_match "actor (ld+json) content type" '^application/(activity|ld)\+json' "$CT"
t_eq "actor (ld+json) id" "$ACTOR" "$(jq_body .id)"

get /users/health 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
t_eq "actor for a browser: 302 to its page" 302 "$ST"
t_eq "actor for a browser: Location /@health" /@health \
    "$(grep -i '^location:' "$T_DIR/hdr" | cut -d' ' -f2 | tr -d '\r')"
get /@health 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
t_eq "the profile page: 200" 200 "$ST"
t_match "the profile page is HTML" '^text/html' "$CT"
get /@health
t_eq "/@health for ActivityPub: the actor" "$ACTOR" "$(jq_body .id)"
t_match "the actor names its page: Link rel=alternate text/html" \
    "<$H_BASE/@health>; rel=\"alternate\"; type=\"text/html\"" "$(cat "$T_DIR/hdr")"

get /users/mayor
t_eq "official actor type" Person "$(jq_body .type)"
get /users/alerts
t_eq "service actor type" Service "$(jq_body .type)"
get /users/nobody
t_eq "unknown actor: 404" 404 "$ST"

# --- outbox and followers ---
get /users/health/followers
t_eq "followers: 200" 200 "$ST"
t_eq "followers type" OrderedCollection "$(jq_body .type)"
t_eq "followers totalItems" 0 "$(jq_body .totalItems)"
t_eq "followers id" "$ACTOR/followers" "$(jq_body .id)"

get /users/health/outbox
t_eq "empty outbox: 200" 200 "$ST"
t_eq "empty outbox totalItems" 0 "$(jq_body .totalItems)"

for i in $(seq 1 25); do
    "$HERALD_BIN" --data "$H_DATA" post health "Notice number $i." >>"$T_DIR/note-ids"
done
t_lines "25 posts printed 25 Note URLs" 25 "$(cat "$T_DIR/note-ids")"

get /users/health/outbox
t_eq "outbox: 200" 200 "$ST"
t_eq "outbox type" OrderedCollection "$(jq_body .type)"
t_eq "outbox id" "$ACTOR/outbox" "$(jq_body .id)"
t_eq "outbox totalItems" 25 "$(jq_body .totalItems)"
first=$(jq_body .first)
[ "$(printf '%s' "$first" | t_jq '.|type' 2>/dev/null)" = object ] &&
    first=$(printf '%s' "$first" | t_jq .id)
t_match "outbox first is a URL on our host" "^$H_BASE/" "$first"

get "${first#"$H_BASE"}"
t_eq "outbox first page: 200" 200 "$ST"
t_eq "first page type" OrderedCollectionPage "$(jq_body .type)"
t_eq "first page partOf" "$ACTOR/outbox" "$(jq_body .partOf)"
t_eq "first page has 20 items" 20 "$(jq_body '.orderedItems|length')"
t_eq "first page items are Creates" "Create" "$(jq_body '.orderedItems[].type' | sort -u)"
t_match "first page newest first" 'Notice number 25\.' "$(jq_body '.orderedItems[0].object.content')"
t_match "first page 20th item is post 6" 'Notice number 6\.' \
    "$(jq_body '.orderedItems[19].object.content')"
jq_body '.orderedItems[].id' >"$T_DIR/create-ids"
jq_body '.orderedItems[].object.id' >"$T_DIR/object-ids"
next=$(jq_body .next)
t_match "first page has a next link" "^$H_BASE/" "$next"

get "${next#"$H_BASE"}"
t_eq "second page: 200" 200 "$ST"
t_eq "second page has the remaining 5" 5 "$(jq_body '.orderedItems|length')"
t_match "second page starts at post 5" 'Notice number 5\.' \
    "$(jq_body '.orderedItems[0].object.content')"
t_match "second page ends at post 1" 'Notice number 1\.' \
    "$(jq_body '.orderedItems[-1].object.content')"
t_eq "second page has no next" "" "$(jq_body .next)"
jq_body '.orderedItems[].id' >>"$T_DIR/create-ids"
jq_body '.orderedItems[].object.id' >>"$T_DIR/object-ids"
t_eq "pages hold 25 distinct Notes" 25 "$(sort -u "$T_DIR/object-ids" | wc -l)"
t_eq "the pages' Notes are the posted ones" "$(sort "$T_DIR/note-ids")" \
    "$(sort "$T_DIR/object-ids")"

bad=0
while read -r id; do
    get "${id#"$H_BASE"}"
    if [ "$ST" != 200 ] || [ "$(jq_body .id)" != "$id" ] || [ "$(jq_body .type)" != Note ] ||
        [ "$(jq_body .attributedTo)" != "$ACTOR" ]; then
        bad=$((bad + 1))
        echo "Note $id: status $ST" >&2
    fi
done <"$T_DIR/object-ids"
t_eq "every Note dereferences (200, id, type, attributedTo)" 0 "$bad"
bad=0
while read -r id; do
    get "${id#"$H_BASE"}"
    if [ "$ST" != 200 ] || [ "$(jq_body .id)" != "$id" ] || [ "$(jq_body .type)" != Create ] ||
        [ "$(jq_body .actor)" != "$ACTOR" ]; then
        bad=$((bad + 1))
        echo "Create $id: status $ST" >&2
    fi
done <"$T_DIR/create-ids"
t_eq "every Create dereferences (200, id, type, actor)" 0 "$bad"
t_match "Create ids are NOTE/activity" "^$ACTOR/notes/[^/]+/activity\$" "$(head -n1 "$T_DIR/create-ids")"

get "$(head -n1 "$T_DIR/note-ids" | sed "s|^$H_BASE||")" text/html
t_eq "a Note's id for a browser: 302 to its page" 302 "$ST"
t_match "... at /@health/ID" "^[Ll]ocation: /@health/[0-9a-f]+" "$(tr -d '\r' <"$T_DIR/hdr")"
get "$(head -n1 "$T_DIR/note-ids" | sed "s|^$H_BASE/users/health/notes/|/@health/|")" text/html
t_eq "a Note for a browser: 200" 200 "$ST"
t_match "a Note for a browser is HTML" '^text/html' "$CT"
get /users/health/notes/doesnotexist
t_eq "unknown Note: 404" 404 "$ST"

# --- no private key material, anywhere ---
t_eq "no response contains PRIVATE KEY" 0 "$(grep -c 'PRIVATE KEY' "$ALL" || true)"

h_stop
t_done
