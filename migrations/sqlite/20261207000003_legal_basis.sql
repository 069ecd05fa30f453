-- On what basis a workshop's drawings are held (domain::consent): its current legal basis as
-- JSON (version, basis, consent texts or mandate, uses, hash); NULL: none yet, and it takes no
-- drawings. Every version ever set is kept, so that a consent given names the text shown.
ALTER TABLE workshops ADD COLUMN legal_basis TEXT;

CREATE TABLE legal_basis_versions (
    workshop_id TEXT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    hash TEXT NOT NULL,
    set_by TEXT REFERENCES users(id),
    set_at TEXT NOT NULL,
    PRIMARY KEY (workshop_id, version)
);

-- The version of the consent text a participant accepted on the join page, and when.
ALTER TABLE participants ADD COLUMN consent_version INTEGER;
ALTER TABLE participants ADD COLUMN consented_at TEXT;

-- A table's agreement given aloud, recorded by its facilitator, with a note.
CREATE TABLE group_consents (
    group_id TEXT NOT NULL REFERENCES workshop_groups(id) ON DELETE CASCADE,
    workshop_id TEXT NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (group_id, version)
);
