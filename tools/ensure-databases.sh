#!/usr/bin/env bash
# Starts the local MariaDB and PostgreSQL the tests use when they are not already answering.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do answers "$port" && return 0; sleep 0.5; done
  echo "ensure-databases: $name did not start listening on 127.0.0.1:$port" >&2
  return 1
}

if ! answers 3306; then
  echo "ensure-databases: starting MariaDB" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for 3306 MariaDB
fi
if ! answers 5432; then
  echo "ensure-databases: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  wait_for 5432 PostgreSQL
fi
