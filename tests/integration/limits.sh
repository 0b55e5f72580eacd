#!/bin/bash
# tests/integration/limits.sh - every limit is a config key with a safe default, and holds:
# header count and size (431), connections per client address, idle/dribbling connections
# (slow-loris: a few sockets sending a byte now and then must not stop the server answering
# others, and are closed after connection_timeout). Body size (413: declared, chunked,
# absurd) and the JSON depth, string length and member count (400) at their defaults are
# rows of the hostile-input suite (tests/hostile/cases/5-http.tsv, 6-json.tsv).
. "$(dirname "$0")/../harness/lib.sh"

h_start health agency
conf() { printf '%s\n' "$@" >>"$H_DATA/herald.conf"; }
restart() { h_stop; h_serve "$H_DATA" "$H_PORT"; }
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

# header count: 64 by default
args=()
for i in $(seq 1 70); do args+=(-H "X-Filler-$i: x"); done
t_eq "70 request headers get 431" 431 "$(status "${args[@]}" "$H_BASE/.well-known/nodeinfo")"
t_eq "a normal request still works" 200 "$(status "$H_BASE/.well-known/nodeinfo")"

# header bytes: 16 KiB by default (libmicrohttpd answers 431 when its buffer is full)
big=$(head -c 40000 /dev/zero | tr '\0' 'a')
st=$(status -H "X-Big: $big" "$H_BASE/.well-known/nodeinfo")
t_match "a 40 KB header is refused" '^(431|413|400|000)$' "$st"

# slow-loris: sockets that dribble a request line never finish; others are still served
# 2 s, 6 s under valgrind: the held sockets must still be open when the quota is checked
# (a loaded valgrind run took more than 2 s to get there and found them closed)
TMO=2
[ "${HERALD_VALGRIND:-0}" = 1 ] && TMO=6
conf "connection_timeout = $TMO" "max_connections_per_ip = 6"
restart
for fd in 3 4 5 6; do
    eval "exec $fd<>/dev/tcp/127.0.0.1/$H_PORT"
    printf 'GET / HTTP/1.1\r\nHost: x\r\n' >&"$fd"
done
t_eq "with 4 dribbling sockets open the server answers" 200 "$(status "$H_BASE/.well-known/nodeinfo")"
printf 'X-A: 1\r\n' >&3
t_eq "and again after one of them sent another byte" 200 "$(status "$H_BASE/.well-known/nodeinfo")"
# connections per address: 4 held + curl's own = 5 of 6; two more idle sockets fill the quota
exec 7<>/dev/tcp/127.0.0.1/"$H_PORT"
exec 8<>/dev/tcp/127.0.0.1/"$H_PORT"
t_eq "past max_connections_per_ip a connection is refused" 000 \
    "$(status "$H_BASE/.well-known/nodeinfo")"
# idle timeout: libmicrohttpd closes them after connection_timeout ($TMO s)
closed=0
for fd in 3 4 5 6 7 8; do
    if timeout 10 bash -c "cat <&$fd >/dev/null"; then closed=$((closed + 1)); fi
done
t_eq "idle and dribbling sockets are closed by the server" 6 "$closed"
for fd in 3 4 5 6 7 8; do eval "exec $fd>&-"; done
t_eq "after they are gone the server answers" 200 "$(status "$H_BASE/.well-known/nodeinfo")"

# JSON limits apply to a verified body too; here they are checked in unit tests
# (tests/unit/federation/test_docs.c) and in tests/hostile (6-json.tsv); the keys parse:
conf "json_max_depth = 8" "json_max_string = 1024" "json_max_items = 32"
restart
t_eq "tightened JSON limits are accepted config" 200 "$(status "$H_BASE/.well-known/nodeinfo")"

# unknown key or bad value: serve refuses to start and names the line
conf "json_max_depht = 8"
h_stop
if "$HERALD_BIN" --data "$H_DATA" serve --listen "127.0.0.1:$H_PORT" 2>"$T_DIR/err"; then
    t_fail "serve started with an unknown config key"
else
    t_match "an unknown key names its line" "herald.conf line [0-9]+: unknown key 'json_max_depht'" \
        "$(cat "$T_DIR/err")"
fi
t_done
