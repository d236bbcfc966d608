package io.paramlab.store;

import io.paramlab.formats.RawTensors;
import io.paramlab.formats.StoredDtype;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * An upload's chunks are stored by a thread of their own while the request's thread reads and hashes the
 * next ones (issue #21, "Speed"): the bytes come back as sent, reading goes on while a chunk is being stored,
 * and a failure on either side fails the upload with what was thrown and leaves nothing stored.
 */
abstract class StateDictUploadPipelineContract {
    static final int CHUNK = StoreFixtures.CHUNK_BYTES;

    DataSource dataSource;
    /** Runs before each statement the store prepares, with its SQL: a test's hook into the store thread. */
    volatile Consumer<String> beforeStatement = sql -> { };

    /** A migrated database without rows. */
    protected abstract DataSource emptyDatabase();

    @BeforeEach
    void open() {
        StoreFixtures.quietLogs();
        dataSource = emptyDatabase();
    }

    private StateDictStore store() {
        return new StateDictStore(hooked(dataSource), StoreFixtures.properties(100), Clock.systemUTC());
    }

    /** Three float32 tensors: 5.5 chunks of random bytes, 3 chunks repeating one chunk of the first, an empty one. */
    static List<byte[]> contents() {
        byte[] a = new byte[CHUNK * 11 / 2];
        new Random(7).nextBytes(a);
        byte[] b = new byte[CHUNK * 3];
        for (int i = 0; i < 3; i++) System.arraycopy(a, CHUNK, b, i * CHUNK, CHUNK);
        return List.of(a, b, new byte[0]);
    }

    static List<RawTensors.Tensor> layout(List<byte[]> contents) {
        return java.util.stream.IntStream.range(0, contents.size())
                .mapToObj(i -> new RawTensors.Tensor(i, "t" + i, StoredDtype.FLOAT32, new int[] {contents.get(i).length / 4},
                        contents.get(i).length / 4, null))
                .toList();
    }

    /** An upload that sends {@code contents} through {@code wrap} (an input stream per tensor). */
    static StateDictStore.Upload upload(List<byte[]> contents, java.util.function.BiFunction<Integer, InputStream, InputStream> wrap) {
        return sink -> {
            List<RawTensors.Tensor> tensors = layout(contents);
            sink.layout(tensors);
            for (int i = 0; i < contents.size(); i++) {
                sink.data(i, wrap.apply(i, new ByteArrayInputStream(contents.get(i))), contents.get(i).length);
            }
            return new RawTensors.Read(tensors, null);
        };
    }

    private StateDictStore.Summary upload(StateDictStore store, StateDictStore.Upload upload) {
        return store.upload("sd", "alice", "n", new Change("alice", "create", "uploaded"), parameters -> { }, upload, (s, t) -> { });
    }

    @Test
    void anUploadReadsBackByteForByteWithEachDistinctChunkStoredOnce() throws IOException {
        StateDictStore store = store();
        List<byte[]> contents = contents();
        upload(store, upload(contents, (i, in) -> in));
        StateDictStore.Contents stored = store.contents("sd").orElseThrow();
        for (int i = 0; i < contents.size(); i++) {
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            store.copyTo(stored.stateId(), i, back);
            assertThat(back.toByteArray()).as("tensor %d", i).isEqualTo(contents.get(i));
        }
        // 6 chunks of the first (the last half full); the second's 3 are its second chunk again
        assertThat(count("SELECT COUNT(*) FROM chunk")).isEqualTo(6);
        assertThat(count("SELECT COUNT(*) FROM tensor_chunk")).isEqualTo(9);
        assertThat(store.chunkBytes()).isEqualTo(contents.get(0).length);
        assertThat(uploadThreads()).isEmpty();
    }

    /** With the chunks stored on the request's thread, the reader could not pass chunk 0 before it was stored: this waited 10 s and failed. */
    @Test
    void theNextChunkIsReadWhileOneIsBeingStored() {
        CountDownLatch secondChunkRead = new CountDownLatch(1);
        AtomicInteger storing = new AtomicInteger();
        beforeStatement = sql -> {
            if (sql.startsWith("INSERT INTO chunk") && storing.getAndIncrement() == 0) {
                try {   // the first chunk's insert waits until the reader has read the second chunk
                    assertThat(secondChunkRead.await(10, TimeUnit.SECONDS)).as("the second chunk was read while the first was stored").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        List<byte[]> contents = contents();
        StateDictStore store = store();
        upload(store, upload(contents, (i, in) -> i == 0 ? new CountingInput(in, CHUNK + 1, secondChunkRead) : in));
        assertThat(storing.get()).isEqualTo(6);
        assertThat(count("SELECT COUNT(*) FROM tensor_chunk")).isEqualTo(9);
    }

    @Test
    void aFailureStoringAChunkFailsTheUploadWithItAndLeavesNothing() {
        AtomicInteger inserts = new AtomicInteger();
        beforeStatement = sql -> {
            if (sql.startsWith("INSERT INTO tensor_chunk") && inserts.incrementAndGet() == 3) {
                throw new IllegalStateException("disk full (a test's)");
            }
        };
        StateDictStore store = store();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                assertThatThrownBy(() -> upload(store, upload(contents(), (i, in) -> in)))
                        .hasStackTraceContaining("disk full (a test's)"));
        assertNothingStored(store);
    }

    @Test
    void aBodyCutShortFailsTheUploadAfterTheStoreThreadStoppedAndLeavesNothing() {
        StateDictStore store = store();
        List<byte[]> contents = contents();
        assertThatThrownBy(() -> upload(store, upload(contents, (i, in) -> i == 0
                ? new ByteArrayInputStream(Arrays.copyOf(contents.get(0), CHUNK * 4 + 10)) : in)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("bytes early");
        assertNothingStored(store);
    }

    private void assertNothingStored(StateDictStore store) {
        assertThat(uploadThreads()).isEmpty();
        assertThat(store.find("sd")).isEmpty();
        assertThat(count("SELECT COUNT(*) FROM state")).isZero();
        assertThat(count("SELECT COUNT(*) FROM state_tensor")).isZero();
        assertThat(count("SELECT COUNT(*) FROM tensor_chunk")).isZero();
        assertThat(count("SELECT COUNT(*) FROM chunk")).isZero();
    }

    private static List<String> uploadThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("upload-")).toList();
    }

    private long count(String sql) {
        return org.springframework.jdbc.core.simple.JdbcClient.create(dataSource).sql(sql).query(Long.class).single();
    }

    /** Counts down {@code latch} once {@code after} bytes have been read. */
    static final class CountingInput extends java.io.FilterInputStream {
        private final long after;
        private final CountDownLatch latch;
        private long read;

        CountingInput(InputStream in, long after, CountDownLatch latch) {
            super(in);
            this.after = after;
            this.latch = latch;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (read += n) >= after) {
                latch.countDown();
            }
            return n;
        }
    }

    private DataSource hooked(DataSource target) {
        return proxy(DataSource.class, target, (method, result) -> method.getName().equals("getConnection")
                ? proxy(Connection.class, result, (m, r) -> r, (m, args) -> {
                    if (m.getName().equals("prepareStatement")) {
                        beforeStatement.accept((String) args[0]);
                    }
                })
                : result, (m, args) -> { });
    }

    interface After {
        Object apply(java.lang.reflect.Method method, Object result);
    }

    interface Before {
        void accept(java.lang.reflect.Method method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Object target, After after, Before before) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            before.accept(method, args);
            try {
                return after.apply(method, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
