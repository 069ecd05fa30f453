-- A drawing's answers to its symbol's questions (domain::question): a JSON object, question
-- key → answer, empty for none. Kept in every revision like the rest of the drawing, so the
-- history trigger's function is written again with the new column.
ALTER TABLE features ADD COLUMN answers jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE feature_revisions ADD COLUMN answers jsonb NOT NULL DEFAULT '{}'::jsonb;

CREATE OR REPLACE FUNCTION features_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feature_revisions (id, revision, project_id, workshop_id, group_id, participant_id, user_id,
        symbol_id, geometry, min_x, min_y, max_x, max_y, title, description, answers, review_state,
        review_reason, reviewer_id, merged_into, hidden, created_at, updated_at, deleted_at, last_action,
        changed_by_participant_id, changed_by_user_id)
    VALUES (OLD.id, OLD.revision, OLD.project_id, OLD.workshop_id, OLD.group_id, OLD.participant_id, OLD.user_id,
        OLD.symbol_id, OLD.geometry, OLD.min_x, OLD.min_y, OLD.max_x, OLD.max_y, OLD.title, OLD.description,
        OLD.answers, OLD.review_state, OLD.review_reason, OLD.reviewer_id, OLD.merged_into, OLD.hidden,
        OLD.created_at, OLD.updated_at, OLD.deleted_at, OLD.last_action, OLD.changed_by_participant_id,
        OLD.changed_by_user_id);
    RETURN NEW;
END;
$$;
