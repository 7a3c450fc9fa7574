#!/usr/bin/env bash
# The JNI binding on this machine's JVM against a real collector:
#
#  1. chosa-collector on loopback TLS (dev-tls, publish workshop_attendee_survey, enrol-code,
#     serve on a free port);
#  2. ChosaJniTest (java -ea -Xcheck:jni) fills the survey through org.chosa, enrols with the code,
#     syncs, cancels a sync from another Java thread, and writes each submission's UUID and
#     canonical bytes (as the device store holds them) to $T/submissions.tsv;
#  3. the collector's export must hold exactly those submissions, each once, from the device, with
#     the same content (answers included).
#
# usage: jni_test.sh JAVA CLASSPATH LIBRARY_DIR CHOSA_COLLECTOR SOURCE_DIR
set -euo pipefail
java=$1 classpath=$2 library_dir=$3 collector_tool=$4 src=$5

# shellcheck source=../test_support/loopback_collector.sh
. "$src/tests/test_support/loopback_collector.sh"
start_loopback_collector workshop_attendee_survey 1

# -Xcheck:jni: the JVM checks every JNI call of the glue and warns of misuse, which fails the test
# (FAIL_REGULAR_EXPRESSION in tests/android/CMakeLists.txt).
mkdir "$T/device"
"$java" -ea -Xcheck:jni -Djava.library.path="$library_dir" -cp "$classpath" org.chosa.test.ChosaJniTest \
  "$src" "$T/device" "$collector" "$T/tls/ca.pem" "${codes[0]}" 2>&1

"$collector_tool" export workshop_attendee_survey --data "$T/col" > "$T/export.jsonl" 2> /dev/null
python3 - "$T/export.jsonl" "$T/device/submissions.tsv" <<'PY'
import json, sys
exported = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
device = dict(line.rstrip("\n").split("\t", 1) for line in open(sys.argv[2], encoding="utf-8"))
status = 0
uuids = [e["submission"]["uuid"] for e in exported]
if sorted(uuids) != sorted(device):
    print(f"the collector holds {sorted(uuids)}, the device sent {sorted(device)}")
    status = 1
for e in exported:
    uuid = e["submission"]["uuid"]
    if uuid in device and (e["submission"] != json.loads(device[uuid]) or e["device_id"] != "tablet-java"):
        print(f"{uuid}: the collector's copy differs from the device's:\n  {json.dumps(e, ensure_ascii=False)}\n  {device[uuid]}")
        status = 1
if status == 0:
    print(f"the collector holds the {len(device)} submissions as the device finalized them")
sys.exit(status)
PY
echo "the JNI binding filled, finalized and synced"
