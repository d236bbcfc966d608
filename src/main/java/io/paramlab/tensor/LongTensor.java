package io.paramlab.tensor;
public record LongTensor(long[] data, int[] shape) {}
