/**
 * Access control (API.md "Access control"): who the caller is and which role it holds, at the HTTP
 * door. {@link io.paramlab.security.SecurityConfiguration} is the filter chain and its role table;
 * {@link io.paramlab.security.AccessProperties} the named tokens, kept as SHA-256 hashes only;
 * {@link io.paramlab.security.SafeDefaults} the loopback-only open mode and the container's refusal
 * to start open. Ownership and quotas are the model layer's ({@code io.paramlab.model.Ownership}),
 * fed the caller through the servlet request's principal and roles.
 */
package io.paramlab.security;
