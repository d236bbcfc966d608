/**
 * The JSON model spec: {@link io.paramlab.spec.SpecParser} reads and validates it into
 * {@link io.paramlab.spec.ModelSpec} records, {@link io.paramlab.spec.SpecSize} measures what it
 * would allocate, {@link io.paramlab.spec.ModuleFactory} builds the module tree in construction
 * order. Input problems are {@link io.paramlab.spec.InvalidInputException} (400) and
 * {@link io.paramlab.spec.LimitExceededException} (413).
 */
package io.paramlab.spec;
