package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PyTorch's CPU generator: the numbers are PyTorch 1.13's, as raw float32 bits where they must agree bit for bit. */
class GeneratorTest {

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
        return out;
    }

    @Test
    void randomSeedsStayBelowTwoToThe53SoEveryJsonClientRepeatsThem() {
        for (int i = 0; i < 200; i++) {
            long seed = Generator.withRandomSeed().initialSeed();
            assertThat(seed).isBetween(0L, (1L << 53) - 1);
            assertThat((long) (double) seed).as("exact as a double").isEqualTo(seed);
        }
    }

    @Test
    void uniformIsBitExact() {
        // torch.manual_seed(0); torch.empty(10).uniform_(-2, 3)
        float[] data = new float[10];
        new Generator(0).uniform(data, -2, 3);
        assertThat(bits(data)).containsExactly(new int[] {1056336568, 1072408950, -1077452836, -1079279584, -1091764382, 1066782580, 1055302558, 1075764417, 1049520218, 1066708240});
    }

    @Test
    void drawsStayBitExactAcrossSeveralTwists() {
        // torch.manual_seed(3); torch.empty(2000).uniform_(0, 1)[-5:], as float bits (2000 draws: three twists of 624)
        float[] data = new float[2000];
        new Generator(3).uniform(data, 0, 1);
        assertThat(bits(java.util.Arrays.copyOfRange(data, 1995, 2000)))
                .containsExactly(1027879216, 991510784, 1048867304, 1064037947, 1044216600);
    }

    @Test
    void smallNormalsAreBitExactAndKeepTheCachedSampleAcrossCalls() {
        // torch.manual_seed(1); torch.cat([torch.empty(3).normal_(), torch.empty(3).normal_()])
        Generator generator = new Generator(1);
        float[] first = new float[3];
        float[] second = new float[3];
        generator.normal(first, 0, 1);
        generator.normal(second, 0, 1);
        float[] both = {first[0], first[1], first[2], second[0], second[1], second[2]};
        assertThat(bits(both)).containsExactly(new int[] {1059671648, 1049143879, 1031577931, 1058999975, -1092132808, -1104536053});
    }

    @Test
    void largeNormalsAgreeWithinFloatRounding() {
        // torch.manual_seed(2); torch.empty(37).normal_(1, 2): blocks of 16, the last partial block redrawn
        float[] expected = {-1.0816023349761963f, 2.8332083225250244f, -1.6083807945251465f, -1.2193567752838135f, -1.437556266784668f, 3.3351848125457764f, -1.1147842407226562f, 0.7623212337493896f, -0.815679669380188f, 1.6904444694519043f, -0.1426677703857422f, 0.5297821760177612f, 3.0152103900909424f, -0.5057629346847534f, 0.5500016212463379f, 0.13462793827056885f, -2.0142877101898193f, 0.08287841081619263f, -0.6960012912750244f, 2.053208827972412f, 1.0598323345184326f, 0.9513749480247498f, 0.5292805433273315f, -0.4174189567565918f, -0.7326500415802002f, 0.46873992681503296f, 1.33309006690979f, 2.5821962356567383f, 2.712019443511963f, -0.7157291173934937f, -0.9294662475585938f, 0.8017089366912842f, 0.4012690782546997f, 0.8700504302978516f, -2.1440188884735107f, -1.642148494720459f, -1.0941975116729736f};
        float[] data = new float[37];
        new Generator(2).normal(data, 1, 2);
        for (int i = 0; i < data.length; i++) {
            assertThat((double) data[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void aRestoredSnapshotDrawsTheSameAgain() {
        Generator generator = new Generator(3);
        float[] warm = new float[3];
        generator.normal(warm, 0, 1);   // leaves a cached normal sample behind
        Generator snapshot = generator.copy();
        float[] a = new float[5];
        generator.normal(a, 0, 1);
        generator.restore(snapshot);
        float[] b = new float[5];
        generator.normal(b, 0, 1);
        assertThat(b).containsExactly(a);
    }

    @Test
    void aRandomSeedIsReportedAndReproduces() {
        Generator random = Generator.withRandomSeed();
        float[] a = new float[4];
        random.uniform(a, 0, 1);
        float[] b = new float[4];
        new Generator(random.initialSeed()).uniform(b, 0, 1);
        assertThat(b).containsExactly(a);
    }

    @Test
    void stateBytesContinueTheSameDrawsWithTheCachedNormal() {
        Generator generator = new Generator(7);
        generator.normal(new float[3], 0, 1);   // odd count: a cached sine sample is pending
        generator.uniform(new float[700], 0, 1);   // past one twist of the 624 words
        byte[] state = generator.state();
        Generator restored = new Generator(0);
        restored.restore(state);
        assertThat(restored.initialSeed()).isEqualTo(7);
        float[] expected = new float[5];
        float[] actual = new float[5];
        generator.normal(expected, 0, 1);
        restored.normal(actual, 0, 1);
        assertThat(bits(actual)).containsExactly(bits(expected));
        assertThat(restored.state()).isEqualTo(generator.state());
    }

    @Test
    void restoreRefusesBytesThatAreNotAState() {
        Generator generator = new Generator(3);
        byte[] before = generator.state();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> generator.restore(new byte[10]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(generator.state()).isEqualTo(before);
    }

    /**
     * The block draws give the same words as one draw at a time, and dropout's masks from them are the
     * element-by-element {@code nextDouble() < keep ? scale : 0}: from an odd position (a pair straddling
     * a twist), across blocks, with keeps whose product with 2^53 is and is not a whole number.
     */
    @Test
    void blockDrawsAndBernoulliMasksEqualTheOneByOneDraws() {
        Generator words = new Generator(5);
        Generator one = new Generator(5);
        int[] block = new int[1500];
        words.nextUint32s(block, 0, 1500);
        for (int w : block) assertThat(w).isEqualTo(one.nextUint32());
        for (double keep : new double[] {0.9, 1 - 0.45, 1.0 / 3, 0.5, 1e-17, 1 - 1e-16}) {
            Generator bulk = new Generator(17);
            Generator single = new Generator(17);
            bulk.nextUint32();
            single.nextUint32();
            float scale = 1f / (float) keep;
            float[] mask = new float[2 * 624 + 1031];
            bulk.bernoulliMask(mask, 0, mask.length, keep, scale);
            for (int i = 0; i < mask.length; i++) {
                assertThat(mask[i]).as("keep %s, element %d", keep, i).isEqualTo(single.nextDouble() < keep ? scale : 0f);
            }
            assertThat(bulk.nextUint32()).isEqualTo(single.nextUint32());
        }
        // a draw exactly at the threshold: 53 bits equal to keep * 2^53 must be dropped (u < keep is false)
        Generator edge = new Generator(23);
        long first = edge.copy().nextUint64() & ((1L << 53) - 1);
        double keepAtDraw = first * 0x1p-53;
        float[] m = new float[1];
        edge.copy().bernoulliMask(m, 0, 1, keepAtDraw, 2f);
        assertThat(m[0]).isEqualTo(0f);
        edge.bernoulliMask(m, 0, 1, Math.nextUp(keepAtDraw), 2f);
        assertThat(m[0]).isEqualTo(2f);
    }
}
