package io.paramlab.api;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

/** {@link JobStoreFaultsContract} on the embedded SQLite store (one connection: a second writer waits for it in the pool). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(StoreFaults.class)
class SqliteJobStoreFaultsTest extends JobStoreFaultsContract {

    @Override
    protected void untilWaitingOrDone(CompletableFuture<HttpApi.Answer> delete) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!delete.isDone() && System.nanoTime() < deadline) {
            try {
                if (dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean().getThreadsAwaitingConnection() > 0) {
                    return;
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            Thread.onSpinWait();
        }
    }
}
