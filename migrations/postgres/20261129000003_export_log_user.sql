-- Exports are counted per user over the last hour (a rate limit): by user and time.
CREATE INDEX export_log_user ON export_log (user_id, at);
