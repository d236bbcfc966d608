-- The store (docs/STORE.md). Kept identical to ../sqlite/V1__store.sql but for BYTEA vs BLOB.
-- Times are microseconds since the epoch (BIGINT), flags 0/1 (SMALLINT): one code path for both databases.

-- Tensor bytes, little-endian, in chunks keyed by their SHA-256: each distinct chunk is stored once.
CREATE TABLE chunk (
    digest CHAR(64) PRIMARY KEY,
    size   INTEGER  NOT NULL,
    data   BYTEA    NOT NULL
);

-- A model's state at one version: the model's current one, or a checkpoint's.
CREATE TABLE state (
    id        VARCHAR(36) PRIMARY KEY,
    name      TEXT,
    spec      TEXT        NOT NULL,
    training  SMALLINT    NOT NULL,
    generator BYTEA,
    optimizer TEXT,
    parameter_count BIGINT NOT NULL
);

-- One row per state-dict key, in order. storage_of: the position of the first key sharing its storage (tied).
CREATE TABLE state_tensor (
    state_id      VARCHAR(36)  NOT NULL REFERENCES state (id),
    position      INTEGER      NOT NULL,
    tensor_key    TEXT         NOT NULL,
    dtype         VARCHAR(16)  NOT NULL,
    shape         TEXT         NOT NULL,
    numel         BIGINT       NOT NULL,
    requires_grad SMALLINT,
    storage_of    INTEGER,
    PRIMARY KEY (state_id, position)
);

-- The chunk list of each stored tensor (not of aliases).
CREATE TABLE tensor_chunk (
    state_id VARCHAR(36) NOT NULL,
    position INTEGER     NOT NULL,
    seq      INTEGER     NOT NULL,
    digest   CHAR(64)    NOT NULL REFERENCES chunk (digest),
    PRIMARY KEY (state_id, position, seq),
    FOREIGN KEY (state_id, position) REFERENCES state_tensor (state_id, position)
);
CREATE INDEX tensor_chunk_digest ON tensor_chunk (digest);

CREATE TABLE model (
    id         VARCHAR(64)  PRIMARY KEY,
    owner      VARCHAR(255),
    version    BIGINT       NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    state_id   VARCHAR(36)  NOT NULL REFERENCES state (id)
);
CREATE INDEX model_created ON model (created_at, id);

CREATE TABLE history (
    model_id  VARCHAR(64)  NOT NULL REFERENCES model (id),
    version   BIGINT       NOT NULL,
    at        BIGINT       NOT NULL,
    actor     VARCHAR(255) NOT NULL,
    operation VARCHAR(64)  NOT NULL,
    summary   TEXT,
    PRIMARY KEY (model_id, version)
);

-- seq: the model's checkpoints in creation order (oldest first even within one clock tick).
CREATE TABLE checkpoint (
    id              VARCHAR(36)  PRIMARY KEY,
    model_id        VARCHAR(64)  NOT NULL REFERENCES model (id),
    seq             BIGINT       NOT NULL,
    tag             VARCHAR(100),
    message         TEXT,
    model_version   BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    parameter_count BIGINT       NOT NULL,
    bytes           BIGINT       NOT NULL,
    state_id        VARCHAR(36)  NOT NULL REFERENCES state (id),
    UNIQUE (model_id, tag),
    UNIQUE (model_id, seq)
);
CREATE INDEX checkpoint_state ON checkpoint (state_id);

CREATE TABLE idempotency (
    idem_key     VARCHAR(255) PRIMARY KEY,
    request_hash VARCHAR(128) NOT NULL,
    status       INTEGER      NOT NULL,
    headers      TEXT         NOT NULL,
    body         BYTEA,
    created_at   BIGINT       NOT NULL
);
CREATE INDEX idempotency_created ON idempotency (created_at);
