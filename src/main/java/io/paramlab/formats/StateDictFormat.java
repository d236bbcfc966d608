package io.paramlab.formats;

import java.util.Locale;

/** The three ways a state dict travels: {@code ?format=json|safetensors|pt}. */
public enum StateDictFormat {
    JSON("application/json", ".json"),
    SAFETENSORS("application/octet-stream", ".safetensors"),
    PT("application/octet-stream", ".pt");

    private final String mediaType;
    private final String fileExtension;

    StateDictFormat(String mediaType, String fileExtension) {
        this.mediaType = mediaType;
        this.fileExtension = fileExtension;
    }

    public String mediaType() {
        return mediaType;
    }

    public String fileExtension() {
        return fileExtension;
    }

    /** The format named by {@code ?format=}; null for an unknown name, so the caller can answer 400. */
    public static StateDictFormat fromQuery(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "json": return JSON;
            case "safetensors": return SAFETENSORS;
            case "pt": return PT;
            default: return null;
        }
    }

    /**
     * Which binary format a body is, from its first bytes: a zip local-file header
     * ({@code PK\3\4}) is torch.save, anything else safetensors.
     */
    public static StateDictFormat sniffBinary(byte[] head, int length) {
        boolean zip = length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        return zip ? PT : SAFETENSORS;
    }
}
