package io.paramlab.ops;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's walkthrough and the docs' runnable examples, run as printed: every {@code sh test} block of
 * {@code README.md} and {@code docs/*.md} goes to bash (one process per file, {@code PORT} exported) against a
 * fresh service on a random port, and what it prints is compared with the block's {@code # ...} lines
 * ({@link DocExamples} says how). Needs bash, curl and jq; skipped, saying which is missing, without them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReadmeWalkthroughTest {
    @LocalServerPort
    int port;

    @BeforeAll
    static void toolsArePresent() {
        for (String tool : List.of("bash", "curl", "jq")) {
            assumeTrue(onPath(tool), tool + " is not on the PATH: the documentation's examples need bash, curl and jq");
        }
    }

    @Test
    void theReadmeHasAWalkthroughToRun() throws IOException {
        DocExamples readme = DocExamples.parse(Files.readString(Path.of("README.md")));
        assertThat(readme.blocks()).as("sh test blocks in README.md").hasSizeGreaterThanOrEqualTo(8);
        assertThat(readme.blocks().get(0).script()).contains("PORT");
    }

    @TestFactory
    Stream<DynamicTest> everyRunnableExampleAnswersAsPrinted() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            DocExamples examples = DocExamples.parse(Files.readString(file));
            if (!examples.blocks().isEmpty()) {
                tests.add(DynamicTest.dynamicTest(file.toString(), () -> run(file, examples)));
            }
        }
        return tests.stream();
    }

    private void run(Path file, DocExamples examples) throws Exception {
        Path work = Files.createTempDirectory("paramlab-doc-");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", examples.script()).directory(work.toFile());
        pb.environment().put("PORT", Integer.toString(port));
        pb.redirectErrorStream(false);
        Path stderr = work.resolve("stderr.txt");
        pb.redirectError(stderr.toFile());
        Process process = pb.start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(file + ": the examples did not finish within 180 s");
        }
        List<List<String>> printed = examples.split(new String(out, StandardCharsets.UTF_8));
        String errors = Files.readString(stderr);
        for (int i = 0; i < examples.blocks().size(); i++) {
            DocExamples.Block block = examples.blocks().get(i);
            List<String> actual = i < printed.size() ? printed.get(i) : List.of();
            if (!DocExamples.matches(block.expected(), actual)) {
                fail(file + ", the block at line " + block.line() + " printed\n  " + String.join("\n  ", actual)
                        + "\nwhere the document says\n  " + String.join("\n  ", block.expected())
                        + (errors.isBlank() ? "" : "\nbash's stderr:\n" + errors));
            }
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
