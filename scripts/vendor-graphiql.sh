#!/usr/bin/env bash
# Refresh the GraphiQL explorer the API serves itself (graphtwin/api/static/graphiql). The API
# never loads scripts from a CDN: a facility's network may have no internet, and a browser should
# only ever talk to the twin. Run from the repository root; needs npm and its registry.
set -euo pipefail

GRAPHIQL=3.8.3
REACT=18.2.0
dest=graphtwin/api/static/graphiql
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for pkg in "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT"; do
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
done
for tgz in "$work"/*.tgz; do
  mkdir -p "${tgz%.tgz}" && tar xzf "$tgz" -C "${tgz%.tgz}"
done

cp "$work/graphiql-$GRAPHIQL/package/graphiql.min.js" "$work/graphiql-$GRAPHIQL/package/graphiql.min.css" "$dest/"
cp "$work/graphiql-$GRAPHIQL/package/LICENSE" "$dest/LICENSE.graphiql"
cp "$work/react-$REACT/package/umd/react.production.min.js" "$dest/"
cp "$work/react-dom-$REACT/package/umd/react-dom.production.min.js" "$dest/"
cp "$work/react-$REACT/package/LICENSE" "$dest/LICENSE.react"
(cd "$dest" && sha256sum -- *.js *.css)
