#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster: the fleet tests need a real server,
# never a mock. Usage: scripts/with_postgres.sh CMD [ARGS...]   (exits with CMD's status)
#
# CMD sees:
#   CONFLICTWATCH_TEST_DATABASE_URL  postgres://conflictwatch@127.0.0.1:PORT/conflictwatch_test
#                                    (no password: trust auth, the server listens on 127.0.0.1 only;
#                                    the user is a superuser, so tests may CREATE DATABASE)
#   CONFLICTWATCH_TEST_PG_CTL        an executable: `$CONFLICTWATCH_TEST_PG_CTL stop|start|status`
#                                    runs pg_ctl -w on this cluster (as the right user), for outage tests
#   CONFLICTWATCH_TEST_PG_ROOTCERT   the server's self-signed certificate (CN and SAN localhost,
#                                    SAN 127.0.0.1): the server offers TLS, for the TLS tests. The
#                                    URL above says sslmode=disable, so the other tests run as before.
# If CONFLICTWATCH_TEST_DATABASE_URL is already set, nothing is started: CMD runs against that
# server (and CONFLICTWATCH_TEST_PG_CTL is whatever the caller set, if anything).
# The cluster is stopped and its directory removed when CMD ends, fails or is interrupted.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: with_postgres.sh CMD [ARGS...]" >&2; exit 2; }
if [ -n "${CONFLICTWATCH_TEST_DATABASE_URL:-}" ]; then exec "$@"; fi
fail() { echo "with_postgres: $*" >&2; exit 1; }

# Debian's postgresql package keeps its server binaries off PATH; the newest version wins.
initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
[ -x "$initdb" ] || initdb=$(command -v initdb) \
  || fail "no initdb: install PostgreSQL (make test-deps installs Debian's postgresql)"
PGBIN=$(dirname "$initdb")

# Under /tmp, not $TMPDIR: the postgres user must reach it, and a socket path has ~100 bytes.
DIR=$(mktemp -d /tmp/cw-pg.XXXXXX)
DATA=$DIR/data
cleanup() {
  # Immediate: the data is thrown away, so there is nothing to flush. Fails harmlessly when the
  # server is not running (not started yet, or a test left it stopped).
  "$DIR/pgctl" stop -m immediate >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
# initdb and postgres refuse to run as root; then the cluster belongs to Debian's postgres user.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$DIR" || fail "as root, the cluster needs the postgres user (Debian's postgresql package makes it)"
  as_owner=(runuser -u postgres --)
fi

# The helper the tests call, and what this script starts and stops with. cd: the postgres user
# may not be able to read the caller's working directory. It closes every descriptor but 0-2
# first: the server `start` leaves running would inherit them, and Foundation's Process (the
# tests' runner) learns that its child exited only when a socket it passed down is closed, so
# a server holding it would make `pgctl start` look as if it never returned.
cat > "$DIR/pgctl" <<EOF
#!/usr/bin/env bash
for fd in /proc/\$\$/fd/*; do fd=\${fd##*/}; [ "\$fd" -gt 2 ] && eval "exec \$fd>&-"; done 2>/dev/null
cd "$DIR" && exec ${as_owner[*]} "$PGBIN/pg_ctl" -D "$DATA" -l "$DIR/log" -w -t 60 "\$@"
EOF
chmod 0755 "$DIR/pgctl"

(cd "$DIR" && "${as_owner[@]}" "$initdb" -D "$DATA" -A trust -U conflictwatch --no-sync -E UTF8 --locale=C) \
  > "$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; fail "initdb failed"; }

# A free port (the kernel's pick; the tiny race until postgres binds it is accepted).
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# In postgresql.conf rather than on pg_ctl's command line, so a `pgctl start` mid-test gets
# them too. Durability is off: the cluster lives for one test run.
cat >> "$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# TLS with a throwaway self-signed certificate (openssl comes with Debian's postgresql, through
# ssl-cert); the key must belong to the server's user and be private.
command -v openssl >/dev/null 2>&1 || fail "no openssl: install it (make test-deps does)"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$DATA/server.key" -out "$DATA/server.crt" \
  > "$DIR/openssl.log" 2>&1 || { cat "$DIR/openssl.log" >&2; fail "openssl could not make a certificate"; }
chmod 0600 "$DATA/server.key"
[ ${#as_owner[@]} -eq 0 ] || chown postgres: "$DATA/server.key" "$DATA/server.crt"
cp "$DATA/server.crt" "$DIR/root.crt" && chmod 0644 "$DIR/root.crt"
cat >> "$DATA/postgresql.conf" <<EOF
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
EOF

"$DIR/pgctl" start >/dev/null || { cat "$DIR/log" >&2 || true; fail "PostgreSQL did not start (its log is above)"; }
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U conflictwatch -O conflictwatch conflictwatch_test \
  || fail "cannot create database conflictwatch_test"

export CONFLICTWATCH_TEST_DATABASE_URL="postgres://conflictwatch@127.0.0.1:$PORT/conflictwatch_test?sslmode=disable"
export CONFLICTWATCH_TEST_PG_ROOTCERT="$DIR/root.crt"
export CONFLICTWATCH_TEST_PG_CTL="$DIR/pgctl"
status=0
"$@" || status=$?
exit "$status"
