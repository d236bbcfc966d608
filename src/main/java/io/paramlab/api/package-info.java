/**
 * The HTTP API of {@code API.md}: controllers by resource, the one tensor JSON codec
 * ({@link io.paramlab.api.TensorJson}) and the one problem-details advice.
 */
package io.paramlab.api;
