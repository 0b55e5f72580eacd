# bench/lib.sh - shared by bench/run and bench/soak (sourced, bash): packages, the release
# build, a work directory, loopback ports, starting and stopping Herald and nginx, and
# reading /proc. Everything started here is recorded in B_PIDS and stopped on exit.
# Traffic stays on 127.0.0.0/8: Herald on 127.0.0.1, the nginx reference on 127.0.0.3,
# the delivery sink on 127.0.0.4, the remote actor's origin on 127.0.0.5.

B_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B_PIDS=()
B_KEEP=${B_KEEP:-0}
B_OK=0 # set to 1 by the caller once it finished; otherwise the work dir is kept
B_HZ=$(getconf CLK_TCK)

b_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
b_die() {
    b_log "error: $*"
    exit 1
}

# b_deps: the Debian packages the benchmarks need (build, load tool, reference server).
b_deps() {
    local pkgs=(cmake pkg-config gcc make libmicrohttpd-dev libssl-dev libjansson-dev
        libcurl4-openssl-dev liblmdb-dev lmdb-utils curl openssl wrk nginx-light procps
        util-linux coreutils)
    local missing=() p sudo=
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    b_log "installing ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || b_die "run as root to install ${missing[*]}"
        sudo=sudo
    fi
    # nginx is only ever started by us, with our own config: keep the package's service off
    $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# b_build: a Release build in build-bench; sets HERALD (the binary) and TOOLS (bench/tools).
# When the top-level CMakeLists.txt has the HERALD_BENCH option the project is configured
# directly; otherwise through a wrapper project that adds bench/tools next to it.
b_build() {
    local build=$B_ROOT/build-bench src home
    if grep -q 'HERALD_BENCH' "$B_ROOT/CMakeLists.txt"; then
        src=$B_ROOT
        HERALD=$build/server/herald
        TOOLS=$build/bench/tools
    else
        src=${TMPDIR:-/tmp}/herald-bench-wrapper-$(id -u)
        mkdir -p "$src"
        cat >"$src/CMakeLists.txt" <<EOF
# written by bench/lib.sh: Herald plus bench/tools, until the top level has HERALD_BENCH
cmake_minimum_required(VERSION 3.25)
project(herald_bench LANGUAGES C)
include_directories($B_ROOT)
add_subdirectory($B_ROOT main-build)
add_subdirectory($B_ROOT/bench/tools bench-tools)
EOF
        HERALD=$build/main-build/server/herald
        TOOLS=$build/bench-tools
    fi
    if [ -f "$build/CMakeCache.txt" ]; then
        home=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
        [ "$home" = "$src" ] || rm -rf "$build"
    fi
    b_log "building Release in $build"
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHERALD_TESTS=OFF \
        -DHERALD_BENCH=ON >"$build.cmake.log" 2>&1 ||
        { cat "$build.cmake.log" >&2; b_die "cmake configure failed"; }
    cmake --build "$build" -j"$(nproc)" --target herald mkdata inboxload commitrate benchutil \
        >>"$build.cmake.log" 2>&1 || { tail -40 "$build.cmake.log" >&2; b_die "build failed"; }
    [ -x "$HERALD" ] && [ -x "$TOOLS/mkdata" ] || b_die "build produced no binaries"
}

b_cleanup() {
    local pid i
    for pid in "${B_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    done
    for i in $(seq 1 50); do
        local alive=0
        for pid in "${B_PIDS[@]:-}"; do
            [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ $alive = 0 ] && break
        sleep 0.1
    done
    for pid in "${B_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ -n "${W:-}" ] && [ -d "$W" ]; then
        if [ "$B_KEEP" = 1 ] || [ "$B_OK" != 1 ]; then
            b_log "work files kept in $W"
        else
            rm -rf "$W"
        fi
    fi
}

# b_workdir NAME: the work directory W (on TMPDIR's filesystem) and the exit trap.
b_workdir() {
    W=$(mktemp -d "${TMPDIR:-/tmp}/herald-$1.XXXXXX")
    chmod 755 "$W" # nginx workers read the reference files
    trap b_cleanup EXIT
    trap 'exit 130' INT TERM
}

b_port() { "$TOOLS/benchutil" port "$1"; }

# b_herald_init DIR PORT [EXTRA CONFIG LINES]: a data dir for http://127.0.0.1:PORT.
b_herald_init() {
    local dir=$1 port=$2
    shift 2
    "$HERALD" --data "$dir" init --domain "127.0.0.1:$port" --base-url "http://127.0.0.1:$port" \
        >/dev/null
    {
        echo "# bench settings"
        echo "listen = 127.0.0.1:$port"
        echo "allow_private_network = true"
        # wrk opens up to 256 connections from one address (default limit 64)
        echo "max_connections_per_ip = 1024"
        # the ingest load comes from one remote host: measure capacity, not the per-host
        # limit (only where this Herald has the key: init lists every key it knows)
        if grep -q '^# *inbox_rate_per_minute *=' "$dir/herald.conf"; then
            echo "inbox_rate_per_minute = 0"
        fi
        # and from one actor: 30 a second per actor (issue 8) refused 99 % of the load
        if grep -q '^# *inbox_actor_per_second *=' "$dir/herald.conf"; then
            echo "inbox_actor_per_second = 0"
        fi
        local line
        for line in "$@"; do echo "$line"; done
    } >>"$dir/herald.conf"
}

# b_no_approvals DIR NAME...: posts of NAME go out without four-eyes approval (where this
# Herald has approvals), so that `herald post` publishes at once.
b_no_approvals() {
    local dir=$1 name
    shift
    for name in "$@"; do
        "$HERALD" --data "$dir" account set "$name" approvals 0 >/dev/null ||
            b_die "cannot set approvals of $name to 0"
    done
}

# b_conf_summary DIR: the bench settings appended to DIR/herald.conf, and the defaults of
# the thread counts, as one line.
b_conf_summary() {
    local extra defaults
    extra=$(sed -n '/^# bench settings/,$p' "$1/herald.conf" | grep -v '^#' | grep -v '^listen' |
        sed 's/ *= */ = /' | paste -sd, - | sed 's/,/, /g')
    defaults=$(sed -n 's/^# *\(http_threads\|inbox_threads\) *= *\([0-9]*\)$/\1 = \2/p' \
        "$1/herald.conf" | paste -sd, - | sed 's/,/, /g')
    echo "$extra; defaults: ${defaults:-?}, log_level = info"
}

# b_herald_start DIR PORT [taskset CPU list]: starts herald serve; sets H_PID and H_START_MS
# (exec to the first 200 on /.well-known/nodeinfo).
b_herald_start() {
    local dir=$1 port=$2 t0 t1
    t0=$(date +%s%N)
    "$HERALD" --data "$dir" serve --listen "127.0.0.1:$port" >>"$dir.log" 2>&1 &
    H_PID=$!
    B_PIDS+=("$H_PID")
    if ! t1=$("$TOOLS/benchutil" wait200 "http://127.0.0.1:$port/.well-known/nodeinfo" 20000); then
        tail -20 "$dir.log" >&2
        b_die "herald did not answer on 127.0.0.1:$port"
    fi
    H_START_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
}

# b_stop PID: SIGTERM and wait (herald finishes its in-flight work first).
b_stop() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# b_nginx_start CONF: nginx in the foreground of a background job; sets N_PID (the master).
b_nginx_start() {
    local conf=$1
    nginx -t -q -p "$W" -e "$conf.err" -c "$conf" 2>"$conf.test" ||
        { cat "$conf.test" >&2; b_die "nginx rejects $conf"; }
    nginx -p "$W" -e "$conf.err" -c "$conf" >>"$conf.out" 2>&1 &
    N_PID=$!
    B_PIDS+=("$N_PID")
}

# b_nginx_common: the lines every nginx config here starts with (temp paths in W).
b_nginx_common() {
    local name=$1 workers=$2
    [ "$(id -u)" = 0 ] && echo "user root root;"
    cat <<EOF
worker_processes $workers;
daemon off;
pid $W/$name.pid;
events { worker_connections 4096; }
EOF
}
b_nginx_http_common() {
    local name=$1
    cat <<EOF
    types { }
    client_body_temp_path $W/$name-tmp/body;
    proxy_temp_path $W/$name-tmp/proxy;
    fastcgi_temp_path $W/$name-tmp/fastcgi;
    uwsgi_temp_path $W/$name-tmp/uwsgi;
    scgi_temp_path $W/$name-tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    log_format bench '\$msec \$status \$request_method \$request_uri';
EOF
}

# b_wait_port ADDR PORT: until something listens there (nginx start-up).
b_wait_port() {
    local i
    for i in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
        sleep 0.05
    done
    b_die "nothing listens on $1:$2"
}

# /proc readers
b_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }         # utime + stime
b_status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; } # VmRSS, RssAnon

# b_mem_watch_start TAG PID: samples "VmRSS RssAnon" (kB) every 0.25 s into W/mem.TAG.
b_mem_watch_start() {
    local tag=$1 pid=$2
    (
        while kill -0 "$pid" 2>/dev/null; do
            awk '$1 == "VmRSS:" { v = $2 } $1 == "RssAnon:" { a = $2 } END { print v, a }' \
                "/proc/$pid/status" 2>/dev/null || true
            sleep 0.25
        done
    ) >>"$W/mem.$tag" &
    B_MEMW=$!
    B_PIDS+=("$B_MEMW")
}
b_mem_watch_stop() {
    kill "$B_MEMW" 2>/dev/null || true
    wait "$B_MEMW" 2>/dev/null || true
}
# b_mem_peak TAG: "VMRSS_KB RSSANON_KB", the largest seen (0 0 when none).
b_mem_peak() {
    awk 'NF == 2 { if ($1 > v) v = $1; if ($2 > a) a = $2 } END { print v + 0, a + 0 }' \
        "$W/mem.$1" 2>/dev/null || echo "0 0"
}

# b_queue_depth DIR: the delivery queue length (herald stats --json).
b_queue_depth() {
    "$HERALD" --data "$1" stats --json 2>/dev/null |
        sed -n 's/.*"deliveries": *\([0-9]*\).*/\1/p'
}

# b_median: the median of the numbers on stdin ("-" when there are none).
b_median() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
