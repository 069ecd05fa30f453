-- A drawing's answers to its symbol's questions (domain::question): a JSON object, question
-- key → answer, empty for none. Kept in every revision like the rest of the drawing, so the
-- history trigger is written again with the new column.
ALTER TABLE features ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE feature_revisions ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';

DROP TRIGGER features_keep_revision;
CREATE TRIGGER features_keep_revision AFTER UPDATE ON features
WHEN old.revision <> new.revision BEGIN
    INSERT INTO feature_revisions (id, revision, project_id, workshop_id, group_id, participant_id, user_id,
        symbol_id, geometry, min_x, min_y, max_x, max_y, title, description, answers, review_state,
        review_reason, reviewer_id, merged_into, hidden, created_at, updated_at, deleted_at, last_action,
        changed_by_participant_id, changed_by_user_id)
    VALUES (old.id, old.revision, old.project_id, old.workshop_id, old.group_id, old.participant_id, old.user_id,
        old.symbol_id, old.geometry, old.min_x, old.min_y, old.max_x, old.max_y, old.title, old.description,
        old.answers, old.review_state, old.review_reason, old.reviewer_id, old.merged_into, old.hidden,
        old.created_at, old.updated_at, old.deleted_at, old.last_action, old.changed_by_participant_id,
        old.changed_by_user_id);
END;
