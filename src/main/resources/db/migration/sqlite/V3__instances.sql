-- Several instances on one database (API.md "Several instances", docs/STORE.md). Identical for both databases.
-- The embedded store has one instance: it clears both tables at start and writes only the leases of its creates.

-- A running service instance: where the others forward requests for the models it holds, and until when it is
-- alive (its heartbeat moves expires_at; times in microseconds of the database's clock).
CREATE TABLE instance (
    id         VARCHAR(36)  PRIMARY KEY,
    url        VARCHAR(255) NOT NULL,
    started_at BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL
);

-- Which instance holds a model: the one that keeps its gradients and runs its job. A lease whose instance has
-- expired may be taken by any other; a commit by an instance that no longer holds the model's lease fails.
CREATE TABLE lease (
    model_id    VARCHAR(64) PRIMARY KEY,
    instance_id VARCHAR(36) NOT NULL,
    since       BIGINT      NOT NULL
);
CREATE INDEX lease_instance ON lease (instance_id);
