#!/usr/bin/env bash
# Refreshes the vendored map libraries from the npm registry, at the pinned versions below,
# with their licence files. Nothing is loaded from a CDN at run time: pages use these copies.
set -euo pipefail
cd "$(dirname "$0")"

LEAFLET=1.9.4                 # BSD-2-Clause
GEOMAN=2.20.2                 # MIT (@geoman-io/leaflet-geoman-free)

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

rm -rf leaflet leaflet-geoman
mkdir -p leaflet/images leaflet-geoman
cp "$work/leaflet/package/dist/leaflet.js" "$work/leaflet/package/dist/leaflet.css" leaflet/
cp "$work"/leaflet/package/dist/images/*.png leaflet/images/
cp "$work/leaflet/package/LICENSE" leaflet/LICENSE
cp "$work/geoman/package/dist/leaflet-geoman.min.js" "$work/geoman/package/dist/leaflet-geoman.css" leaflet-geoman/
cp "$work/geoman/package/LICENSE" leaflet-geoman/LICENSE
printf 'leaflet %s\n@geoman-io/leaflet-geoman-free %s\n' "$LEAFLET" "$GEOMAN" > VERSIONS
echo "vendored: $(tr '\n' ' ' < VERSIONS)"
