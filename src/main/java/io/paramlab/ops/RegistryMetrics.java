package io.paramlab.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.paramlab.model.ModelRegistry;
import org.springframework.stereotype.Component;

/**
 * What the service holds, read at each scrape: {@code paramlab.models.held} (live models) and
 * {@code paramlab.parameters.held} (parameter elements, the budget of paramlab.limits.max-total-parameters).
 * In Prometheus: paramlab_models_held and paramlab_parameters_held.
 */
@Component
class RegistryMetrics implements MeterBinder {
    private final ModelRegistry registry;

    RegistryMetrics(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void bindTo(MeterRegistry meters) {
        Gauge.builder("paramlab.models.held", registry, ModelRegistry::modelCount)
                .description("Live models held by the service")
                .strongReference(true)
                .register(meters);
        Gauge.builder("paramlab.parameters.held", registry, ModelRegistry::parametersHeld)
                .description("Parameter elements held by all live models together")
                .strongReference(true)
                .register(meters);
    }
}
