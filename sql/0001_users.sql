-- Users of foiflow and their API tokens.
-- A token is shown once when issued; only its SHA-256 is kept.
CREATE TABLE users (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login       text NOT NULL UNIQUE CHECK (login ~ '^[a-z][a-z0-9._-]{0,62}$'),
    role        text NOT NULL CHECK (role IN ('officer', 'manager', 'admin', 'auditor', 'system')),
    team        text,
    name        text,
    email       text,
    token_hash  bytea UNIQUE CHECK (octet_length(token_hash) = 32),
    disabled_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN users.token_hash IS 'SHA-256 of the API token; NULL when revoked';
