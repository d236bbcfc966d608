package io.paramlab.model;

import io.paramlab.store.EmbeddedDatabase;
import io.paramlab.store.JdbcModelStore;
import io.paramlab.store.StoreProperties;
import org.flywaydb.core.Flyway;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Clock;

/** A real embedded store in a test's folder, migrated as Boot migrates it, and registries over it. */
final class Stores {
    private Stores() {
    }

    static JdbcModelStore sqlite(Path dataDir) {
        return store(open(dataDir));
    }

    /** The folder's database, locked and migrated; closing it is a restart's first half. */
    static EmbeddedDatabase open(Path dataDir) {
        EmbeddedDatabase database = EmbeddedDatabase.open(dataDir);
        Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/migration/sqlite").load().migrate();
        return database;
    }

    static JdbcModelStore store(EmbeddedDatabase database) {
        return new JdbcModelStore(database.dataSource(), StoreProperties.defaults(), Clock.systemUTC());
    }

    /** {@code work} acting as the service itself: outside a request the model layer changes nothing (fails closed). */
    static <T> java.util.function.Supplier<T> asService(java.util.function.Supplier<T> work) {
        return () -> {
            RequestContext.set(RequestContext.SERVICE);
            try {
                return work.get();
            } finally {
                RequestContext.clear();
            }
        };
    }

    static ParamlabLimits limits(long perModel, long total, int models, long activations) {
        return new ParamlabLimits(perModel, total, models, 32, 10_000, DataSize.ofMegabytes(1), activations);
    }
}
