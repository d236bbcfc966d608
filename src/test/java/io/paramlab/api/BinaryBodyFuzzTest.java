package io.paramlab.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded mutations of good files (bit flips, truncations, insertions, overwritten words) PUT as
 * state dicts: every answer is a 2xx or a 4xx problem, never a 5xx or a hang, and a refusal
 * leaves the model as it was (checked by a hash of its safetensors export).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class BinaryBodyFuzzTest {
    private static final int MUTATIONS = 1000;

    @LocalServerPort
    int port;

    @ParameterizedTest
    @ValueSource(strings = {"safetensors", "pt"})
    void mutatedFilesAreLoadedOrRefusedCleanly(String format) throws Exception {
        HttpApi api = new HttpApi(port);
        String source = api.create(StateDictFormatsTest.TIED_BN.formatted("source", 11));
        api.post("/models/" + source + "/forward", "{\"input\": " + StateDictFormatsTest.X + "}");
        byte[] good = api.getBytes("/models/" + source + "/state-dict?format=" + format, null).body();
        String target = "/models/" + api.create(StateDictFormatsTest.TIED_BN.formatted("target", 12)) + "/state-dict";
        assertThat(api.putBytes(target, "application/octet-stream", good).status()).isEqualTo(200);
        String expected = hash(api, target);

        Random random = new Random(format.hashCode());
        int loaded = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] file = mutate(good, random);
            // half sniffed from the bytes, half named by the query, so a broken zip header still reaches the pt reader
            String path = target + (i % 2 == 0 ? "" : "?format=" + format);
            HttpApi.Answer answer = api.putBytes(path, "application/octet-stream", file);
            int status = answer.status();
            assertThat(status < 300 || status >= 400 && status < 500).as("mutation %d: %d %s", i, status, answer.body()).isTrue();
            if (status >= 400) {
                assertThat(answer.contentType()).as("mutation %d", i).startsWith("application/problem+json");
                assertThat(hash(api, target)).as("mutation %d changed the model: %s", i, answer.body()).isEqualTo(expected);
            } else {
                loaded++;   // a flip inside a value can be a good file: put the original back
                assertThat(api.putBytes(target, "application/octet-stream", good).status()).isEqualTo(200);
            }
        }
        assertThat(loaded).as("some mutations must be refused").isLessThan(MUTATIONS);
        assertThat(ImportConformanceTest.PWNED).doesNotExist();
    }

    static byte[] mutate(byte[] good, Random random) {
        byte[] file = good.clone();
        // half the mutations land in the first 256 bytes, where the header and the first zip entry are
        int span = random.nextBoolean() ? Math.min(256, file.length) : file.length;
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    int at = random.nextInt(span);
                    file[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> file = Arrays.copyOf(file, random.nextInt(file.length));
            case 2 -> {
                int at = random.nextInt(span + 1);
                byte[] inserted = new byte[1 + random.nextInt(16)];
                random.nextBytes(inserted);
                byte[] longer = new byte[file.length + inserted.length];
                System.arraycopy(file, 0, longer, 0, at);
                System.arraycopy(inserted, 0, longer, at, inserted.length);
                System.arraycopy(file, at, longer, at + inserted.length, file.length - at);
                file = longer;
            }
            default -> {
                // a length, offset or count replaced by an extreme value
                int at = random.nextInt(Math.max(1, span - 8));
                long value = switch (random.nextInt(4)) {
                    case 0 -> 0L;
                    case 1 -> -1L;
                    case 2 -> Long.MAX_VALUE;
                    default -> random.nextInt(1 << 20);
                };
                for (int b = 0; b < 8 && at + b < file.length; b++) {
                    file[at + b] = (byte) (value >>> (8 * b));
                }
            }
        }
        return file;
    }

    private static String hash(HttpApi api, String stateDict) throws Exception {
        HttpApi.Bytes state = api.getBytes(stateDict + "?format=safetensors&tied=copies", null);
        assertThat(state.status()).isEqualTo(200);
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(state.body()));
    }
}
