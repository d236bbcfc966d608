-- The optimizer's state as bytes (docs/store.md): the torch.save file of its and its scheduler's state dicts,
-- beside `optimizer`, which keeps the spec and the step count as JSON. Kept identical to the other vendor's
-- V5__optimizer_state.sql but for BLOB vs BYTEA. Rows written before keep the state in `optimizer` as base64,
-- with this column NULL, and read as before: nothing is migrated.
ALTER TABLE state ADD COLUMN optimizer_state BLOB;
