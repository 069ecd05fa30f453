-- Whole-project listings (exports, the review page) come in drawing order. With only the
-- (project_id, workshop_id) index SQLite sorted every row of the project, geometry and all,
-- in a temporary B-tree before the first one went out; an index on project_id alone ends in
-- the rowid, so it yields a project's features already in drawing order.
CREATE INDEX features_project_order ON features (project_id);
