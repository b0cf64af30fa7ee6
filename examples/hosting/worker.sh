#!/bin/sh
# A worker that says when it starts, works until asked to stop, and says that it stopped cleanly.
echo "worker started as $$"
trap 'echo "worker stopping"; exit 0' TERM INT
while :; do
    sleep 1 &
    wait $!
done
