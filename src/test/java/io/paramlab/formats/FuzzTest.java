package io.paramlab.formats;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Seeded mutations of good files (bit flips, truncations, insertions, header edits): every
 * outcome is a decoded result or a FormatException, never another exception, never slow.
 */
class FuzzTest {
    private static final int MUTATIONS = 1500;
    private static final long MAX_BYTES = 4 << 20;

    interface Reader {
        void read(byte[] file) throws IOException;
    }

    @Test
    void safetensorsMutations() throws Exception {
        ByteArrayOutputStream tied = new ByteArrayOutputStream();
        SafeTensors.write(tied, RoundTripTest.tiedStateDict(7), false);
        byte[] conformance = Files.readAllBytes(ImportConformanceTest.dir().resolve("files/st_bf16_0.safetensors"));
        fuzz(List.of(tied.toByteArray(), conformance), 11, true, file -> SafeTensors.read(new ByteArrayInputStream(file), MAX_BYTES));
    }

    @Test
    void torchSaveMutations() throws Exception {
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        TorchSave.write(ours, RoundTripTest.tiedStateDict(8), Map.of("", Map.of("version", 1)));
        byte[] views = Files.readAllBytes(ImportConformanceTest.dir().resolve("files/pt_views_0.pt"));
        byte[] checkpoint = Files.readAllBytes(ImportConformanceTest.dir().resolve("files/pt_checkpoint_0.pt"));
        fuzz(List.of(ours.toByteArray(), views, checkpoint), 12, false,
                file -> TorchSave.read(new ByteArrayInputStream(file), null, MAX_BYTES));
    }

    /** The pickle itself mutated and zipped again with a right CRC, so the unpickler sees every mutation. */
    @Test
    void pickleMutations() throws Exception {
        byte[] checkpoint = Files.readAllBytes(ImportConformanceTest.dir().resolve("files/pt_checkpoint_0.pt"));
        java.util.zip.ZipFile zip;
        java.nio.file.Path tmp = Files.createTempFile("fuzz", ".pt");
        Files.write(tmp, checkpoint);
        byte[] pickle;
        try {
            zip = new java.util.zip.ZipFile(tmp.toFile());
            pickle = zip.getInputStream(zip.getEntry("archive/data.pkl")).readAllBytes();
            zip.close();
        } finally {
            Files.delete(tmp);
        }
        PickleLimits limits = new PickleLimits(MAX_BYTES, 1 << 16, 50_000, 10_000, 10_000, 32);
        fuzz(List.of(pickle), 13, false, mutated -> {
            try {
                TorchSave.load(new ByteArrayInputStream(zipWith(mutated, checkpoint)), limits);
            } catch (FormatException e) {
                if (e.rule().equals("invalid-zip")) {
                    fail("the re-zipped file should always be a good zip: " + e.getMessage());
                }
                throw e;
            }
        });
    }

    /** The checkpoint's entries with {@code pickle} as data.pkl, written by the JDK (sizes in the header). */
    private static byte[] zipWith(byte[] pickle, byte[] original) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        java.nio.file.Path tmp = Files.createTempFile("fuzz", ".pt");
        Files.write(tmp, original);
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(tmp.toFile()); ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                byte[] data = e.getName().endsWith("data.pkl") ? pickle : zip.getInputStream(e).readAllBytes();
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                copy.setCrc(crc.getValue());
                z.putNextEntry(copy);
                z.write(data);
                z.closeEntry();
            }
        } finally {
            Files.delete(tmp);
        }
        return out.toByteArray();
    }

    private static void fuzz(List<byte[]> seeds, long seed, boolean safetensorsHeader, Reader reader) {
        Random r = new Random(seed);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] file = mutate(seeds.get(i % seeds.size()), r, safetensorsHeader);
                long start = System.nanoTime();
                try {
                    reader.read(file);
                    outcomes[0]++;
                } catch (FormatException e) {
                    assertThat(e.rule()).isNotBlank();
                    assertThat(e.getMessage()).isNotBlank();
                    outcomes[1]++;
                } catch (Throwable t) {
                    throw new AssertionError("mutation " + i + " of seed " + seed + " threw " + t, t);
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ms).as("mutation " + i + " took").isLessThan(2000);
            }
        });
        assertThat(outcomes[0] + outcomes[1]).isEqualTo(MUTATIONS);
        assertThat(outcomes[1]).as("refused").isPositive();
    }

    static byte[] mutate(byte[] good, Random r, boolean safetensorsHeader) {
        byte[] f = good.clone();
        switch (r.nextInt(safetensorsHeader ? 6 : 5)) {
            case 0: // bit flips
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    int at = r.nextInt(f.length);
                    f[at] ^= (byte) (1 << r.nextInt(8));
                }
                return f;
            case 1: // truncation
                return java.util.Arrays.copyOf(f, r.nextInt(f.length));
            case 2: { // insertion
                int at = r.nextInt(f.length + 1);
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] out = new byte[f.length + extra.length];
                System.arraycopy(f, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(f, at, out, at + extra.length, f.length - at);
                return out;
            }
            case 3: { // deletion of a span
                int at = r.nextInt(f.length);
                int n = Math.min(f.length - at, 1 + r.nextInt(16));
                byte[] out = new byte[f.length - n];
                System.arraycopy(f, 0, out, 0, at);
                System.arraycopy(f, at + n, out, at, f.length - at - n);
                return out;
            }
            case 4: { // a byte set to a boundary value
                int at = r.nextInt(f.length);
                f[at] = (byte) new int[]{0, 0xff, 0x7f, 0x80, '.', '(', 'c', 'q'}[r.nextInt(8)];
                return f;
            }
            default: { // header edit: a digit in the JSON header changed, or the length field rewritten
                int n = (int) Math.min(f.length - 8, java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
                if (r.nextBoolean() && n > 0) {
                    for (int tries = 0; tries < 50; tries++) {
                        int at = 8 + r.nextInt(n);
                        if (Character.isDigit(f[at])) {
                            f[at] = (byte) ('0' + r.nextInt(10));
                            break;
                        }
                    }
                } else {
                    long v = new long[]{0, 7, n - 1, n + 1, f.length, -1, 1L << 40}[r.nextInt(7)];
                    java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v);
                }
                return f;
            }
        }
    }
}
