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

rm -rf leaflet leaflet-geoman leaflet-heat protomaps-leaflet leaflet-markercluster
mkdir -p leaflet/images leaflet-geoman leaflet-heat protomaps-leaflet leaflet-markercluster
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
printf 'leaflet %s\n@geoman-io/leaflet-geoman-free %s\nleaflet.heat %s\nprotomaps-leaflet %s\nleaflet.markercluster %s\n' "$LEAFLET" "$GEOMAN" "$HEAT" "$PROTOMAPS" "$CLUSTER" > VERSIONS
echo "vendored: $(tr '\n' ' ' < VERSIONS)"
