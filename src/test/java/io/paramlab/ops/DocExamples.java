package io.paramlab.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runnable examples of a Markdown file and how their printed answers are compared.
 *
 * <p>A runnable block is fenced with the info string {@code sh test}. Its lines starting with {@code #}
 * (a lone {@code #}, or {@code # } and text) are the answers the commands before them print; every other
 * line is bash. The blocks of one file run in one bash process, in order, so a variable set in one block
 * is there in the next. The comparison is line by line, with three allowances:
 * <ul>
 *   <li>an expected line {@code ...} stands for any number of printed lines (none included);</li>
 *   <li>{@code …} (one character, U+2026) inside an expected line stands for any text, e.g. an id;</li>
 *   <li>numbers are compared as numbers: equal when {@code |a - b| <= 1e-5 + 1e-4 |b|} (the conformance
 *       cases' tolerance), so {@code 0.36264318} matches {@code 0.36264312}, and {@code 1} matches {@code 1.0}.</li>
 * </ul>
 * Everything else (spaces, brackets, names) must be printed exactly.
 */
record DocExamples(List<Block> blocks) {
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;
    private static final Pattern FENCE = Pattern.compile("(?ms)^```sh test[ \\t]*\\n(.*?)^```[ \\t]*$");
    private static final String NUMBER = "-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?";
    private static final Pattern NUMBER_OR_ELLIPSIS = Pattern.compile(NUMBER + "|…");

    /** One fenced block: its bash text, and the lines it must print. */
    record Block(int line, String script, List<String> expected) {}

    static DocExamples parse(String markdown) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        while (m.find()) {
            int line = 1 + (int) markdown.substring(0, m.start()).chars().filter(c -> c == '\n').count();
            List<String> expected = new ArrayList<>();
            for (String l : m.group(1).split("\n", -1)) {
                if (l.equals("#")) {
                    expected.add("");
                } else if (l.startsWith("# ")) {
                    expected.add(l.substring(2));
                }
            }
            blocks.add(new Block(line, m.group(1), expected));
        }
        return new DocExamples(List.copyOf(blocks));
    }

    /** One bash script for all blocks, each block's output preceded by a marker line. */
    String script() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < blocks.size(); i++) {
            s.append("echo '").append(marker(i)).append("'\n").append(blocks.get(i).script()).append('\n');
        }
        return s.toString();
    }

    static String marker(int i) {
        return "@@paramlab-doc-block-" + i + "@@";
    }

    /** The printed lines of each block, split at the markers. */
    List<List<String>> split(String stdout) {
        List<List<String>> out = new ArrayList<>();
        List<String> current = null;
        for (String l : stdout.split("\n", -1)) {
            if (l.equals(marker(out.size()))) {
                current = new ArrayList<>();
                out.add(current);
            } else if (current != null) {
                current.add(l);
            }
        }
        for (List<String> lines : out) {
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
        }
        return out;
    }

    /** Whether the printed lines match the expected ones, {@code ...} lines standing for any run of lines. */
    static boolean matches(List<String> expected, List<String> actual) {
        return matches(expected, 0, actual, 0);
    }

    private static boolean matches(List<String> expected, int e, List<String> actual, int a) {
        if (e == expected.size()) {
            return a == actual.size();
        }
        if (expected.get(e).strip().equals("...")) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matches(expected, e + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && lineMatches(expected.get(e), actual.get(a)) && matches(expected, e + 1, actual, a + 1);
    }

    /** One line: literal text exactly, {@code …} as any text, numbers within the tolerance. */
    static boolean lineMatches(String expected, String actual) {
        StringBuilder regex = new StringBuilder();
        List<Double> numbers = new ArrayList<>();
        Matcher m = NUMBER_OR_ELLIPSIS.matcher(expected);
        int at = 0;
        while (m.find()) {
            regex.append(Pattern.quote(expected.substring(at, m.start())));
            if (m.group().equals("…")) {
                regex.append(".*?");
            } else {
                regex.append('(').append(NUMBER).append(')');
                numbers.add(Double.parseDouble(m.group()));
            }
            at = m.end();
        }
        regex.append(Pattern.quote(expected.substring(at)));
        Matcher got = Pattern.compile(regex.toString()).matcher(actual);
        if (!got.matches()) {
            return false;
        }
        for (int i = 0; i < numbers.size(); i++) {
            double want = numbers.get(i);
            double have = Double.parseDouble(got.group(i + 1));
            if (!(Math.abs(have - want) <= ATOL + RTOL * Math.abs(want))) {
                return false;
            }
        }
        return true;
    }
}
