/**
 * Operations: what a person or a platform needs to run paramlab, beside its API. The root redirect to
 * the web UI (static files under /ui/, which link to Swagger UI), the registry gauges and the BLAS
 * entry of /actuator/info, the switch to JSON logs.
 * It reads the model registry and the tensor engine; nothing below depends on it.
 */
package io.paramlab.ops;
