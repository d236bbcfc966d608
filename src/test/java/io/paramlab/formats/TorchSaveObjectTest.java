package io.paramlab.formats;

import io.paramlab.nn.TensorData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TorchSave#writeObject}: an optimizer's state dict (nested dicts, lists, a tuple, scalars, 0-d tensors) read back as written. */
class TorchSaveObjectTest {

    /** What {@code torch.optim.Adam(...).state_dict()} holds after a step, momentum buffers sharing nothing. */
    static Map<String, Object> adamStateDict() {
        Map<Object, Object> state = new LinkedHashMap<>();
        for (long i = 0; i < 2; i++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", TensorData.ofFloats(new float[] {3f}));
            s.put("exp_avg", TensorData.ofFloats(new float[] {0.5f * i, -1.25f, Float.NaN, 1e-30f}, 2, 2));
            s.put("exp_avg_sq", TensorData.ofFloats(new float[] {0.25f, 2f, 0f, -0f}, 4));
            state.put(i, s);
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 0.001);
        group.put("betas", new PyTuple(List.of(0.9, 0.999)));
        group.put("eps", 1e-08);
        group.put("weight_decay", 0L);
        group.put("amsgrad", false);
        group.put("foreach", null);
        group.put("capturable", true);
        group.put("params", List.of(0L, 1L));
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", state);
        sd.put("param_groups", List.of(group));
        return sd;
    }

    @Test
    void anOptimizerStateDictComesBackAsWritten() throws IOException {
        Map<String, Object> written = adamStateDict();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TorchSave.writeObject(out, written);
        Object read = TorchSave.load(new ByteArrayInputStream(out.toByteArray()), PickleLimits.of(1 << 20));
        assertThat(plain(read)).isEqualTo(plain(written));
        Map<?, ?> group = (Map<?, ?>) ((List<?>) ((Map<?, ?>) read).get("param_groups")).get(0);
        assertThat(group.get("betas")).as("a tuple reads back as an unmodifiable list").isNotInstanceOf(ArrayList.class);
        assertThat(group.get("params")).isInstanceOf(ArrayList.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) ((Map<?, ?>) read).get("state")).keySet())).containsExactly(0L, 1L);
    }

    @Test
    void tuplesOfEverySizeAndLongListsAndDicts() throws IOException {
        List<Object> many = new ArrayList<>();
        Map<Object, Object> big = new LinkedHashMap<>();
        for (long i = 0; i < 2500; i++) {
            many.add(i * 1_000_000_007L);
            big.put("k" + i, i % 2 == 0);
        }
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("empty", new PyTuple(List.of()));
        written.put("one", new PyTuple(List.of("a")));
        written.put("four", new PyTuple(Arrays.asList(1L, 2.5, null, "x")));
        written.put("many", many);
        written.put("big", big);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TorchSave.writeObject(out, written);
        Object read = TorchSave.load(new ByteArrayInputStream(out.toByteArray()), PickleLimits.of(1 << 20));
        assertThat(plain(read)).isEqualTo(plain(written));
    }

    /** Tensors as their shape, dtype and bits, tuples as lists: values comparable with equals. */
    /**
     * A dict whose key is not a string ({@code torch.save({1: t})}) said "entry 1 holds a tensor,
     * not a tensor", for a model's load and for a stored state dict's upload alike.
     */
    @Test
    void aKeyThatIsNotAStringIsNamedAsSuch() throws IOException {
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put(1L, TensorData.ofFloats(new float[] {1f, 2f}, 2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TorchSave.writeObject(out, dict);
        String expected = "entry 1 has an int for its key; a state dict's keys are strings";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TorchSave.read(new ByteArrayInputStream(out.toByteArray()), null, 1 << 20))
                .isInstanceOf(FormatException.class).hasMessage(expected);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TorchSave.readRaw(new ByteArrayInputStream(out.toByteArray()), null, 1 << 20,
                new RawTensors.Sink() {
                    @Override
                    public void layout(List<RawTensors.Tensor> tensors) {
                    }

                    @Override
                    public void data(int position, java.io.InputStream bytes, long length) {
                    }
                })).isInstanceOf(FormatException.class).hasMessage(expected);
    }

    private static Object plain(Object v) {
        if (v instanceof TensorData t) {
            List<Object> bits = new ArrayList<>();
            for (float f : t.floats()) bits.add(Float.floatToRawIntBits(f));
            return List.of(Arrays.toString(t.shape()), t.dtype(), bits);
        }
        if (v instanceof PyTuple t) {
            return plain(t.items());
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, plain(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(plain(x)));
            return out;
        }
        return v;
    }
}
