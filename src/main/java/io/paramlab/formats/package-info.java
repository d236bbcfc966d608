/**
 * State dicts in the files PyTorch users exchange, as pure codecs over streams (no HTTP, no Spring,
 * no Jackson): {@link io.paramlab.formats.SafeTensors} (huggingface/safetensors, tied or copies),
 * {@link io.paramlab.formats.TorchSave} (the zip format of {@code torch.save}, read by a data-only
 * pickle reader with an allowlist of globals, bounded by {@link io.paramlab.formats.PickleLimits}),
 * {@link io.paramlab.formats.StateDictFormat} to choose between them and JSON, raw reads and writes of
 * both files for stored state dicts ({@link io.paramlab.formats.RawTensors}, every
 * {@link io.paramlab.formats.StoredDtype} kept as it is, streamed tensor by tensor), and
 * {@link io.paramlab.formats.FormatException}, a 400 naming the rule a file breaks. Decoded
 * torch.save values are plain Java: {@link io.paramlab.formats.PyDict} (dict and OrderedDict, with
 * attributes), List, String, Long, Double, Boolean, null and {@link io.paramlab.nn.TensorData}.
 */
package io.paramlab.formats;
