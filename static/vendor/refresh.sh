#!/usr/bin/env bash
# Refreshes the vendored map libraries from the npm registry, at the pinned versions below,
# with their licence files. Nothing is loaded from a CDN at run time: pages use these copies.
set -euo pipefail
cd "$(dirname "$0")"

LEAFLET=1.9.4                 # BSD-2-Clause
GEOMAN=2.20.2                 # MIT (@geoman-io/leaflet-geoman-free)
HEAT=0.2.0                    # BSD-2-Clause (leaflet.heat)
CLUSTER=1.5.3                 # MIT (leaflet.markercluster: the wall's points gathered into counts)
PROTOMAPS=5.1.0               # BSD-3-Clause (protomaps-leaflet: vector basemaps drawn in Leaflet, labels in the browser's fonts)
FLUENT=0.19.1                 # Apache-2.0 (@fluent/bundle: the pages format the Fluent catalogues, plurals included)
ESBUILD=0.27.0                # MIT (a build tool only: joins @fluent/bundle's ES modules into one file, one request)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # package version → unpacked into $work/<dir>
    local package=$1 version=$2 dir=$3
    mkdir -p "$work/$dir"
    (cd "$work" && npm pack "$package@$version" --silent >/dev/null)
    tar xzf "$work"/*"$(basename "$package")-$version.tgz" -C "$work/$dir"
}

fetch leaflet "$LEAFLET" leaflet
fetch @geoman-io/leaflet-geoman-free "$GEOMAN" geoman
fetch leaflet.heat "$HEAT" heat
fetch protomaps-leaflet "$PROTOMAPS" protomaps
fetch leaflet.markercluster "$CLUSTER" cluster
fetch @fluent/bundle "$FLUENT" fluent
(cd "$work" && npm install --silent --no-save --prefix "$work/tools" "esbuild@$ESBUILD" >/dev/null)

rm -rf leaflet leaflet-geoman leaflet-heat protomaps-leaflet leaflet-markercluster fluent-bundle
mkdir -p leaflet/images leaflet-geoman leaflet-heat protomaps-leaflet leaflet-markercluster fluent-bundle
cp "$work/leaflet/package/dist/leaflet.js" "$work/leaflet/package/dist/leaflet.css" leaflet/
cp "$work"/leaflet/package/dist/images/*.png leaflet/images/
cp "$work/leaflet/package/LICENSE" leaflet/LICENSE
cp "$work/geoman/package/dist/leaflet-geoman.min.js" "$work/geoman/package/dist/leaflet-geoman.css" leaflet-geoman/
cp "$work/geoman/package/LICENSE" leaflet-geoman/LICENSE
cp "$work/heat/package/dist/leaflet-heat.js" leaflet-heat/
cp "$work/heat/package/LICENSE" leaflet-heat/LICENSE
cp "$work/protomaps/package/dist/protomaps-leaflet.js" protomaps-leaflet/
cp "$work/protomaps/package/LICENSE" protomaps-leaflet/LICENSE
cp "$work/cluster/package/dist/leaflet.markercluster.js" "$work/cluster/package/dist/MarkerCluster.css" leaflet-markercluster/
cp "$work/cluster/package/MIT-LICENCE.txt" leaflet-markercluster/LICENSE
# @fluent/bundle ships as eight small ES modules: joined into one (its exports unchanged), so
# a page on a slow network makes one request for it, not eight in a row.
"$work/tools/node_modules/.bin/esbuild" "$work/fluent/package/esm/index.js" --bundle --format=esm \
    --minify --legal-comments=inline --log-level=warning --outfile=fluent-bundle/fluent-bundle.js
# The package carries no licence file: the Apache License 2.0 it names, from Debian's copy.
cp /usr/share/common-licenses/Apache-2.0 fluent-bundle/LICENSE
printf 'leaflet %s\n@geoman-io/leaflet-geoman-free %s\nleaflet.heat %s\nprotomaps-leaflet %s\nleaflet.markercluster %s\n@fluent/bundle %s\n' "$LEAFLET" "$GEOMAN" "$HEAT" "$PROTOMAPS" "$CLUSTER" "$FLUENT" > VERSIONS
echo "vendored: $(tr '\n' ' ' < VERSIONS)"
