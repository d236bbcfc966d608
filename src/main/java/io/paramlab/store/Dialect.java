package io.paramlab.store;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.transaction.TransactionDefinition;

import javax.sql.DataSource;
import java.sql.DatabaseMetaData;
import java.util.Locale;

/**
 * The little that differs between the databases at run time. SQLite has one connection, so nothing
 * runs beside a write and no row lock is needed; PostgreSQL locks the rows a transaction relies on
 * and reads a whole model from one snapshot.
 */
enum Dialect {
    SQLITE("", "", TransactionDefinition.ISOLATION_DEFAULT, "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)", true),
    POSTGRESQL(" FOR KEY SHARE", " FOR UPDATE", TransactionDefinition.ISOLATION_REPEATABLE_READ,
            "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)", false);

    /** Keeps a chunk found by a writer from being swept before the writer's references commit. */
    final String keepChunk;
    /** Holds a model's row while a checkpoint copies its state and numbers itself, or a delete reads what to delete (commits and checkpoints wait). */
    final String keepRow;
    final int readIsolation;
    /** The database's clock in microseconds: leases are timed by it, so the instances' clocks need not agree. */
    final String nowMicros;
    /**
     * Whether a commit sweeps the chunks it left unreferenced in its own transaction (one commit, one fsync):
     * on SQLite no other writer runs beside it. On PostgreSQL the sweep is a transaction of its own after the
     * commit, so a race with a writer that takes one of those chunks again fails the sweep, never the commit.
     */
    final boolean sweepsInCommit;

    Dialect(String keepChunk, String keepRow, int readIsolation, String nowMicros, boolean sweepsInCommit) {
        this.keepChunk = keepChunk;
        this.keepRow = keepRow;
        this.readIsolation = readIsolation;
        this.nowMicros = nowMicros;
        this.sweepsInCommit = sweepsInCommit;
    }

    static Dialect of(DataSource dataSource) {
        String product;
        try {
            product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        } catch (MetaDataAccessException e) {
            throw new IllegalStateException("cannot tell which database the store is on", e);
        }
        String name = product.toLowerCase(Locale.ROOT);
        if (name.contains("sqlite")) {
            return SQLITE;
        }
        if (name.contains("postgres")) {
            return POSTGRESQL;
        }
        throw new IllegalStateException("the store runs on SQLite or PostgreSQL, not on " + product);
    }
}
