"""Reads an exported file the way researchers do, with every feature of every layer:

* a current GDAL, through pyogrio (its wheels bundle GDAL 3.12 or newer), and
* DuckDB's spatial extension (`ST_Read`, GDAL inside DuckDB), loaded from the PyPI package
  `duckdb-ext-spatial`, offline.

Usage: python3 read_export.py FILE...
Prints one JSON object: {"gdal": VERSION, "duckdb": VERSION, "files": {FILE: {"layers":
{NAME: {"pyogrio": N, "duckdb": N, "duckdb_located": N}}} or {"error": MESSAGE}}}: every file
is tried, and a file a reader cannot read says why. One process for many files: DuckDB's
extension loads once.
"""

import glob
import json
import os
import sys

import duckdb
import pyogrio
import pyogrio.raw



def extension_path():
    for base in sys.path:
        found = glob.glob(
            os.path.join(base, "duckdb_ext", "extensions", "v" + duckdb.__version__, "*", "spatial.duckdb_extension")
        )
        if found:
            return found[0]
    sys.exit("duckdb-ext-spatial for DuckDB %s is not installed" % duckdb.__version__)


def read(connection, path):
    layers = {}
    for name, _geometry_type in pyogrio.list_layers(path):
        # Every feature, every field: the reader parses each value (a DateTime it refuses
        # fails here, where a layer summary would not).
        _meta, fids, _geometries, _fields = pyogrio.raw.read(path, layer=name, return_fids=True)
        columns = [row[0] for row in connection.execute("DESCRIBE SELECT * FROM ST_Read(?, layer := ?)", [path, name]).fetchall()]
        located = "count(*) FILTER (WHERE geom IS NOT NULL)" if "geom" in columns else "0"
        counted = connection.execute(
            "SELECT count(*), %s FROM ST_Read(?, layer := ?)" % located,
            [path, name],
        ).fetchone()
        # DuckDB reads every column too, as a researcher's SELECT * would.
        connection.execute("SELECT * FROM ST_Read(?, layer := ?)", [path, name]).fetchall()
        layers[name] = {"pyogrio": len(fids), "duckdb": counted[0], "duckdb_located": counted[1]}
    return {"layers": layers}


def main(paths):
    connection = duckdb.connect()
    connection.execute("LOAD '%s'" % extension_path().replace("'", "''"))
    files = {}
    for path in paths:
        try:
            files[path] = read(connection, path)
        except Exception as error:  # noqa: BLE001 (every reader's failure is the answer)
            files[path] = {"error": "%s: %s" % (type(error).__name__, error)}
    print(json.dumps({"gdal": pyogrio.__gdal_version_string__, "duckdb": duckdb.__version__, "files": files}))


if __name__ == "__main__":
    main(sys.argv[1:])
