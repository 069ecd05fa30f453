"""Cell scores and Getis-Ord Gi* the way a researcher would write them: geopandas, shapely 2
and h3 from PyPI, plainly. The reference the Rust engine is timed and checked against
(`cargo bench --bench priority`).

    python priority.py features.geojson weights.json out.csv [resolution]

Writes `cell,score,z` per cell of the study area (every cell within one ring of a scored cell)
and prints the computation's seconds as JSON on the last line (reading the file is not timed).
"""
import csv
import json
import math
import sys
import time
from collections import defaultdict

import geopandas as gpd
import h3
from pyproj import Transformer
from shapely.geometry import LineString, Polygon

features_path, weights_path, out_path = sys.argv[1:4]
resolution = int(sys.argv[4]) if len(sys.argv) > 4 else 9
weights = json.load(open(weights_path))
gdf = gpd.read_file(features_path)

start = time.perf_counter()
# Lengths and areas in metres: UTM zone 21S covers Buenos Aires.
projected = gdf.to_crs(32721)
to_utm = Transformer.from_crs(4326, 32721, always_xy=True)
cell_shapes = {}


def cell_polygon(cell):
    if cell not in cell_shapes:
        ring = [to_utm.transform(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
        cell_shapes[cell] = Polygon(ring)
    return cell_shapes[cell]


scores = defaultdict(float)
for geometry, metric, symbol in zip(gdf.geometry, projected.geometry, gdf["symbol"]):
    weight = weights[symbol]
    kind = geometry.geom_type
    if kind == "Point":
        scores[h3.latlng_to_cell(geometry.y, geometry.x, resolution)] += weight
    elif kind == "LineString":
        # The cells of the vertices, the paths between them and their neighbours.
        vertices = [h3.latlng_to_cell(y, x, resolution) for x, y in geometry.coords]
        candidates = set()
        for a, b in zip(vertices, vertices[1:]):
            for cell in h3.grid_path_cells(a, b):
                candidates.update(h3.grid_disk(cell, 1))
        total = metric.length
        for cell in candidates:
            inside = metric.intersection(cell_polygon(cell)).length
            if inside > 0:
                scores[cell] += weight * inside / total
    else:
        shape = h3.geo_to_h3shape(geometry)
        cells = h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap")
        total = metric.area
        for cell in cells:
            inside = metric.intersection(cell_polygon(cell)).area
            if inside > 0:
                scores[cell] += weight * inside / total

# Gi* over the study area: the scored cells and their neighbours, empty ones counting zero.
study = set()
for cell in scores:
    study.update(h3.grid_disk(cell, 1))
values = {cell: scores.get(cell, 0.0) for cell in study}
n = len(values)
mean = sum(values.values()) / n
s = math.sqrt(sum(x * x for x in values.values()) / n - mean * mean)
z = {}
for cell in values:
    neighbours = [c for c in h3.grid_disk(cell, 1) if c in values]
    w = len(neighbours)
    spread = (n * w - w * w) / (n - 1)
    z[cell] = (sum(values[c] for c in neighbours) - mean * w) / (s * math.sqrt(spread)) if spread > 0 and s > 0 else 0.0
seconds = time.perf_counter() - start

with open(out_path, "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["cell", "score", "z"])
    for cell in sorted(values):
        writer.writerow([cell, repr(values[cell]), repr(z[cell])])
print(json.dumps({"seconds": seconds, "cells": n, "features": len(gdf)}))
