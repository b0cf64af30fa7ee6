#!/usr/bin/env bash
# Regenerates src/Tether.Cli/startup.order: the managed methods that the native `tether watch` runs from its start
# through an idle loop with 50 agents beating at 1 Hz, which the native publish lays out first in the binary's code so
# that the pages start-up touches sit together (issue 12: an idle watcher in ≤ 15 MB of RSS; docs/benchmarks.md,
# "What an idle watcher keeps resident").
#
# When: after a change to what start-up runs (System.CommandLine or the runtime updated, the verb tree or the watcher's
# start reworked), or when NativeBinarySpecs' code-residency spec fails. Commit the new file with the change.
#
# Needs: root (a loop device and a mount), losetup and mkfs.ext2 (util-linux, e2fsprogs), nm (binutils, which the
# native link needs anyway), the .NET SDK and the C toolchain of the README's native build. Takes a few minutes: two
# native publishes and two traces of about 15 s.
#
# How: the pages of the binary's code that a watcher has mapped are the pages it touched only if nothing is mapped
# around them. On each page fault the kernel maps the cached pages of a 64 KiB window around it (fault-around), and
# the cache holds whatever read-ahead fetched. So the watcher runs from a fresh copy on a small ext2 file system of
# its own, on a loop device whose read-ahead is 0, with the cache dropped (unmounted and mounted again) before each
# trace: then only the pages it touched are cached, and only they can be mapped. The agents run from another copy.
# bench/Tether.Benchmarks' startup-pages mode reads the watcher's /proc/PID/pagemap and names the managed methods on
# the touched pages (from the Tether.Cli.dbg the publish writes); a second publish with the new file checks that no
# touched page of managed code is left outside it. The device is detached on exit, whatever happens; the kernel sets
# a loop device's read-ahead anew when it is detached, so its read-ahead of 0 does not outlive the script.
#
# Two runs on the same tree wrote the same file (the touched pages are those of the code, not of timing).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
order=$root/src/Tether.Cli/startup.order

if [[ $(id -u) -ne 0 ]]; then
  echo "regenerate.sh: run it as root: it mounts a loop device to trace the watcher's pages (see the comment at its top)" >&2
  exit 1
fi
for tool in losetup mkfs.ext2 nm dotnet; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "regenerate.sh: $tool is missing; install it (util-linux, e2fsprogs, binutils, the .NET SDK) and run again" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/tether-startup-order.XXXXXX)
loop=""
mounted=false
cleanup() {
  if $mounted; then umount "$work/mnt" || true; fi
  if [[ -n $loop ]]; then losetup -d "$loop" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

publish() { # publish OUTPUT [MSBuild properties…]
  local output=$1
  shift
  dotnet publish "$root/src/Tether.Cli" -c Release --use-current-runtime -p:PublishAot=true -nologo "$@" -o "$output" > "$output.log" 2>&1 \
    || { tail -30 "$output.log" >&2; echo "regenerate.sh: the native publish failed (log above)" >&2; exit 1; }
}

trace() { # trace BINARY_DIRECTORY startup-pages-arguments…
  local binaries=$1
  shift
  umount "$work/mnt"; mounted=false
  mount "$loop" "$work/mnt"; mounted=true
  rm -f "$work/mnt/tether"
  cp "$binaries/tether" "$work/mnt/tether"
  cp "$binaries/tether" "$work/agent-tether"
  # Unmounted and mounted again: nothing of the new copy is cached, so the watcher's faults read page by page.
  umount "$work/mnt"; mounted=false
  mount "$loop" "$work/mnt"; mounted=true
  # Set after mounting: attaching the device and its first mount set its read-ahead to the kernel's default.
  echo 0 > "$read_ahead_file"
  if [[ $(cat "$read_ahead_file") != 0 ]]; then
    echo "regenerate.sh: the loop device's read-ahead did not stay 0; the trace would count pages the watcher never touched" >&2
    exit 1
  fi
  dotnet run -c Release --project "$root/bench/Tether.Benchmarks" -- startup-pages \
    --tether "$work/mnt/tether" --agent-tether "$work/agent-tether" --symbols "$binaries/Tether.Cli.dbg" "$@"
}

echo "regenerate.sh: publishing the native binary without a start-up order"
publish "$work/unordered" -p:UseStartupOrder=false

truncate -s 64M "$work/fs.img"
mkfs.ext2 -q -F "$work/fs.img"
loop=$(losetup -f --show "$work/fs.img")
read_ahead_file=/sys/class/bdi/$(cat "/sys/block/$(basename "$loop")/dev")/read_ahead_kb
mkdir "$work/mnt"
mount "$loop" "$work/mnt"; mounted=true

trace "$work/unordered" --write-order "$work/methods"
{
  echo "# The managed methods a native \`tether watch\` runs from its start through an idle loop with 50 agents, laid out"
  echo "# first in the binary's code (IlcOrderFile, native publish only) so that start-up touches few pages."
  echo "# Written by eng/startup-order/regenerate.sh from the methods on the code pages the watcher touched; do not edit."
  cat "$work/methods"
} > "$work/startup.order"

echo "regenerate.sh: publishing with the new order and checking that it covers what start-up runs"
publish "$work/ordered" -p:IlcOrderFile="$work/startup.order"
trace "$work/ordered" --check-order "$work/startup.order"

cp "$work/startup.order" "$order"
echo "regenerate.sh: wrote $order ($(grep -vc '^#' "$order") methods)"
