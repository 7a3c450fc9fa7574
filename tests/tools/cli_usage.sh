#!/bin/sh
# Every command of both programs parses its arguments the same way (tools/cli_args.h): each
# command that `PROGRAM help` lists answers --help with its usage on standard output and exit
# status 0; an unknown command or option is a usage error (exit status 2) that names the closest
# one. Usage: cli_usage.sh CHOSA CHOSA_COLLECTOR
chosa=$1
collector=$2
failed=0
fail() { echo "FAILED: $*"; failed=1; }

for program in "$chosa" "$collector"; do
  name=$(basename "$program")
  commands=$("$program" help | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | grep -vx help | sort -u)
  [ -n "$commands" ] || fail "$name help lists no commands"
  for command in $commands; do
    out=$("$program" "$command" --help 2>/dev/null); status=$?
    [ "$status" -eq 0 ] || fail "$name $command --help: exit status $status"
    case "$out" in
      "usage: $name $command"*) ;;
      *) fail "$name $command --help: does not begin with \"usage: $name $command\"" ;;
    esac
    echo "$name $command --help ok"
  done
done

# expect_usage_error WANT PROGRAM ARGS...: exit status 2 and WANT on standard error.
expect_usage_error() {
  want=$1; shift
  err=$("$@" 2>&1 >/dev/null); status=$?
  [ "$status" -eq 2 ] || fail "$*: exit status $status, not 2"
  case "$err" in
    *"$want"*) echo "exit 2: $want" ;;
    *) fail "$*: no \"$want\" in: $err" ;;
  esac
}
expect_usage_error 'unknown command "fil"; did you mean "fill"?' "$chosa" fil
expect_usage_error 'unknown command "oubox"; did you mean "outbox"?' "$chosa" oubox
expect_usage_error 'chosa fill: unknown option "--lnag"; did you mean "--lang"?' "$chosa" fill x.json --lnag en
expect_usage_error 'chosa drafts: unknown option "--stroe"; did you mean "--store"?' "$chosa" drafts --stroe s.sqlite
expect_usage_error 'chosa test: unknown option "--print-submision"; did you mean "--print-submission"?' "$chosa" test --print-submision f.json s.json
expect_usage_error 'unknown command "publsh"; did you mean "publish"?' "$collector" publsh
expect_usage_error 'unknown command "devics"; did you mean "devices"?' "$collector" devics
expect_usage_error 'chosa-collector forms: unknown option "--dat"; did you mean "--data"?' "$collector" forms --dat d
expect_usage_error 'chosa-collector serve: unknown option "--lisen"; did you mean "--listen"?' "$collector" serve --lisen :0
expect_usage_error 'chosa-collector quarantine: unknown option "--boyd"; did you mean "--body"?' "$collector" quarantine show 1 --boyd

[ "$failed" -eq 0 ] && echo "every command answers --help; typos are named"
