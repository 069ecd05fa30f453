-- How long a project keeps its workshops' raw drawings after each workshop ended, in months
-- (domain::retention); NULL: until deleted. The daily sweep and `trama purge` apply it.
ALTER TABLE projects ADD COLUMN retention_months bigint;
