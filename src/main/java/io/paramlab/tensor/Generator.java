package io.paramlab.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * PyTorch's CPU generator, bit for bit: mt19937 seeded with the seed's low 32 bits, float32
 * uniforms from the low 24 bits of one draw, and normals on PyTorch's two paths (a scalar
 * Box-Muller with a cached second sample below 16 elements, blocks of 16 from 16 elements on).
 */
public final class Generator {
    private static final int N = 624;
    private static final int M = 397;
    private static final float TWO_POW_MINUS_24 = 1f / (1 << 24);
    private static final double TWO_POW_MINUS_53 = 1.0 / (1L << 53);

    private final int[] state = new int[N];
    private final int[] tempered = new int[N];   // the draws of the current state, tempered all at once by twist()
    private final int[] twistAhead = new int[N];   // twist()'s scratch rows
    private final int[] twistFar = new int[N];
    private int next;
    private long seed;
    private Double cachedNormal;   // the sine sample of the last scalar Box-Muller, as PyTorch keeps it

    public Generator(long seed) {
        manualSeed(seed);
    }

    /** Random seeds are drawn below this, so a JSON client that reads numbers as doubles repeats them exactly. */
    public static final long RANDOM_SEED_BOUND = 1L << 53;

    /** A generator started from a random seed in [0, 2^53), as a fresh process; {@link #initialSeed()} reports it. */
    public static Generator withRandomSeed() {
        return new Generator(new SecureRandom().nextLong(RANDOM_SEED_BOUND));
    }

    public long initialSeed() {
        return seed;
    }

    /** {@code torch.manual_seed(seed)}. */
    public void manualSeed(long seed) {
        this.seed = seed;
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
        }
        next = N;
        cachedNormal = null;
    }

    /** One 32-bit draw (read it as unsigned). */
    public int nextUint32() {
        if (next >= N) {
            twist();
        }
        return tempered[next++];
    }

    /**
     * The standard twist, in runs whose loops read every array at the index they write: C2 (Java 17) does
     * not vectorise a loop that reads one array at two offsets, so {@code s[i + 1]} and {@code s[i + M]}
     * (the latter new words past the first run) are copied first into scratch rows lined up with {@code i}.
     * The same words as the textbook loop ({@code GeneratorTest}), at about a third of its cost.
     */
    private void twist() {
        int[] s = state;
        int[] ahead = twistAhead;
        int[] far = twistFar;
        System.arraycopy(s, 1, ahead, 0, N - 1);             // ahead[i] = old s[i + 1]
        System.arraycopy(s, M, far, 0, N - M);               // far[i] = old s[i + M]
        twistRun(s, ahead, far, 0, N - M);
        System.arraycopy(s, 0, far, N - M, N - M);           // far[i] = new s[i + M - N]
        twistRun(s, ahead, far, N - M, 2 * (N - M));
        System.arraycopy(s, N - M, far, 2 * (N - M), N - 1 - 2 * (N - M));
        twistRun(s, ahead, far, 2 * (N - M), N - 1);
        int y = (s[N - 1] & 0x80000000) | (s[0] & 0x7fffffff);
        s[N - 1] = s[M - 1] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        next = 0;
        temper();
    }

    private static void twistRun(int[] s, int[] ahead, int[] far, int from, int to) {
        for (int i = from; i < to; i++) {
            int y = (s[i] & 0x80000000) | (ahead[i] & 0x7fffffff);
            s[i] = far[i] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
        }
    }

    /** mt19937's tempering of every state word, in one loop over whole arrays (which the JIT vectorises). */
    private void temper() {
        int[] s = state;
        int[] t = tempered;
        for (int i = 0; i < N; i++) {
            int y = s[i];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9d2c5680;
            y ^= (y << 15) & 0xefc60000;
            t[i] = y ^ (y >>> 18);
        }
    }

    /** {@code random64()}: two draws, the first the high word. */
    public long nextUint64() {
        long hi = nextUint32() & 0xFFFFFFFFL;
        long lo = nextUint32() & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    /**
     * {@code len} 32-bit draws into {@code out} from {@code offset}, the same words {@link #nextUint32()}
     * would give one by one, copied from the tempered state: what makes dropout's millions of draws cheap.
     */
    public void nextUint32s(int[] out, int offset, int len) {
        while (len > 0) {
            if (next >= N) {
                twist();
            }
            int n = Math.min(N - next, len);
            System.arraycopy(tempered, next, out, offset, n);
            next += n;
            offset += n;
            len -= n;
        }
    }

    /**
     * {@code bernoulli_(keep)} as PyTorch 1.13's CPU kernel draws it, one element after another: an
     * element is kept where its {@link #nextDouble()} is below {@code keep}, and its mask value is then
     * {@code scale}, else 0 (for {@code length} elements from {@code offset}). The comparison is made on the 53 bits themselves ({@code u < keep} exactly
     * when {@code bits < ceil(keep 2^53)}, the product being exact), so the masks are the same as
     * {@code nextDouble() < keep ? scale : 0} element by element, and the generator ends in the same state.
     */
    public void bernoulliMask(float[] mask, int offset, int length, double keep, float scale) {
        long threshold = (long) Math.ceil(keep * (1L << 53));
        int scaleBits = Float.floatToRawIntBits(scale);
        int block = 1024;
        int[] words = new int[2 * Math.min(block, length)];
        for (int start = offset; start < offset + length; start += block) {
            int n = Math.min(block, offset + length - start);
            nextUint32s(words, 0, 2 * n);
            for (int i = 0; i < n; i++) {     // scale where bits < threshold, else +0, without a branch
                long bits = ((long) (words[2 * i] & 0x1FFFFF) << 32) | (words[2 * i + 1] & 0xFFFFFFFFL);
                mask[start + i] = Float.intBitsToFloat(scaleBits & (int) ((bits - threshold) >> 63));
            }
        }
    }

    /** A double uniform on [0, 1) from 53 bits of one 64-bit draw. */
    public double nextDouble() {
        return (nextUint64() & ((1L << 53) - 1)) * TWO_POW_MINUS_53;
    }

    /** A float uniform on [0, 1) from the low 24 bits of one 32-bit draw. */
    private float nextFloat() {
        return (nextUint32() & 0xFFFFFF) * TWO_POW_MINUS_24;
    }

    /** {@code tensor.uniform_(from, to)} on float32, in memory order. */
    public void uniform(float[] data, double from, double to) {
        float a = (float) from;
        float range = (float) to - a;
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.fma(nextFloat(), range, a);   // PyTorch's AVX2 build contracts x * range + from into one FMA
        }
    }

    /** {@code tensor.normal_(mean, std)} on float32. */
    public void normal(float[] data, double mean, double std) {
        if (data.length >= 16) {
            normalFill(data, (float) mean, (float) std);
            return;
        }
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (nextScalarNormal() * std + mean);
        }
    }

    /** PyTorch's normal_distribution<double>: Box-Muller on two 53-bit uniforms, the sine sample kept for next time. */
    private double nextScalarNormal() {
        if (cachedNormal != null) {
            double cached = cachedNormal;
            cachedNormal = null;
            return cached;
        }
        double u1 = nextDouble();
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * Math.sin(theta);
        return r * Math.cos(theta);
    }

    /** PyTorch's normal_fill: all uniforms first, Box-Muller over blocks of 16, the last partial block redrawn. */
    private void normalFill(float[] data, float mean, float std) {
        int size = data.length;
        for (int i = 0; i < size; i++) {
            data[i] = nextFloat();
        }
        for (int i = 0; i + 16 <= size; i += 16) {
            normalFill16(data, i, mean, std);
        }
        if (size % 16 != 0) {
            int start = size - 16;
            for (int i = 0; i < 16; i++) {
                data[start + i] = nextFloat();
            }
            normalFill16(data, start, mean, std);
        }
    }

    private static void normalFill16(float[] data, int offset, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1 - data[offset + j];
            float u2 = data[offset + j + 8];
            float radius = (float) Math.sqrt(-2 * (float) Math.log(u1));
            float theta = (float) (2.0 * Math.PI * u2);
            data[offset + j] = Math.fma(radius * (float) Math.cos(theta), std, mean);
            data[offset + j + 8] = Math.fma(radius * (float) Math.sin(theta), std, mean);
        }
    }

    public Generator copy() {
        Generator copy = new Generator(seed);
        copy.restore(this);
        return copy;
    }

    public void restore(Generator snapshot) {
        System.arraycopy(snapshot.state, 0, state, 0, N);
        System.arraycopy(snapshot.tempered, 0, tempered, 0, N);
        next = snapshot.next;
        seed = snapshot.seed;
        cachedNormal = snapshot.cachedNormal;
    }

    private static final byte STATE_FORMAT = 1;
    /** format byte, seed, next, 624 state words, a flag and the cached normal. */
    private static final int STATE_BYTES = 1 + 8 + 4 + 4 * N + 1 + 8;

    /** The whole state as bytes (little-endian), for the store: {@link #restore(byte[])} continues the same draws. */
    public byte[] state() {
        ByteBuffer out = ByteBuffer.allocate(STATE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.put(STATE_FORMAT).putLong(seed).putInt(next);
        for (int word : state) {
            out.putInt(word);
        }
        out.put((byte) (cachedNormal != null ? 1 : 0)).putDouble(cachedNormal != null ? cachedNormal : 0.0);
        return out.array();
    }

    /** Sets the state written by {@link #state()}; a blob of another length or format is refused before any change. */
    public void restore(byte[] bytes) {
        if (bytes.length != STATE_BYTES || bytes[0] != STATE_FORMAT) {
            throw new IllegalArgumentException("not a generator state: " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        in.get();
        long newSeed = in.getLong();
        int newNext = in.getInt();
        if (newNext < 0 || newNext > N) {
            throw new IllegalArgumentException("not a generator state: position " + newNext);
        }
        for (int i = 0; i < N; i++) {
            state[i] = in.getInt();
        }
        seed = newSeed;
        next = newNext;
        temper();
        boolean cached = in.get() != 0;
        double normal = in.getDouble();
        cachedNormal = cached ? normal : null;
    }
}
