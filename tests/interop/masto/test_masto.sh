#!/usr/bin/env bash
# tests/interop/masto/test_masto.sh - what a real Mastodon client library shows of each
# account kind: masto.js 7 (pinned in package-lock.json here, apart from the Fedify peer's
# packages in tests/interop/) against the real herald binary with languages = zh,en.
#
# Asserts, through masto.js's own entities: the service is a bot; the official carries the
# disclaimer field and the summary line naming its agency (linked) in both languages; every
# account has its "Account type" field; the parent field, confirmed for a local agency and
# "unconfirmed" for a remote parent (a fakepeer) that does not list the child; the instance
# documents (v1, v2) and a Mastodon-shaped 404.
#
# Needs Node >= 20 (scripts/node) and npm (`npm ci` here, the first time). Skips (exit 77,
# reason appended to $HERALD_SKIP_FILE when set) only when npm or its registry is
# unreachable. Env from ctest: HERALD_BIN, HERALD_SRC, HERALD_TOOLS.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../../.." && pwd)}"

# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
interop_init interop.masto "$HERE" masto/package.json

H_PORT=$(t_freeport)
H_DATA="$T_DIR/data-$H_PORT"
H_BASE="http://127.0.0.1:$H_PORT"
h_init "$H_DATA" "$H_PORT"
printf 'languages = zh,en\n' >>"$H_DATA/herald.conf"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }

# a remote agency that lists nobody: its claimed official stays unconfirmed
fp_start 127.0.0.2 peer
MIN="$FP_BASE/users/ministry"
mkdir -p "$FP_ROOT/users/ministry"
printf '{"@context":"https://www.w3.org/ns/activitystreams","id":"%s","type":"Organization","name":"Ministry","inbox":"%s/inbox","accounts":"%s/accounts"}\n' \
    "$MIN" "$MIN" "$MIN" >"$FP_ROOT/users/ministry.json"
printf '{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/accounts","type":"OrderedCollection","totalItems":0,"orderedItems":[]}\n' \
    "$MIN" >"$FP_ROOT/users/ministry/accounts.json"

h account add health --kind agency --name "Health Agency" >/dev/null
h account add roads --kind department --parent health --name "Roads" >/dev/null
h account add mayor --kind official --agency health --name "The Mayor" --summary "Mayor" >/dev/null
h account add alerts --kind service --parent health --name "Alerts" >/dev/null
h account add stray --kind official --agency "$MIN" >/dev/null
h account set mayor approvals 0 >/dev/null
h post mayor "Office hours on Monday" >/dev/null
h_serve "$H_DATA" "$H_PORT"

OUT="$T_DIR/masto.json"
if ! (cd "$HERE" && node client.mjs "$H_BASE" "$OUT"); then
    t_fail "masto.js read every account, post and instance document"
    t_done
fi
t_pass "masto.js read every account, post and instance document"
q() { t_jq "$1" "$OUT"; }

t_eq "service: masto.js sees a bot" true "$(q .accounts.alerts.bot)"
for a in health roads mayor stray; do
    t_eq "$a: not a bot" false "$(q ".accounts.$a.bot")"
done
t_eq "agency: the Account type field" "账号类型 / Account type" "$(q '.accounts.health.fields[0].name')"
t_eq "agency: its kind label" "政府机构 / Government agency" "$(q '.accounts.health.fields[0].value')"
t_eq "department: its kind label" "政府机构下属部门 / Department of a government agency" \
    "$(q '.accounts.roads.fields[0].value')"
t_eq "service: its kind label" "自动化服务 / Automated service" "$(q '.accounts.alerts.fields[0].value')"
t_eq "official: its kind label" "公职人员（个人账号） / Official (personal account)" \
    "$(q '.accounts.mayor.fields[0].value')"
t_eq "official: the parent field" "隶属于 / Part of" "$(q '.accounts.mayor.fields[1].name')"
t_eq "official: the parent field, confirmed (no 'unconfirmed')" \
    "<a href=\"$H_BASE/users/health\">Health Agency</a>" "$(q '.accounts.mayor.fields[1].value')"
t_eq "official: the disclaimer field" "声明 / Disclaimer" "$(q '.accounts.mayor.fields[2].name')"
t_match "official: the disclaimer field in Chinese" \
    "个人账号：所发表言论仅代表个人观点，不代表<a href=\"$H_BASE/users/health\">Health Agency</a>的官方立场" \
    "$(q '.accounts.mayor.fields[2].value')"
t_match "official: the summary line in English, agency linked" \
    "<p>Personal account: views are my own and not the official position of <a href=\"$H_BASE/users/health\">Health Agency</a></p>" \
    "$(q .accounts.mayor.note)"
t_match "official: the summary line in Chinese" "<p>个人账号：所发表言论仅代表个人观点" "$(q .accounts.mayor.note)"
t_match "department: the parent field" "<a href=\"$H_BASE/users/health\">Health Agency</a>$" \
    "$(q '.accounts.roads.fields[1].value')"
t_match "unlisted official of a remote agency: the parent field says unconfirmed" \
    "<a href=\"$MIN\">Ministry</a> \(未确认 / unconfirmed\)$" "$(q '.accounts.stray.fields[1].value')"
t_eq "fields carry verifiedAt (null: nothing verified)" null \
    "$(q '.accounts.mayor.fields[0].verifiedAt' || true)"
t_eq "by id: the same account" mayor "$(q .byId.username)"
t_eq "by id: acct" mayor "$(q .byId.acct)"
t_eq "by id: displayName" "The Mayor" "$(q .byId.displayName)"
t_eq "statuses: the official's post" "<p>Office hours on Monday</p>" "$(q '.statuses[0].content')"
t_eq "statuses: the post's account" mayor "$(q '.statuses[0].account.username')"
t_eq "statuses: public" public "$(q '.statuses[0].visibility')"
t_eq "status by id: the same post" "$(q '.statuses[0].uri')" "$(q .status.uri)"
t_eq "instance v1: our domain" "127.0.0.1:$H_PORT" "$(q .instance.uri)"
t_eq "instance v1: the languages" "zh en" "$(q '.instance.languages[]' | tr '\n' ' ' | sed 's/ $//')"
t_match "instance v1: a Mastodon-compatible version" "^4\.[0-9.]+ \(compatible; Herald " "$(q .instance.version)"
t_eq "instance v2: our domain" "127.0.0.1:$H_PORT" "$(q .instanceV2.domain)"
t_eq "instance v2: registrations closed" false "$(q .instanceV2.registrations.enabled)"
t_eq "a missing account: masto.js gets Mastodon's 404" 404 "$(q .missing.statusCode)"
t_eq "  with Mastodon's error text" "Record not found" "$(q .missing.message)"

h_stop
t_done
