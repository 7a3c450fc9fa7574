#!/usr/bin/env bash
# Private files (issue 19, docs/operations.md "Private files"): under umask 022, every file the
# real programs create that holds answers, tokens or addresses is 0600 and every directory they
# create 0700. Runs chosa and chosa-collector as the README's tour does (a device store filled and
# synced, SQLite's -wal and -shm seen while a store and the collector are open, exports as JSON
# Lines, CSV and XLSX, a backup and its restore, a salvaged store, credentials, a dataset with its
# CSV and workbook, a report, the access log), then stats every file and directory under the
# work directory and fails on any group or other permission bit, except the certificates dev-tls
# makes (public by nature) and the directories this script made itself. Then files an older
# version left 0644 (a store, the collector's database and data directory) are tightened when a
# program opens them.
#
# usage: private_files.sh CHOSA CHOSA_COLLECTOR SOURCE_DIR
set -uo pipefail
chosa=$1
collector=$2
src=$3
umask 022

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2> /dev/null && wait "$server" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
T=$work/t   # what the programs create; the script's own files stay in $work
mkdir "$T" "$T/exports"
form=$src/schemas/examples/coordinator_checklist.json
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
run() {  # a command that must succeed; its output goes to $work/log
  "$@" >> "$work/log" 2>&1 || fail "exit status $? from: $*"
}
# Every file and directory under $T with a group or other bit, but those allowed.
loose() {
  find "$T" -mindepth 1 ! -path "$T/exports" ! -path "$T/tls/ca.pem" ! -path "$T/tls/server.pem" -perm /077 \
    -printf '%m %p\n'
}
check_now() {  # $1: when
  local found
  found=$(loose)
  [ -z "$found" ] || fail "readable by others $1:"$'\n'"$found"
}

# A device store, open: its -wal and -shm beside it.
mkfifo "$work/in"
"$chosa" fill "$form" --store "$T/open.sqlite" --device-id tablet-2 < "$work/in" > "$work/fill.log" 2>&1 &
filler=$!
exec 3> "$work/in"
for _ in $(seq 300); do [ -e "$T/open.sqlite-wal" ] && [ -e "$T/open.sqlite-shm" ] && break; sleep 0.1; done
[ -e "$T/open.sqlite-wal" ] && [ -e "$T/open.sqlite-shm" ] || fail "an open store has no -wal and -shm"
check_now "while a store is open"
printf 'q\n' >&3
exec 3>&-
wait "$filler"

# A filled and finalized submission, in the store and in a file.
run "$chosa" fill "$form" --lang ja --device-id tablet-1 --store "$T/s.sqlite" --out "$T/submission.json" \
  < "$src/tests/fill/coordinator_checklist.txt"
run "$chosa" store salvage --store "$T/s.sqlite" --into "$T/salvaged.sqlite"

# The collector, serving: its database's -wal and -shm, the access log.
run "$collector" dev-tls "$T/tls"
run "$collector" publish "$form" --data "$T/col"
code=$("$collector" enrol-code --forms coordinator_checklist --data "$T/col" 2>> "$work/log")
"$collector" serve --cert "$T/tls/server.pem" --key "$T/tls/server-key.pem" --data "$T/col" \
  --listen 127.0.0.1:0 --port-file "$work/port" --access-log "$T/access.log" 2>> "$work/log" &
server=$!
for _ in $(seq 300); do kill -0 "$server" 2> /dev/null && [ ! -s "$work/port" ] || break; sleep 0.1; done
url=https://127.0.0.1:$(cat "$work/port")
run "$chosa" sync enroll --collector "$url" --code "$code" --ca "$T/tls/ca.pem" --store "$T/s.sqlite"
run "$chosa" sync --store "$T/s.sqlite"
[ -e "$T/col/collector.sqlite-wal" ] && [ -e "$T/col/collector.sqlite-shm" ] || fail "the serving collector has no -wal and -shm"
check_now "while the collector serves"

run "$collector" export coordinator_checklist --data "$T/col" --out "$T/exports"
run "$collector" export coordinator_checklist --data "$T/col" --format csv --out "$T/exports"
run "$collector" export coordinator_checklist --data "$T/col" --format xlsx --out "$T/exports"
run "$collector" backup "$T/backup.sqlite" --data "$T/col"
token=$("$collector" analyst-token me --data "$T/col" 2>> "$work/log")
export CHOSA_ANALYST_TOKEN=$token
run "$chosa" pull --collector "$url" --ca "$T/tls/ca.pem" --dataset "$T/datasets" --xlsx \
  coordinator_checklist
run "$chosa" report "$T/datasets/coordinator_checklist.sqlite"
kill "$server" && wait "$server"
server=
run "$collector" restore "$T/backup.sqlite" --data "$T/col"

# What each kind of file is called; every one must be there (a command that wrote nothing would
# pass the mode check unseen).
for kind in open.sqlite s.sqlite s.sqlite.sync.json submission.json salvaged.sqlite tls/server-key.pem col col/collector.sqlite \
  access.log exports/coordinator_checklist.jsonl exports/coordinator_checklist.csv exports/coordinator_checklist.xlsx \
  backup.sqlite datasets datasets/coordinator_checklist.sqlite datasets/coordinator_checklist.csv \
  datasets/coordinator_checklist.xlsx datasets/coordinator_checklist-report/report.html; do
  [ -e "$T/$kind" ] || fail "no $kind was written"
done
ls "$T"/col/collector.sqlite.replaced-* > /dev/null 2>&1 || fail "restore kept no replaced database"
[ -e "$T/s.sqlite.sync.json" ] || fail "chosa sync enroll wrote no credentials beside the store"
check_now "after every command"
echo "checked $(find "$T" | wc -l) files and directories"

# Files an older version left readable by others are tightened when opened to write.
chmod 0644 "$T/s.sqlite" "$T/col/collector.sqlite"
chmod 0755 "$T/col"
run "$chosa" outbox --store "$T/s.sqlite"
run "$collector" forms --data "$T/col"
for path in "$T/s.sqlite" "$T/col/collector.sqlite" "$T/col"; do
  echo "tightened: $(stat -c %a "$path") $(basename "$path")"
done
check_now "after reopening files left 0644"

if [ "$failures" -ne 0 ]; then
  echo "--- the commands' output:"
  cat "$work/log"
  exit 1
fi
echo "every file private"
