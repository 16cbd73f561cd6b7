#!/usr/bin/env bash
# Issue 17: samples/LightSwitch as a NativeAOT executable against the same app on the JIT (framework-dependent,
# Release). Publishes both, then runs each whole story (open a new SQLite file, append, load, read the history) `runs`
# times in turn (native, JIT, native, ...) and prints the median wall time and peak resident memory of each, their
# ratio, and the size of what each deploys (and of the shared .NET runtime the JIT build also needs).
#
#     benchmarks/EventSourcery.Benchmarks/NativeAot/native-aot.sh [runs=10]
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs="${1:-10}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

dotnet publish samples/LightSwitch -c Release -o "$out/native" > "$out/native.log" 2>&1 || { tail -20 "$out/native.log"; exit 1; }
dotnet publish samples/LightSwitch -c Release -p:PublishAot=false -o "$out/jit" > "$out/jit.log" 2>&1 || { tail -20 "$out/jit.log"; exit 1; }

# One run: "<wall seconds> <peak KiB>" from GNU time.
measure() { /usr/bin/time -f '%e %M' -o "$out/time" "$@" > /dev/null; cat "$out/time"; }
"$out/native/LightSwitch" > /dev/null && dotnet "$out/jit/LightSwitch.dll" > /dev/null # warm the file cache
for _ in $(seq "$runs"); do
  measure "$out/native/LightSwitch" >> "$out/native.times"
  measure dotnet "$out/jit/LightSwitch.dll" >> "$out/jit.times"
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
size() { du -cb "$@" | tail -1 | cut -f1; }
nw=$(cut -d' ' -f1 "$out/native.times" | median); jw=$(cut -d' ' -f1 "$out/jit.times" | median)
nm=$(cut -d' ' -f2 "$out/native.times" | median); jm=$(cut -d' ' -f2 "$out/jit.times" | median)
ns=$(size "$out/native/LightSwitch" "$out/native"/*.so)
js=$(size "$out/jit"/*.dll "$out/jit/LightSwitch" "$out/jit"/*.json "$out/jit/runtimes/linux-x64")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2; d = $3 } END { gsub(/[][]/, "", d); print d "/" v }')
rs=$(du -sb "$runtime" | cut -f1)

printf '%-8s %12s %14s %16s\n' build 'wall (median)' 'peak (median)' 'deployed bytes'
printf '%-8s %11.3fs %11.1f MiB %16s\n' native "$nw" "$(echo "$nm / 1024" | bc -l)" "$ns"
printf '%-8s %11.3fs %11.1f MiB %16s\n' jit "$jw" "$(echo "$jm / 1024" | bc -l)" "$js"
printf 'the JIT build also needs the shared runtime: %s bytes (%s)\n' "$rs" "$runtime"
printf 'native / jit: wall %.3f, peak %.3f, bytes %.3f (%s runs each)\n' \
  "$(echo "$nw / $jw" | bc -l)" "$(echo "$nm / $jm" | bc -l)" "$(echo "$ns / $js" | bc -l)" "$runs"
