package io.paramlab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A 25M-parameter model (100 MB of floats) is stored and loaded chunk by chunk in a JVM of 512 MB. */
class LargeModelStoreTest {
    @TempDir
    Path dataDir;

    @Test
    void twentyFiveMillionParametersUnderHalfAGigabyteOfHeap() throws Exception {
        Process child = ChildJvm.start("512m", "large", dataDir);
        assertThat(child.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(out + errors).isZero();
        System.out.print(out);
        // 100,000,000 bytes in 4 MiB chunks: 24; the one-element commit adds one (the checkpoint keeps the old one)
        assertThat(out).startsWith("ok chunks 24 then 25;");
    }
}
