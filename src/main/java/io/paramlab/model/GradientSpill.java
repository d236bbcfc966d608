package io.paramlab.model;

import io.paramlab.nn.Module;
import io.paramlab.tensor.Tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Gradients of evicted models, kept in scratch files so that an evicted model comes back with
 * everything a client could read. They are not durable (as .grad is not in a state_dict): the
 * folder is emptied at start.
 */
final class GradientSpill {
    private final Path folder;

    GradientSpill(Path folder) {
        this.folder = folder;
        try {
            Files.createDirectories(folder);
            try (var files = Files.list(folder)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the scratch folder " + folder, e);
        }
    }

    /** Writes the gradients of {@code root}'s parameters, if any has one. */
    void spill(String id, Module root) {
        Map<String, Tensor> parameters = root.namedParameters();
        if (parameters.values().stream().allMatch(p -> p.grad() == null)) {
            return;
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file(id)), 1 << 16))) {
            for (Tensor p : parameters.values()) {
                float[] grad = p.grad();
                out.writeInt(grad == null ? -1 : grad.length);
                if (grad != null) {
                    for (float g : grad) out.writeFloat(g);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill the gradients of model " + id, e);
        }
    }

    /** An upper bound of the gradient elements spilled for {@code id} (0 without a spill): what restoring them allocates. */
    long elements(String id) {
        try {
            Path file = file(id);
            return Files.exists(file) ? Files.size(file) / Float.BYTES : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spilled gradients of model " + id, e);
        }
    }

    /** Puts spilled gradients back into {@code root}'s parameters; the file stays until {@link #forget}. */
    void restore(String id, Module root) {
        Path file = file(id);
        if (!Files.exists(file)) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (Tensor p : root.namedParameters().values()) {
                int length = in.readInt();
                if (length >= 0) {
                    float[] grad = new float[length];
                    for (int i = 0; i < length; i++) grad[i] = in.readFloat();
                    p.setGrad(grad);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spilled gradients of model " + id, e);
        }
    }

    void forget(String id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String id) {
        return folder.resolve(id + ".grad");
    }
}
