package io.paramlab.store;

import io.paramlab.ParamlabApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store as the application wires it: embedded SQLite by default, PostgreSQL through spring.datasource.*. */
class StoreInApplicationTest {

    @TempDir
    Path dataDir;

    /** Properties as command-line arguments, above the tests' config/application.properties. */
    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ParamlabApplication.class).web(WebApplicationType.NONE)
                .run(java.util.Arrays.stream(properties).map(property -> "--" + property).toArray(String[]::new));
    }

    @Test
    void embeddedByDefaultInTheDataFolderMigratedAndLocked() {
        try (ConfigurableApplicationContext context = start("paramlab.data-dir=" + dataDir)) {
            assertThat(dataDir.resolve(EmbeddedDatabase.DATABASE_FILE)).exists();
            assertThat(dataDir.resolve(EmbeddedDatabase.LOCK_FILE)).exists();
            ModelStore store = context.getBean(ModelStore.class);
            store.create(new ModelRecord("m1", null, StoreFixtures.state("net", 1)), new Change("anonymous", "create", ""));
            assertThat(store.load("m1")).isPresent();
            JdbcClient jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("PRAGMA synchronous").query(Integer.class).single()).isEqualTo(2);

            assertThatThrownBy(() -> start("paramlab.data-dir=" + dataDir))
                    .rootCause().hasMessageContaining("is in use by another paramlab process");
        }
        try (ConfigurableApplicationContext again = start("paramlab.data-dir=" + dataDir)) {
            assertThat(again.getBean(ModelStore.class).load("m1")).as("outlives the context").isPresent();
        }
    }

    @Test
    void postgresqlThroughSpringDatasourceSettings() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            try (ConfigurableApplicationContext context = start("spring.datasource.url=" + url,
                    "paramlab.data-dir=" + dataDir)) {
                ModelStore store = context.getBean(ModelStore.class);
                store.create(new ModelRecord("m1", null, StoreFixtures.state("net", 1)), new Change("anonymous", "create", ""));
                ModelStoreContract.assertSameState(store.load("m1").orElseThrow().state(), StoreFixtures.state("net", 1));
                assertThat(Files.exists(dataDir.resolve(EmbeddedDatabase.LOCK_FILE))).as("no embedded store").isFalse();
            }
        }
    }
}
