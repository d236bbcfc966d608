package io.paramlab.store;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

/**
 * The store's beans. Without {@code spring.datasource.url} (or with it empty) the store is the embedded SQLite file in
 * {@code paramlab.data-dir} (its own DataSource, so Boot's backs off); with it, Boot's DataSource
 * (PostgreSQL). Boot's Flyway migrates either from {@code db/migration/{vendor}} before the store is used.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StoreProperties.class)
class StoreConfiguration {

    /** The data folder, read once: a placeholder such as {@code ${random.uuid}} in tests must not change under us. */
    @Bean(destroyMethod = "close")
    @Conditional(Embedded.class)
    EmbeddedDatabase embeddedDatabase(Environment environment) {
        return EmbeddedDatabase.open(Path.of(environment.getProperty("paramlab.data-dir", "./data")));
    }

    @Bean(destroyMethod = "")   // closed with the EmbeddedDatabase, before its lock is released
    @Conditional(Embedded.class)
    DataSource dataSource(EmbeddedDatabase database) {
        return database.dataSource();
    }

    /** This process in the instance table, under a new id at each start. */
    @Bean
    @DependsOnDatabaseInitialization
    LeaseStore leaseStore(DataSource dataSource) {
        return new LeaseStore(dataSource, UUID.randomUUID().toString());
    }

    @Bean
    @DependsOnDatabaseInitialization
    JdbcModelStore modelStore(DataSource dataSource, StoreProperties properties, LeaseStore leases) {
        return new JdbcModelStore(dataSource, properties, Clock.systemUTC(), leases.instanceId());
    }

    @Bean
    @DependsOnDatabaseInitialization
    JobStore jobStore(DataSource dataSource, StoreProperties properties) {
        return new JobStore(dataSource, properties, Clock.systemUTC());
    }

    @Bean
    @DependsOnDatabaseInitialization
    StateDictStore stateDictStore(DataSource dataSource, StoreProperties properties) {
        return new StateDictStore(dataSource, properties, Clock.systemUTC());
    }

    /** The bound on the store work of the service's stop (paramlab.store.shutdown-timeout). */
    @Bean
    StoreShutdown storeShutdown(@Value("${paramlab.store.shutdown-timeout:5s}") Duration timeout) {
        return new StoreShutdown(timeout);
    }

    /** Chunks left unreferenced by a crash between a write and its sweep go at start. */
    @Bean
    ApplicationRunner reclaimUnreferencedChunks(JdbcModelStore store) {
        return arguments -> store.reclaimUnreferencedChunks();
    }

    static final class Embedded implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
