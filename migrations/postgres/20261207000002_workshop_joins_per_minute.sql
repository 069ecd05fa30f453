-- How many times a minute the workshop may be joined, set by its facilitator for a large room;
-- NULL: the server's --joins-per-workshop (150 by default).
ALTER TABLE workshops ADD COLUMN joins_per_minute bigint;
