#!/usr/bin/env bash
# Runs the built launcher (examples/neuroseg) the way a user would: render a synthetic neuron,
# then evaluate it against itself; fails the build unless the EVAL line is perfect.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
out="$here/target/launcher-smoke"
rm -rf "$out"
"$here/neuroseg" render --output "$out" --size 48x40x10 --seed 3 > "$out.render.log"
for f in image.tif mask.tif neuron.swc projection-xy.png projection-xz.png metrics.txt; do
  [[ -s "$out/$f" ]] || { echo "launcher smoke test: $f missing" >&2; exit 1; }
done
last="$("$here/neuroseg" evaluate --mask "$out/mask.tif" --truth-mask "$out/mask.tif" \
  --swc "$out/neuron.swc" --truth-swc "$out/neuron.swc" | tail -n 1)"
expected="EVAL dice=1.0000 hd95=0.0000 esa=0.0000 dsa=0.0000 pds=0.0000 f1=1.0000"
if [[ "$last" != "$expected" ]]; then
  echo "launcher smoke test: expected '$expected', got '$last'" >&2
  exit 1
fi
set +e
"$here/neuroseg" evaluate --mask "$out/none.tif" --truth-mask "$out/mask.tif" 2> "$out.err"
code=$?
set -e
if [[ $code -ne 1 ]] || ! grep -q '^error: cannot read' "$out.err"; then
  echo "launcher smoke test: a missing file should exit 1 with an error line, got $code" >&2
  exit 1
fi
echo "launcher smoke test: $last"
