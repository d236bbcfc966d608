/**
 * The live models and what the API can do with them: {@link io.paramlab.model.ModelRegistry}
 * (create under the configured {@link io.paramlab.model.ParamlabLimits}, find, delete) and
 * {@link io.paramlab.model.LiveModel} (every operation under the model's read-write lock,
 * validated or restored so that a failed request changes nothing), and
 * {@link io.paramlab.model.CheckpointOperations} (checkpoints: take, restore, fork) with
 * {@link io.paramlab.model.StateDiff} (how two state dicts differ). Who may change what is decided
 * here too, whatever endpoint asks: {@link io.paramlab.model.RequestContext} carries the caller's name
 * and {@link io.paramlab.model.Access}, {@link io.paramlab.model.Ownership} checks it (datasets and jobs
 * call the same checks with their owner), and {@link io.paramlab.model.ParamlabQuotas} bounds each owner.
 * State dicts without a model: {@link io.paramlab.model.StateDicts} (the same rules for them),
 * {@link io.paramlab.model.StoredTensors} (their reads, statistics and diffs in float64) and
 * {@link io.paramlab.model.StateDictLimits}.
 */
package io.paramlab.model;
