package io.paramlab.formats;

import io.paramlab.nn.TensorData;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Writes our exports of a tied state dict into a folder for bench/check_exports.py to load with
 * real PyTorch and safetensors: tied.safetensors, copies.safetensors, tied.pt, plain.pt, and
 * manifest.json with every value's raw bits and the tied groups.
 */
public final class ExportSamples {
    private ExportSamples() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Map<String, TensorData> sd = RoundTripTest.tiedStateDict(42);
        try (OutputStream out = Files.newOutputStream(dir.resolve("tied.safetensors"))) {
            SafeTensors.write(out, sd, false);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("copies.safetensors"))) {
            SafeTensors.write(out, sd, true);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("tied.pt"))) {
            TorchSave.write(out, sd, Map.of("", Map.of("version", 1), "3", Map.of("version", 2)));
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("plain.pt"))) {
            TorchSave.write(out, sd, null);
        }
        StringJoiner tensors = new StringJoiner(",", "{", "}");
        sd.forEach((k, t) -> {
            StringJoiner bits = new StringJoiner(",", "[", "]");
            for (int i = 0; i < t.numel(); i++) {
                bits.add(Long.toString(t.isFloat() ? Float.floatToRawIntBits(t.floats()[i]) & 0xffffffffL : t.longs()[i]));
            }
            StringJoiner shape = new StringJoiner(",", "[", "]");
            for (int d : t.shape()) {
                shape.add(Integer.toString(d));
            }
            tensors.add(HeaderJson.quote(k) + ":{\"dtype\":\"" + t.dtype() + "\",\"shape\":" + shape + ",\"bits\":" + bits + "}");
        });
        StringJoiner groups = new StringJoiner(",", "[", "]");
        for (List<String> g : Tied.groups(sd)) {
            if (g.size() > 1) {
                StringJoiner keys = new StringJoiner(",", "[", "]");
                g.forEach(k -> keys.add(HeaderJson.quote(k)));
                groups.add(keys.toString());
            }
        }
        Files.writeString(dir.resolve("manifest.json"), "{\"tensors\":" + tensors + ",\"tied\":" + groups + "}\n", StandardCharsets.UTF_8);
    }
}
