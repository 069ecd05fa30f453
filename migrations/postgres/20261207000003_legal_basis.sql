-- On what basis a workshop's drawings are held (domain::consent): its current legal basis as
-- JSON (version, basis, consent texts or mandate, uses, hash); NULL: none yet, and it takes no
-- drawings. Every version ever set is kept, so that a consent given names the text shown.
ALTER TABLE workshops ADD COLUMN legal_basis text;

CREATE TABLE legal_basis_versions (
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    version     bigint NOT NULL,
    document    text NOT NULL,
    hash        text NOT NULL,
    set_by      uuid REFERENCES users (id),
    set_at      timestamptz NOT NULL,
    PRIMARY KEY (workshop_id, version)
);

-- The version of the consent text a participant accepted on the join page, and when.
ALTER TABLE participants ADD COLUMN consent_version bigint;
ALTER TABLE participants ADD COLUMN consented_at timestamptz;

-- A table's agreement given aloud, recorded by its facilitator, with a note.
CREATE TABLE group_consents (
    group_id    uuid NOT NULL REFERENCES workshop_groups (id) ON DELETE CASCADE,
    workshop_id uuid NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
    version     bigint NOT NULL,
    note        text NOT NULL,
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, version)
);
