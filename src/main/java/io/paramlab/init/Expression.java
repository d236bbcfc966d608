package io.paramlab.init;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The small arithmetic language of custom policies, over one variable {@code w}: numbers,
 * {@code + - * /}, comparisons giving 1 or 0, parentheses and the functions abs sign min max
 * sqrt exp log clamp where. A hand-written recursive-descent parser builds a tree of float32
 * operations; nothing here can reach Java code, reflection or a general-purpose evaluator.
 */
public final class Expression {
    public static final int MAX_LENGTH = 1000;
    public static final int MAX_DEPTH = 100;

    private final String text;
    private final Node root;
    private final int size;

    private Expression(String text, Node root, int size) {
        this.text = text;
        this.root = root;
        this.size = size;
    }

    public static Expression parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new ExpressionSyntaxException("expression longer than " + MAX_LENGTH + " characters", MAX_LENGTH);
        }
        Parser parser = new Parser(text);
        Node root = parser.parseAll();
        return new Expression(text, root, parser.nodes);
    }

    /** Operations evaluated per element (operators, functions, numbers and w): the work limit's measure. */
    public int size() {
        return size;
    }

    public String text() {
        return text;
    }

    /** The value for one element, in float32 as PyTorch computes on a float tensor. */
    public float apply(float w) {
        return root.eval(w);
    }

    @Override
    public String toString() {
        return text;
    }

    @FunctionalInterface
    private interface Node {
        float eval(float w);
    }

    private static float bool(boolean b) {
        return b ? 1f : 0f;
    }

    private record Function(int arity, java.util.function.Function<Node[], Node> build) {
    }

    private static final Map<String, Function> FUNCTIONS = Map.of(
            "abs", new Function(1, a -> w -> Math.abs(a[0].eval(w))),
            "sign", new Function(1, a -> w -> Math.signum(a[0].eval(w))),
            "sqrt", new Function(1, a -> w -> (float) Math.sqrt(a[0].eval(w))),
            "exp", new Function(1, a -> w -> (float) Math.exp(a[0].eval(w))),
            "log", new Function(1, a -> w -> (float) Math.log(a[0].eval(w))),
            "min", new Function(2, a -> w -> Math.min(a[0].eval(w), a[1].eval(w))),
            "max", new Function(2, a -> w -> Math.max(a[0].eval(w), a[1].eval(w))),
            "clamp", new Function(3, a -> w -> Math.min(Math.max(a[0].eval(w), a[1].eval(w)), a[2].eval(w))),
            "where", new Function(3, a -> w -> a[0].eval(w) != 0f ? a[1].eval(w) : a[2].eval(w)));

    /** expr := comparison; comparison := sum (op sum)*; sum := product ((+|-) product)*; product := unary ((*|/) unary)*. */
    private static final class Parser {
        private final String s;
        private int pos;
        private int depth;
        private int nodes;

        Parser(String s) {
            this.s = s;
        }

        Node parseAll() {
            Node node = comparison();
            skipSpaces();
            if (pos < s.length()) {
                throw error("unexpected '" + Character.toString(s.codePointAt(pos)) + "'");
            }
            return node;
        }

        private Node comparison() {
            Node left = sum();
            while (true) {
                skipSpaces();
                String op = peekComparison();
                if (op == null) return left;
                pos += op.length();
                nodes++;
                Node a = left;
                Node b = sum();
                left = switch (op) {
                    case "<=" -> w -> bool(a.eval(w) <= b.eval(w));
                    case ">=" -> w -> bool(a.eval(w) >= b.eval(w));
                    case "==" -> w -> bool(a.eval(w) == b.eval(w));
                    case "!=" -> w -> bool(a.eval(w) != b.eval(w));
                    case "<" -> w -> bool(a.eval(w) < b.eval(w));
                    default -> w -> bool(a.eval(w) > b.eval(w));
                };
            }
        }

        private String peekComparison() {
            for (String op : List.of("<=", ">=", "==", "!=", "<", ">")) {
                if (s.startsWith(op, pos)) return op;
            }
            return null;
        }

        private Node sum() {
            Node left = product();
            while (true) {
                skipSpaces();
                if (pos >= s.length() || (s.charAt(pos) != '+' && s.charAt(pos) != '-')) return left;
                char op = s.charAt(pos++);
                nodes++;
                Node a = left;
                Node b = product();
                left = op == '+' ? w -> a.eval(w) + b.eval(w) : w -> a.eval(w) - b.eval(w);
            }
        }

        private Node product() {
            Node left = unary();
            while (true) {
                skipSpaces();
                if (pos >= s.length() || (s.charAt(pos) != '*' && s.charAt(pos) != '/')) return left;
                char op = s.charAt(pos++);
                nodes++;
                Node a = left;
                Node b = unary();
                left = op == '*' ? w -> a.eval(w) * b.eval(w) : w -> a.eval(w) / b.eval(w);
            }
        }

        private Node unary() {
            skipSpaces();
            if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
                char op = s.charAt(pos++);
                nodes++;
                Node operand = nested(this::unary);
                return op == '-' ? w -> -operand.eval(w) : operand;
            }
            return primary();
        }

        private Node primary() {
            skipSpaces();
            if (pos >= s.length()) {
                throw error("unexpected end of expression");
            }
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                Node inner = nested(this::comparison);
                expect(')');
                return inner;
            }
            if (Character.isDigit(c) || c == '.') {
                return number();
            }
            if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(start, pos);
                nodes++;
                if (name.equals("w")) {
                    return w -> w;
                }
                Function f = FUNCTIONS.get(name);
                if (f == null) {
                    pos = start;
                    throw error("unknown name '" + name + "' (the variable is w; functions: abs, sign, min, max, sqrt, exp, log, clamp, where)");
                }
                return call(name, f, start);
            }
            throw error("unexpected '" + c + "'");
        }

        private Node call(String name, Function f, int start) {
            skipSpaces();
            expect('(');
            List<Node> args = new ArrayList<>();
            skipSpaces();
            if (pos < s.length() && s.charAt(pos) != ')') {
                args.add(nested(this::comparison));
                skipSpaces();
                while (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    args.add(nested(this::comparison));
                    skipSpaces();
                }
            }
            expect(')');
            if (args.size() != f.arity()) {
                int at = pos;
                pos = start;
                ExpressionSyntaxException e = error(name + "() takes " + f.arity() + " argument" + (f.arity() == 1 ? "" : "s")
                        + ", got " + args.size());
                pos = at;
                throw e;
            }
            return f.build().apply(args.toArray(new Node[0]));
        }

        private Node number() {
            int start = pos;
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            }
            String literal = s.substring(start, pos);
            nodes++;
            try {
                float value = Float.parseFloat(literal);
                return w -> value;
            } catch (NumberFormatException e) {
                pos = start;
                throw error("malformed number '" + literal + "'");
            }
        }

        private Node nested(java.util.function.Supplier<Node> rule) {
            if (++depth > MAX_DEPTH) {
                throw error("expression nested deeper than " + MAX_DEPTH + " levels");
            }
            Node node = rule.get();
            depth--;
            return node;
        }

        private void expect(char c) {
            skipSpaces();
            if (pos >= s.length()) {
                throw error("expected '" + c + "' but the expression ended");
            }
            if (s.charAt(pos) != c) {
                throw error("expected '" + c + "' but found '" + Character.toString(s.codePointAt(pos)) + "'");
            }
            pos++;
        }

        private void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        private ExpressionSyntaxException error(String message) {
            return new ExpressionSyntaxException(message, pos);
        }
    }
}
