/**
 * Where models outlive the process (docs/store.md). The door: {@link io.paramlab.store.ModelStore}
 * with its records ({@link io.paramlab.store.ModelRecord}, {@link io.paramlab.store.ModelState},
 * {@link io.paramlab.store.TensorChanges} (what a commit changed),
 * {@link io.paramlab.store.Change}, {@link io.paramlab.store.ModelSummary},
 * {@link io.paramlab.store.StoredModel}, {@link io.paramlab.store.HistoryEntry},
 * {@link io.paramlab.store.Checkpoint}, {@link io.paramlab.store.Page},
 * {@link io.paramlab.store.IdempotentResponse}) and exceptions
 * ({@link io.paramlab.store.VersionConflictException}, {@link io.paramlab.store.NoSuchModelException},
 * {@link io.paramlab.store.TagTakenException}); {@link io.paramlab.store.JdbcModelStore} is its one
 * implementation, on the embedded SQLite file ({@link io.paramlab.store.EmbeddedDatabase}) or PostgreSQL.
 * {@link io.paramlab.store.StateDictStore} keeps state dicts without a model on the same tables and chunks.
 * {@link io.paramlab.store.StoreShutdown} bounds the store work of the service's stop.
 */
package io.paramlab.store;
