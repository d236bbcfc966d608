/**
 * Spectra: heavy-tailed self-regularization per layer (Martin and Mahoney), as API.md's "Spectra"
 * defines it and WeightWatcher computes it. {@link io.paramlab.nn.spectra.Spectra#compute} turns
 * candidates (name, shape, dtype, a tied flag and a reader of float64 values) into the analysed
 * layers, the skipped ones and the summary; {@link io.paramlab.nn.spectra.PowerLawFit} is
 * WeightWatcher's default fit ({@code WWFit}); {@link io.paramlab.nn.spectra.SingularValues} is
 * LAPACK's {@code dgesdd} through dev.ludovic.netlib (OpenBLAS by JNI, its Java fallback otherwise).
 *
 * <p>It lives under {@code nn} because it is a reading of weights beside {@link io.paramlab.nn.TensorStats}
 * (whose histogram it shares) and serves every layer above {@code nn} alike: the model resource
 * hands it a module's parameters, the state-dict resource its stored tensors, both as plain
 * candidates, so it knows neither. Like the rest of {@code nn} it has no Spring: it checks the work
 * against a budget it is given before any singular value, and the request's {@link io.paramlab.tensor.Deadline}
 * between matrices.
 */
package io.paramlab.nn.spectra;
