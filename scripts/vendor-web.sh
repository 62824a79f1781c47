#!/usr/bin/env bash
# Refresh the flight deck's vendored JavaScript (graphtwin/web/static/vendor) and the axe-core
# the browser tests inject (tests/support/vendor). Nothing is loaded from a CDN: a facility's
# network may have no internet, and a browser should only ever talk to the twin. Run from the
# repository root; needs npm and its registry. Prints the sha256 of every file for the READMEs.
set -euo pipefail

HTMX=2.0.11
CYTOSCAPE=3.35.0
UPLOT=1.6.9
AXE=4.14.1
dest=graphtwin/web/static/vendor
tests=tests/support/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for pkg in "htmx.org@$HTMX" "cytoscape@$CYTOSCAPE" "uplot@$UPLOT" "axe-core@$AXE"; do
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
done
for tgz in "$work"/*.tgz; do
  mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done

mkdir -p "$dest" "$tests"
cp "$work/htmx.org-$HTMX/package/dist/htmx.min.js" "$dest/"
cp "$work/htmx.org-$HTMX/package/LICENSE" "$dest/LICENSE.htmx"
cp "$work/cytoscape-$CYTOSCAPE/package/dist/cytoscape.min.js" "$dest/"
cp "$work/cytoscape-$CYTOSCAPE/package/LICENSE" "$dest/LICENSE.cytoscape"
cp "$work/uplot-$UPLOT/package/dist/uPlot.iife.min.js" "$work/uplot-$UPLOT/package/dist/uPlot.min.css" "$dest/"
cp "$work/uplot-$UPLOT/package/LICENSE" "$dest/LICENSE.uplot"
cp "$work/axe-core-$AXE/package/axe.min.js" "$tests/"
cp "$work/axe-core-$AXE/package/LICENSE" "$tests/LICENSE.axe-core"
(cd "$dest" && sha256sum -- *.js *.css)
(cd "$tests" && sha256sum -- *.js)
