-- Fixes of stored data that SQL alone cannot make (they run in Rust after the migrations,
-- `store::data_fixes`), each recorded here once done so that it runs once per database.
CREATE TABLE data_fixes (
    name    text PRIMARY KEY,
    done_at timestamptz NOT NULL
);
