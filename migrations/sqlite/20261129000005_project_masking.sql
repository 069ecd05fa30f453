-- The masking an analyst chooses for a project: the finest a researcher's export may have
-- (points moved mask_min_m to mask_max_m metres, cells of H3 mask_resolution, counts under
-- mask_k suppressed). A researcher may ask only for coarser.
ALTER TABLE projects ADD COLUMN mask_min_m REAL NOT NULL DEFAULT 50;
ALTER TABLE projects ADD COLUMN mask_max_m REAL NOT NULL DEFAULT 250;
ALTER TABLE projects ADD COLUMN mask_resolution INTEGER NOT NULL DEFAULT 8;
ALTER TABLE projects ADD COLUMN mask_k INTEGER NOT NULL DEFAULT 5;
