/**
 * The live models and what the API can do with them: {@link io.paramlab.model.ModelRegistry}
 * (create under the configured {@link io.paramlab.model.ParamlabLimits}, find, delete) and
 * {@link io.paramlab.model.LiveModel} (every operation under the model's read-write lock,
 * validated or restored so that a failed request changes nothing), and
 * {@link io.paramlab.model.CheckpointOperations} (checkpoints: take, restore, fork) with
 * {@link io.paramlab.model.StateDiff} (how two state dicts differ).
 */
package io.paramlab.model;
