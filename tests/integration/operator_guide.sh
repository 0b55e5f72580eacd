#!/usr/bin/env bash
# tests/integration/operator_guide.sh - follows docs/operating.md as an operator would, as
# root without sudo. The fenced blocks marked `<!-- test: NAME -->` on that page are taken
# from it and run as written, in the page's order: install, user, init, config,
# first-steps, serve, liveness, backup (the herald-backup script), decrypt, restore (into
# a fresh directory, with audit verify); then the restored store must count what the
# original did. Also: §2.1's package lists are `scripts/deps --list`, and the backup script
# leaves nothing behind when gpg is missing or mdb_copy fails.
#
# Adapted, and only this: paths (/usr/local/bin, /usr/local/sbin, /var/lib/herald,
# /var/backups/herald and build/server/herald point into this test's directory), the serve
# address (an ephemeral loopback port), the BACKUP= line (the archive the backup made),
# `systemctl` lines (dropped: no systemd here), and gpg's home (a throwaway key for the
# page's recipient). Not root: no service user can be made, so the user block,
# `runuser -u herald --` and `-o herald -g herald` are dropped (the output says so).
# As root, the system user `herald` is created if missing, as the page does.
# Under HERALD_VALGRIND=1 the server runs natively (the page's command is run as written).
set -euo pipefail
. "$HERALD_SRC/tests/harness/lib.sh"

DOC=$HERALD_SRC/docs/operating.md
ROOT=$T_DIR/root
LIB=$ROOT/var/lib/herald
PORT=$(t_freeport)
chmod 0755 "$T_DIR" # the herald user reaches the binary and the data directory below
mkdir -p "$ROOT/usr/local/bin" "$ROOT/usr/local/sbin" "$ROOT/var/lib" "$ROOT/new/var/lib"
export PATH="$ROOT/usr/local/bin:$PATH"
export GNUPGHOME=$T_DIR/gnupg
install -d -m 0700 "$GNUPGHOME"
AS_ROOT=0
[ "$(id -u)" = 0 ] && AS_ROOT=1
[ $AS_ROOT = 1 ] || echo "note: not root: running the page's commands as $(id -un), without runuser"
SERVE_PID=
finish() {
    [ -n "$SERVE_PID" ] && kill -TERM "$SERVE_PID" 2>/dev/null
    gpgconf --kill gpg-agent 2>/dev/null || true
    t_cleanup
}
trap finish EXIT

# block NAME: the fenced block after `<!-- test: NAME -->`.
block() {
    awk -v name="$1" '
        $0 == "<!-- test: " name " -->" { want = 1; next }
        want == 1 && /^```/ { want = 2; next }
        want == 2 && /^```/ { exit }
        want == 2 { print }' "$DOC"
}

# adapt [LIBDIR]: the path, port and user adaptations above, on stdin.
adapt() {
    local lib=${1:-$LIB} drop_user=()
    [ $AS_ROOT = 1 ] || drop_user=(-e 's#runuser -u herald -- ##g' -e 's#-o herald -g herald ##g')
    sed -e "s#/var/lib/herald#$lib#g" -e "s#/var/backups/herald#$ROOT/var/backups/herald#g" \
        -e "s#/usr/local/#$ROOT/usr/local/#g" -e "s#build/server/herald#$HERALD_BIN#g" \
        -e "s#127\.0\.0\.1:8080#127.0.0.1:$PORT#g" -e '/^systemctl /d' "${drop_user[@]}"
}

# run_block NAME [LIBDIR] [SED-EXPR]: runs the adapted block with bash -euo pipefail;
# output in $T_DIR/NAME.out. Fails the test (and stops) when the block is missing or fails.
run_block() {
    local name=$1 file=$T_DIR/$1.sh text
    text=$(block "$name")
    [ -n "$text" ] || { t_fail "docs/operating.md has no block <!-- test: $name -->"; exit 1; }
    printf 'set -euo pipefail\n%s\n' "$text" | adapt "${2:-$LIB}" | sed -e "${3:-}" >"$file"
    if bash "$file" >"$T_DIR/$name.out" 2>&1; then
        t_pass "docs/operating.md block '$name' runs as written"
    else
        t_fail "block '$name' failed:"
        sed 's/^/  | /' "$file" "$T_DIR/$name.out" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------- §2.1 package lists
for which in build test browser; do
    doc=$(awk -v m="<!-- deps: $which -->" '$0 == m { getline; print; exit }' "$DOC" |
        sed -n 's/^[^`]*`\([^`]*\)`.*/\1/p')
    t_eq "§2.1 lists what scripts/deps installs ($which)" \
        "$(bash "$HERALD_SRC/scripts/deps" --list | sed -n "s/^$which: //p")" "$doc"
done

# ---------------------------------------------------------------- install, user, init
run_block install
t_match "the installed binary prints its version" '^herald [0-9]' "$(cat "$T_DIR/install.out")"
if [ $AS_ROOT = 1 ]; then
    run_block user
    t_eq "the data directory belongs to the herald user" herald "$(stat -c %U "$LIB")"
else
    mkdir -m 0700 "$LIB"
fi
run_block init
t_match "init says what it made" "initialised $LIB for social.city.example" "$(cat "$T_DIR/init.out")"
run_block config
t_eq "a trailing '# comment' on a config line is accepted" 0 \
    "$(herald --data "$LIB" stats >/dev/null 2>"$T_DIR/stats.err"; echo $?)"

# ---------------------------------------------------------------- first steps
run_block first-steps
post_url=$(grep -Eo 'https://social\.city\.example/users/alerts/notes/[^ ]+' "$T_DIR/first-steps.out" | head -1)
t_match "herald post printed the post's URL" '^https://social\.city\.example/users/alerts/notes/' "$post_url"
herald --data "$LIB" stats --json >"$T_DIR/stats-before.json"

# ---------------------------------------------------------------- serve + liveness
text=$(block serve | adapt)
[ -n "$text" ] || { t_fail "docs/operating.md has no block <!-- test: serve -->"; exit 1; }
bash -c "exec $text" >"$T_DIR/serve.log" 2>&1 &
SERVE_PID=$!
if h_wait_http "http://127.0.0.1:$PORT/nodeinfo/2.1" 30; then
    t_pass "the serve command of §6 answers on 127.0.0.1:$PORT"
else
    t_fail "the server did not come up; log:"
    cat "$T_DIR/serve.log" >&2
    exit 1
fi
run_block liveness
t_match "the liveness check of §12 answers NodeInfo" '"software":\{"name":"herald"' "$(cat "$T_DIR/liveness.out")"
t_eq "the post is served" 200 "$(curl -s -o "$T_DIR/note.json" -w '%{http_code}' \
    -H 'Accept: application/activity+json' "http://127.0.0.1:$PORT${post_url#https://social.city.example}")"
t_match "with its text" 'Water supply restored' "$(cat "$T_DIR/note.json")"

# ---------------------------------------------------------------- backup (server running)
gpg --batch --passphrase '' --quick-gen-key backup@agency.example future-default default never \
    >"$T_DIR/gpg-gen.out" 2>&1 || { t_fail "gpg key generation failed"; cat "$T_DIR/gpg-gen.out" >&2; exit 1; }
BK=$ROOT/usr/local/sbin/herald-backup
block backup | adapt >"$BK"
chmod 0755 "$BK"
t_match "the backup block is the script, with its #! line" '^#!/bin/bash' "$(head -1 "$BK")"
backups() { ls -A "$ROOT/var/backups/herald" 2>/dev/null || true; }

# First the failures (before the real backup: the script names its files by the second).
# A missing gpg: refused before anything is written. PATH has only what comes before the
# check (date) and the other two tools.
nogpg=$T_DIR/nogpg-bin
mkdir -p "$nogpg"
for tool in date mdb_copy tar; do ln -s "$(command -v "$tool")" "$nogpg/$tool"; done
rc=0
PATH=$nogpg /bin/bash "$BK" >"$T_DIR/backup-nogpg.out" 2>&1 || rc=$?
t_eq "herald-backup without gpg fails, naming gpg" "1 herald-backup: gpg is missing" \
    "$rc $(cat "$T_DIR/backup-nogpg.out")"
t_eq "and leaves nothing behind" "" "$(backups)"
# A failure half-way (mdb_copy on a directory that is not a store): the trap cleans up.
sed "s#^DATA=.*#DATA=$T_DIR/not-a-store#" "$BK" >"$T_DIR/backup-broken"
mkdir -p "$T_DIR/not-a-store"
rc=0
/bin/bash "$T_DIR/backup-broken" >"$T_DIR/backup-broken.out" 2>&1 || rc=$?
t_eq "herald-backup fails when mdb_copy fails" 1 "$rc"
t_eq "and leaves neither a plain copy nor a partial archive" "" "$(backups)"

# The real one.
if "$BK" >"$T_DIR/backup.out" 2>&1; then t_pass "herald-backup runs"; else
    t_fail "herald-backup failed:"; cat "$T_DIR/backup.out" >&2; exit 1; fi
archive=$(tail -n 1 "$T_DIR/backup.out")
t_match "herald-backup prints the archive's path" "^$ROOT/var/backups/herald/[0-9T]+\.tar\.gpg$" "$archive"
t_eq "the archive is not empty and only root may read it" "yes 600" \
    "$([ -s "$archive" ] && echo yes) $(stat -c %a "$archive")"
t_eq "the backup directory holds the archive and nothing else" "${archive##*/}" "$(backups)"

kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || true
SERVE_PID=
t_match "the server stopped on SIGTERM" 'stopping on signal 15' "$(cat "$T_DIR/serve.log")"

# ---------------------------------------------------------------- decrypt + restore
run_block decrypt "$LIB" "s#^BACKUP=[^ ]*#BACKUP=${archive%.tar.gpg}#"
t_eq "the archive decrypts to the store and the configuration" "data.mdb herald.conf" \
    "$(cd "${archive%.tar.gpg}" && echo *)"
NEW=$ROOT/new/var/lib/herald
run_block restore "$NEW" "s#^BACKUP=[^ ]*#BACKUP=${archive%.tar.gpg}#"
t_match "the restored audit log verifies" 'audit log intact: [0-9]+ entries' "$(cat "$T_DIR/restore.out")"
t_eq "the plain copy is gone after the restore" no "$([ -e "${archive%.tar.gpg}" ] && echo yes || echo no)"
[ $AS_ROOT = 1 ] && t_eq "the restored files belong to herald" "herald herald" \
    "$(stat -c %U "$NEW") $(stat -c %U "$NEW/data.mdb")"
herald --data "$NEW" stats --json >"$T_DIR/stats-after.json"
t_eq "the restored store counts what the original did" "$(cat "$T_DIR/stats-before.json")" \
    "$(cat "$T_DIR/stats-after.json")"

t_done
