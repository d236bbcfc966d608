package io.paramlab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A second process on the same data folder refuses to open it, saying why; the folder is free once the first lets go. */
class SecondProcessLockTest {
    static {
        StoreFixtures.quietLogs();
    }

    @TempDir
    Path dataDir;

    @Test
    void secondProcessRefusesTheFolderAndSaysWhy() throws Exception {
        try (EmbeddedDatabase first = EmbeddedDatabase.open(dataDir)) {
            Process second = ChildJvm.start("128m", "open", dataDir);
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String errors = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.exitValue()).as(errors).isEqualTo(3);
            assertThat(errors).contains("the data folder " + first.dataDir() + " is in use by another paramlab process")
                    .contains("pid " + ProcessHandle.current().pid())
                    .contains("PARAMLAB_DATA_DIR");
        }
        Process later = ChildJvm.start("128m", "open", dataDir);
        assertThat(later.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(later.exitValue()).isZero();
        assertThat(new String(later.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("opened ");
    }
}
