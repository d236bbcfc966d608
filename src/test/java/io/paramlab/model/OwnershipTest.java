package io.paramlab.model;

import io.paramlab.store.JdbcModelStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ownership fails closed in the model layer: outside a request nobody may change anything, and a write
 * token that does not own a model is refused on every public path of the model services that is not
 * a read, found by reflection, so a path added later without the guard breaks this test.
 */
class OwnershipTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Training mode with a Dropout: its forward draws from the generator, so it is a change. */
    private static final String SPEC = """
            {"seed": 1, "model": {"type": "Sequential", "layers": [
              {"type": "Linear", "in_features": 4, "out_features": 2}, {"type": "Dropout", "p": 0.5}]}}""";
    /** The public methods that only read (or, fork, create a model of the caller's own from a read). */
    private static final Set<String> READS = Set.of("CheckpointOperations.list", "CheckpointOperations.get",
            "CheckpointOperations.state", "CheckpointOperations.stateDict", "CheckpointOperations.fork",
            "TrainingOperations.describe", "TrainingOperations.optimizerStateDict");

    @TempDir
    Path dataDir;
    ModelRegistry registry;
    JdbcModelStore store;
    List<Object> services;

    @BeforeEach
    void start() {
        store = Stores.sqlite(dataDir);
        ParamlabLimits limits = Stores.limits(1_000_000, 10_000_000, 100, 10_000);
        registry = new ModelRegistry(limits, store, dataDir);
        services = List.of(new ModelOperations(registry, limits), new TrainingOperations(registry, limits),
                new CheckpointOperations(registry, store));
    }

    @AfterEach
    void leave() {
        RequestContext.clear();
    }

    @Test
    void outsideARequestNobodyChangesAnything() throws Exception {
        RequestContext.set(new RequestContext("owner", Access.WRITE, null));
        LiveModel model = registry.create(JSON.readTree(SPEC));
        RequestContext.clear();
        CompletableFuture.runAsync(() -> {   // a thread that never set a context, as a pool's thread
            assertThat(RequestContext.current().access()).isEqualTo(Access.READ);
            assertThatThrownBy(() -> registry.create(JSON.readTree(SPEC))).isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> registry.forChange(model.id())).isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> model.change("patch", Footprint.METADATA, () -> null)).isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> registry.delete(model.id())).isInstanceOf(ForbiddenException.class);
        }).get(30, TimeUnit.SECONDS);
        assertThat(RequestContext.current()).isSameAs(RequestContext.NOBODY);
        assertThat(store.history(model.id(), 10)).hasSize(1);
        assertThat(registry.modelCount()).isEqualTo(1);
    }

    @Test
    void aWriterWhoDoesNotOwnTheModelIsRefusedOnEveryMutatingPathAndNothingChanges() throws Exception {
        RequestContext.set(new RequestContext("owner", Access.WRITE, null));
        LiveModel model = registry.create(JSON.readTree(SPEC));
        String checkpoint = ((CheckpointOperations) services.get(2)).create(model.id(), "mine", null).id();
        String before = snapshot(model);

        RequestContext.set(new RequestContext("other", Access.WRITE, null));
        List<String> walked = new ArrayList<>();
        for (Object service : services) {
            for (Method method : service.getClass().getDeclaredMethods()) {
                String name = service.getClass().getSimpleName() + "." + method.getName();
                if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers()) || READS.contains(name)) {
                    continue;
                }
                walked.add(name);
                Object[] arguments = new Object[method.getParameterCount()];
                Class<?>[] types = method.getParameterTypes();
                for (int i = 0; i < arguments.length; i++) {
                    arguments[i] = types[i] == boolean.class ? Boolean.TRUE : null;
                }
                arguments[0] = model.id();
                if (arguments.length > 1 && types[1] == String.class && service instanceof CheckpointOperations) {
                    arguments[1] = checkpoint;
                }
                Throwable thrown = null;
                try {
                    method.invoke(service, arguments);
                } catch (InvocationTargetException e) {
                    thrown = e.getCause();
                }
                assertThat(thrown).as(name + " by a writer who does not own the model").isInstanceOf(ForbiddenException.class);
                assertThat(thrown.getMessage()).as(name).contains("\"other\"").contains("\"owner\"");
            }
        }
        assertThat(walked).contains("CheckpointOperations.create", "CheckpointOperations.delete", "CheckpointOperations.restore",
                "ModelOperations.forward", "ModelOperations.patch", "TrainingOperations.setOptimizer").hasSizeGreaterThanOrEqualTo(16);
        RequestContext.set(new RequestContext("owner", Access.READ, null));
        assertThat(snapshot(model)).as("nothing changed").isEqualTo(before);

        // a fork reads the checkpoint and creates a model the caller owns; the source stays as it was
        RequestContext.set(new RequestContext("other", Access.WRITE, null));
        LiveModel fork = ((CheckpointOperations) services.get(2)).fork(model.id(), checkpoint, "mine now");
        assertThat(fork.owner()).isEqualTo("other");
        assertThat(snapshot(model)).isEqualTo(before);
        RequestContext.set(new RequestContext("admin", Access.ADMIN, null));
        ((CheckpointOperations) services.get(2)).delete(model.id(), checkpoint);   // admin changes anything
    }

    private String snapshot(LiveModel model) {
        return model.version() + " " + store.history(model.id(), 100).size() + " " + store.listCheckpoints(model.id()).size() + " "
                + model.read(() -> {
                    StringBuilder values = new StringBuilder(String.valueOf(model.generator().state().length));
                    model.root().stateDict().forEach((k, v) -> values.append(k).append(java.util.Arrays.toString(v.floats())));
                    return values + " " + java.util.Arrays.hashCode(model.generator().state()) + " " + (model.optimizer() == null);
                });
    }
}
