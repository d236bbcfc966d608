package io.paramlab.optim;

import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Batches and generator state against PyTorch 1.13: {@code DataLoader(TensorDataset(arange(n)),
 * batch_size, shuffle, generator=g, drop_last)} for a few epochs, then
 * {@code torch.randint(0, 2**30, (3,), generator=g)} to see that the same draws were consumed.
 */
class DataLoaderOrderTest {

    @Test
    void randpermIsPyTorchs() {
        assertThat(DataLoaderOrder.randperm(20, new Generator(42)))
                .containsExactly(2, 14, 18, 15, 1, 10, 0, 4, 6, 11, 8, 3, 7, 17, 13, 12, 19, 5, 16, 9);
    }

    @Test
    void shuffledEpochsWithAShortLastBatch() {
        assertEpochs(10, 3, true, false, 612, "[[2, 1, 3], [0, 9, 6], [8, 4, 7], [5]]",
                "[[1, 7, 5], [8, 6, 4], [0, 9, 2], [3]]", "[[5, 1, 4], [8, 0, 2], [9, 7, 6], [3]]");
        assertDrawsAfter(10, 3, true, false, 612, 3, 102845686, 854503386, 209632049);
    }

    @Test
    void dropLastDropsTheShortBatch() {
        assertEpochs(12, 5, true, true, 371, "[[10, 6, 1, 7, 3], [11, 5, 0, 4, 8]]",
                "[[11, 8, 9, 5, 4], [0, 10, 6, 7, 3]]");
        assertDrawsAfter(12, 5, true, true, 371, 2, 371451507, 680048664, 250841783);
        assertThat(new DataLoaderOrder(12, 5, true, true, new Generator(0)).batchesPerEpoch()).isEqualTo(2);
    }

    @Test
    void oneBatchPerEpoch() {
        assertEpochs(7, 7, true, false, 0, "[[0, 1, 5, 6, 2, 3, 4]]", "[[4, 1, 6, 0, 2, 3, 5]]");
        assertDrawsAfter(7, 7, true, false, 0, 2, 305097549, 375363656, 374217481);
    }

    @Test
    void withoutShuffleTheOrderIsSequentialButTheBaseSeedIsStillDrawn() {
        assertEpochs(9, 4, false, false, 5, "[[0, 1, 2, 3], [4, 5, 6, 7], [8]]", "[[0, 1, 2, 3], [4, 5, 6, 7], [8]]");
        assertDrawsAfter(9, 4, false, false, 5, 2, 887852006, 488496246, 724178320);
    }

    @Test
    void aSingleSample() {
        assertEpochs(1, 1, true, false, 9, "[[0]]", "[[0]]");
        assertDrawsAfter(1, 1, true, false, 9, 2, 1055588278, 32397368, 574793467);
    }

    private static void assertEpochs(int n, int batch, boolean shuffle, boolean dropLast, long seed, String... epochs) {
        DataLoaderOrder loader = new DataLoaderOrder(n, batch, shuffle, dropLast, new Generator(seed));
        for (String expected : epochs) {
            List<String> batches = new ArrayList<>();
            loader.nextEpoch().forEach(b -> batches.add(Arrays.toString(b)));
            assertThat(batches.toString()).isEqualTo(expected);
        }
    }

    private static void assertDrawsAfter(int n, int batch, boolean shuffle, boolean dropLast, long seed, int epochs,
                                         long... randint) {
        Generator g = new Generator(seed);
        DataLoaderOrder loader = new DataLoaderOrder(n, batch, shuffle, dropLast, g);
        for (int i = 0; i < epochs; i++) loader.nextEpoch();
        for (long expected : randint) {
            assertThat(Integer.toUnsignedLong(g.nextUint32()) % (1L << 30)).isEqualTo(expected);   // randint(0, 2**30)
        }
    }
}
