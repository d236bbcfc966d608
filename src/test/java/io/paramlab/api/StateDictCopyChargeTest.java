package io.paramlab.api;

import io.paramlab.model.LiveModel;
import io.paramlab.model.ModelRegistry;
import io.paramlab.model.ParamlabLimits;
import io.paramlab.store.EmbeddedDatabase;
import io.paramlab.store.JdbcModelStore;
import io.paramlab.store.StoreProperties;
import io.paramlab.tensor.Allocation;
import io.paramlab.tensor.TensorTooLargeException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.util.unit.DataSize;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue #23 item 3: a JSON state dict answer's copy of the values is charged to the budget in flight
 * before it is made (refused past it), and held there until the request has been answered.
 */
class StateDictCopyChargeTest {
    @TempDir
    Path dataDir;

    @AfterEach
    void unlimited() {
        Allocation.limitInFlight(Long.MAX_VALUE);
        RequestContextHolder.resetRequestAttributes();
        io.paramlab.model.RequestContext.clear();
    }

    @Test
    void theCopyIsChargedBeforeItIsMadeAndHeldUntilTheAnswer() throws InterruptedException {
        // the budget in flight is the JVM's: let a job left running by an earlier test class's service end first
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Allocation.inFlight() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        EmbeddedDatabase database = EmbeddedDatabase.open(dataDir);
        Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/migration/sqlite").load().migrate();
        ModelRegistry registry = new ModelRegistry(new ParamlabLimits(1_000_000, 1_000_000, 10, 32, 10_000, DataSize.ofMegabytes(1),
                1_000_000), new JdbcModelStore(database.dataSource(), StoreProperties.defaults(), Clock.systemUTC()), dataDir);
        io.paramlab.model.RequestContext.set(io.paramlab.model.RequestContext.SERVICE);   // outside a request nobody changes anything
        LiveModel model = registry.create(JsonMapper.builder().build().readTree(
                "{\"model\": {\"type\": \"Linear\", \"in_features\": 100, \"out_features\": 100}}"));   // 10,100 values
        Allocation.limitInFlight(10_000);
        assertThatThrownBy(() -> Views.stateDict(model, "")).isInstanceOf(TensorTooLargeException.InFlight.class);
        assertThat(Allocation.inFlight()).isZero();

        Allocation.limitInFlight(20_000);
        ServletRequestAttributes request = new ServletRequestAttributes(new MockHttpServletRequest("GET", "/api/v1/models/x/state-dict"));
        RequestContextHolder.setRequestAttributes(request);
        assertThat(Views.stateDict(model, "").value()).containsOnlyKeys("weight", "bias");
        assertThat(Allocation.inFlight()).as("held while the answer is written").isEqualTo(10_100);
        request.requestCompleted();
        assertThat(Allocation.inFlight()).isZero();
    }
}
