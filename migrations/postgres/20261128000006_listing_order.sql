-- Whole-project listings (exports, the review page) come in drawing order (time-ordered ids):
-- an index on (project_id, id) yields them in that order without sorting the whole project.
CREATE INDEX features_project_order ON features (project_id, id);
