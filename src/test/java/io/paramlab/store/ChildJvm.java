package io.paramlab.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link StoreProcess} in a JVM of its own, on this test JVM's classpath. */
final class ChildJvm {
    private ChildJvm() {
    }

    static Process start(String maxHeap, String command, Path dataDir) throws IOException {
        List<String> line = new ArrayList<>();
        line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        line.add("-Xmx" + maxHeap);
        line.add("-cp");
        line.add(System.getProperty("java.class.path"));
        line.add(StoreProcess.class.getName());
        line.add(command);
        line.add(dataDir.toString());
        return new ProcessBuilder(line).start();
    }
}
