package io.paramlab.api;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole service as a JVM of its own on this test's classpath, on a free port: started with the
 * given arguments and waited for until its readiness probe answers; stopped by SIGKILL or SIGTERM.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the service with {@code -Xmx<heap>} and the given Spring arguments, and waits until it is ready. */
    static ServiceProcess start(String heap, List<String> arguments) throws Exception {
        return start(heap, freePort(), arguments);
    }

    /**
     * The same on a given port: a service started again at its address is known to the other instances
     * of a shared store as the one it replaces ({@code paramlab.instance.url}).
     */
    static ServiceProcess start(String heap, int port, List<String> arguments) throws Exception {
        Path log = Files.createTempFile("paramlab-service", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError",
                // C1 only: a short-lived service on a busy machine starts in half the CPU time
                "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.paramlab.ParamlabApplication",
                "--server.port=" + port, "--spring.main.banner-mode=off", "--paramlab.instance.url=http://localhost:" + port));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess service = new ServiceProcess(process, log, port);
        service.awaitReady();
        return service;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        HttpRequest readiness = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(5)).build();
        while (true) {
            assertThat(process.isAlive()).as("service exited:\n%s", tail()).isTrue();
            try {
                if (CLIENT.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(System.nanoTime()).as("service did not start:\n%s", tail()).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    int port() {
        return port;
    }

    /** {@code http://localhost:<port>/api/v1} */
    String base() {
        return "http://localhost:" + port + "/api/v1";
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful shutdown, nothing flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed service exits").isTrue();
    }

    /** SIGTERM: Spring's graceful shutdown lets in-flight requests finish. */
    void terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("service stops on SIGTERM:\n%s", tail()).isTrue();
    }

    /** The service's whole log so far. */
    String log() throws IOException {
        return Files.readString(log);
    }

    /** The last lines of the service's log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
        Files.deleteIfExists(log);
    }
}
