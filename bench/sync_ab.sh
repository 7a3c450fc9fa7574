#!/bin/sh
# The sync benchmark, base against new, alternating (base, new, new, base, base, new): each tree's
# own Release chosa_sync_bench and chosa-collector, its own schemas. One JSON per run in OUT.
#   bench/sync_ab.sh BASE_TREE NEW_TREE OUT_DIR [extra chosa_sync_bench arguments]
set -e
base=$1 new=$2 out=$3; shift 3
mkdir -p "$out"
k=0
for t in base new new base base new; do
  eval tree=\$$t
  k=$((k + 1))
  echo "$k $t $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/log"
  rm -rf "$out/files"
  "$tree/build-rel/bench/chosa_sync_bench" --collector-tool "$tree/build-rel/tools/chosa-collector" \
    --source-dir "$tree" --dir "$out/files" --ingest-rounds 3 "$@" > "$out/$k-$t.json"
done
echo "end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/log"
