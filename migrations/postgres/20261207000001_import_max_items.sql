-- Most items (features, placemarks, waypoints, rows) one file imported into this project may
-- hold; NULL: the server's --import-max-items (5,000 by default).
ALTER TABLE projects ADD COLUMN import_max_items bigint;
