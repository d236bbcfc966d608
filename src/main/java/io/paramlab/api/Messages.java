package io.paramlab.api;

/** Client input quoted in messages: cut at whole characters, never between the halves of a surrogate pair. */
final class Messages {
    static final int MAX_QUOTED = 40;

    private Messages() {
    }

    /** The text with any unpaired surrogate (half of a character cut elsewhere) replaced by U+FFFD. */
    static String wholeCharacters(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) out.append(c).append(text.charAt(i + 1));
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) out = new StringBuilder(text.length()).append(text, 0, i);
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** The text cut to {@link #MAX_QUOTED} characters (code points), with "..." when cut. */
    static String quoted(String text) {
        if (text.codePointCount(0, text.length()) <= MAX_QUOTED) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, MAX_QUOTED - 3)) + "...";
    }

    /** What a JSON scalar of this Java type is, in a message: "an integer", "true or false"...; null for other types. */
    static String kind(Class<?> type) {
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) return "an integer";
        if (Number.class.isAssignableFrom(type) || type == float.class || type == double.class) return "a number";
        if (type == String.class) return "a string";
        return null;
    }
}
