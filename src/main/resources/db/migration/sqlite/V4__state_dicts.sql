-- State dicts without a model (API.md, "State dicts without a model"; docs/STORE.md). Kept identical to the
-- other vendor's V4__state_dicts.sql but for BLOB vs BYTEA. A state dict's tensors are a row of `state`
-- (spec '{}') with its state_tensor and tensor_chunk rows, so chunks are shared and reclaimed as for models.
CREATE TABLE state_dict (
    id              VARCHAR(64)  PRIMARY KEY,
    owner           VARCHAR(255),
    name            TEXT,
    version         BIGINT       NOT NULL,
    created_at      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    state_id        VARCHAR(36)  NOT NULL REFERENCES state (id),
    source          VARCHAR(255) NOT NULL,
    -- the uploaded safetensors header (without its length prefix), so a download is the file byte for byte
    header          BLOB,
    tensor_count    INTEGER      NOT NULL,
    parameter_count BIGINT       NOT NULL,
    bytes           BIGINT       NOT NULL
);
CREATE INDEX state_dict_created ON state_dict (created_at, id);
CREATE INDEX state_dict_owner ON state_dict (owner);

CREATE TABLE state_dict_history (
    state_dict_id VARCHAR(64)  NOT NULL REFERENCES state_dict (id),
    version       BIGINT       NOT NULL,
    at            BIGINT       NOT NULL,
    actor         VARCHAR(255) NOT NULL,
    operation     VARCHAR(64)  NOT NULL,
    summary       TEXT,
    PRIMARY KEY (state_dict_id, version)
);
