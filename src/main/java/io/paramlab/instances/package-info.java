/**
 * Several instances on one PostgreSQL (API.md "Several instances"): {@link io.paramlab.instances.Instances}
 * registers this instance, keeps it alive and says which instance holds a model (by the leases of
 * {@link io.paramlab.store.LeaseStore}); {@link io.paramlab.instances.ForwardingFilter} sends a request on a
 * model held elsewhere to its holder. The embedded store has one instance, and neither does anything there.
 */
package io.paramlab.instances;
