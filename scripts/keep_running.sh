#!/usr/bin/env bash
# keep_running.sh NAME COMMAND...: run COMMAND; when it dies on its own, say so and start it
# again (waiting 1, 2, 4 … up to 30 s between quick failures). A TERM or INT — honcho stopping
# everything, Ctrl-C — stops the command and this loop. `make run` wraps the worker and beat in
# it, so that one crashed part no longer takes web and the embedded servers down with it.
set -u
name=$1
shift
child=0
stop() {
  if [ "$child" -ne 0 ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  exit 0
}
trap stop TERM INT
delay=1
while true; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  code=$?
  child=0
  if [ $((SECONDS - started)) -gt 60 ]; then
    delay=1  # it had been running well: a new failure starts the backoff again
  fi
  echo "$name stopped (exit code $code); starting it again in ${delay} s" >&2
  sleep "$delay" &
  child=$!
  wait "$child"
  child=0
  delay=$((delay < 30 ? delay * 2 : 30))
done
