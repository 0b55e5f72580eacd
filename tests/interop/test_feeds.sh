#!/usr/bin/env bash
# tests/interop/test_feeds.sh - issue #11 "how it will be checked": someone subscribes to an
# agency's feeds with a feed-reader library. An independent parser
# (@rowanmanning/feed-parser 2.1.5, pinned in feeds/package-lock.json; not Herald's code)
# reads /@health.rss, /@health.atom, /tags/flushots.rss and /feed.atom, and
# feeds/reader.mjs checks what it understood: format, titles, page and self links, update
# date, the avatar, item count, ids (the ActivityPub ids), links to the post pages, item
# titles (a content warning is the title), dates newest first, categories, authors, and the
# image enclosure with its type and length; unlisted posts only in the account's feeds,
# followers-only and deleted posts nowhere.
#
# Needs Node >= 20 (scripts/node) and npm (`npm ci` in feeds/, the first time). Skips (77)
# only when no Node can be had or npm's registry is unreachable. Env from ctest:
# HERALD_BIN, HERALD_SRC, HERALD_TOOLS. T_KEEP=1 keeps the work directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_feeds "$HERE/feeds" @rowanmanning/feed-parser/package.json

h_start health agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
IMG=$T_DIR/img
mkdir -p "$IMG"
"$HERALD_TOOLS/mkimages" "$IMG" || { t_fail "mkimages"; t_done; }
h account set health display_name "Health Agency" >/dev/null
h account set health avatar "$IMG/gradient.png" >/dev/null
h account add mayor --kind official --agency health --name "Mayor" >/dev/null
h account set mayor approvals 0 >/dev/null

P1=$(h post health "Flu shots start Monday #FluShots")
P2=$(h draft new health "Where to get them #FluShots #Health" --image "$IMG/gradient.png" \
    --alt "Map of the clinics" --submit)
P3=$(h draft new health "Details" --cw "Flu: side effects" --submit)
PU=$(h draft new health "Unlisted reminder #FluShots" --visibility unlisted --submit)
PF=$(h draft new health "Followers only #FluShots" --visibility followers --submit)
PX=$(h post health "Withdrawn notice #FluShots")
h draft new health --deletes "$PX" --submit >/dev/null
PM=$(h post mayor "A word from the mayor #FluShots")
for p in P1 P2 P3 PU PF PX PM; do
    t_match "post $p published" "^$H_BASE/users/[a-z]+/notes/[0-9a-f]+\$" "${!p}"
done

# item ID TITLE TAGS-JSON IMAGE(0|1) AUTHOR: one expected item as JSON
item() {
    local name=${1#"$H_BASE/users/"}
    name=${name%%/*}
    printf '{"id":"%s","url":"%s/@%s/%s","title":"%s","tags":%s,"image":%s,"author":"@%s@127.0.0.1:%s"}' \
        "$1" "$H_BASE" "$name" "${1##*/}" "$2" "$3" "$([ "$4" = 1 ] && echo true || echo false)" \
        "$name" "$H_PORT"
}
I1=$(item "$P1" "Flu shots start Monday #FluShots" '["FluShots"]' 0)
I2=$(item "$P2" "Where to get them #FluShots #Health" '["FluShots","Health"]' 1)
I3=$(item "$P3" "Flu: side effects" '[]' 0)
IU=$(item "$PU" "Unlisted reminder #FluShots" '["FluShots"]' 0)
IM=$(item "$PM" "A word from the mayor #FluShots" '["FluShots"]' 0)
ACCOUNT_TITLE="Posts by Health Agency (@health@127.0.0.1:$H_PORT)"
cat >"$T_DIR/expect.json" <<EOF
{"base": "$H_BASE", "feeds": [
 {"path": "/@health.rss", "format": "rss", "title": "$ACCOUNT_TITLE", "url": "$H_BASE/@health",
  "image": true, "items": [$IU, $I3, $I2, $I1]},
 {"path": "/@health.atom", "format": "atom", "title": "$ACCOUNT_TITLE", "url": "$H_BASE/@health",
  "image": true, "items": [$IU, $I3, $I2, $I1]},
 {"path": "/tags/flushots.rss", "format": "rss", "title": "Posts tagged #flushots",
  "url": "$H_BASE/tags/flushots", "items": [$IM, $I2, $I1]},
 {"path": "/feed.atom", "format": "atom", "title": "Posts on 127.0.0.1:$H_PORT",
  "url": "$H_BASE/", "items": [$IM, $I3, $I2, $I1]}
]}
EOF

rc=0
out=$(cd "$HERE/feeds" && node reader.mjs "$T_DIR/expect.json" 2>&1) || rc=$?
while IFS= read -r line; do
    case $line in
    "ok: "*) t_pass "${line#ok: }" ;;
    "FAIL: "*) t_fail "${line#FAIL: }" ;;
    *) echo "$line" ;;
    esac
done <<<"$out"
t_eq "the feed reader exits 0" 0 "$rc"
t_match "the feed reader checked something" '^ok: ' "$out"

h_stop
t_done
