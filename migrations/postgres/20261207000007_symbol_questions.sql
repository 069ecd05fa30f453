-- The questions a legend symbol asks of each drawing (domain::question): a JSON list, empty
-- for a symbol that asks none.
ALTER TABLE symbols ADD COLUMN questions jsonb NOT NULL DEFAULT '[]'::jsonb;
