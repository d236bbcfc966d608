-- Datasets and jobs (API.md "Datasets", "Jobs"). Kept identical in sqlite/ and postgresql/ but for BLOB vs BYTEA.

-- A dataset's tensors are a state (keys "input" and "target") in the state tables: the same chunks, once each.
-- job_id: set for a job's inline data, which no list shows and which goes with the job.
CREATE TABLE dataset (
    id           VARCHAR(36)  PRIMARY KEY,
    name         TEXT,
    size         BIGINT       NOT NULL,
    input_shape  TEXT         NOT NULL,
    target_shape TEXT         NOT NULL,
    target_dtype VARCHAR(16)  NOT NULL,
    bytes        BIGINT       NOT NULL,
    created_at   BIGINT       NOT NULL,
    state_id     VARCHAR(36)  NOT NULL REFERENCES state (id),
    job_id       VARCHAR(36)
);
CREATE INDEX dataset_created ON dataset (created_at, id);

-- A job: its request (data replaced by dataset ids), its progress as last committed with its model, and the
-- shuffling generator as it was at the start of epoch `epoch` (so a resume draws the same batches).
CREATE TABLE job (
    id            VARCHAR(36)  PRIMARY KEY,
    model_id      VARCHAR(64)  NOT NULL REFERENCES model (id),
    seq           BIGINT       NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    request       TEXT         NOT NULL,
    dataset_id    VARCHAR(36)  NOT NULL,
    validation_id VARCHAR(36),
    actor         VARCHAR(255) NOT NULL,
    epoch         INTEGER      NOT NULL,
    step          BIGINT       NOT NULL,
    total_steps   BIGINT       NOT NULL,
    loss          DOUBLE PRECISION,
    generator     BYTEA,
    created_at    BIGINT       NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    error         TEXT,
    UNIQUE (seq)
);
CREATE INDEX job_model ON job (model_id, seq);
CREATE INDEX job_status ON job (status, seq);

-- Per step: the loss and the groups' lrs (a JSON array) that step used.
CREATE TABLE job_step (
    job_id VARCHAR(36)      NOT NULL REFERENCES job (id),
    step   BIGINT           NOT NULL,
    epoch  INTEGER          NOT NULL,
    loss   DOUBLE PRECISION,
    lr     TEXT             NOT NULL,
    PRIMARY KEY (job_id, step)
);

CREATE TABLE job_epoch (
    job_id       VARCHAR(36)      NOT NULL REFERENCES job (id),
    epoch        INTEGER          NOT NULL,
    mean_loss    DOUBLE PRECISION,
    val_loss     DOUBLE PRECISION,
    val_accuracy DOUBLE PRECISION,
    PRIMARY KEY (job_id, epoch)
);
