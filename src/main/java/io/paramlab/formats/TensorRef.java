package io.paramlab.formats;

/**
 * What {@code torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)} stands
 * for, kept as numbers until the storages are read; {@link TorchSave} then makes the TensorData.
 */
record TensorRef(Storage storage, long offset, int[] size, long[] stride) {
}
