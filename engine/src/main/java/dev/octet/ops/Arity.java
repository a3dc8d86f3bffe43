package dev.octet.ops;

/**
 * How many inputs or outputs an operator takes and which of them must be present, as a pattern with one letter
 * per position: {@code r} required, {@code o} optional (an empty name omits it, as in ONNX), and a trailing
 * {@code *} repeating the letter before it any number of times (variadic). {@code "rro"} is Conv's X, W and an
 * optional B; {@code "r*"} is Concat's one or more inputs; {@code ""} takes none. Trailing optional positions
 * may be left out entirely, so the fewest allowed is the position of the last required one plus one.
 */
public record Arity(String pattern) {
    public Arity {
        if (!pattern.matches("[ro]*\\*?") || pattern.equals("*")) {
            throw new IllegalArgumentException("bad arity pattern '" + pattern + "'");
        }
    }

    public boolean variadic() {
        return pattern.endsWith("*");
    }

    private String letters() {
        return variadic() ? pattern.substring(0, pattern.length() - 1) : pattern;
    }

    /** The fewest positions a node may list. */
    public int min() {
        String l = letters();
        return l.lastIndexOf('r') + 1;
    }

    /** The most positions a node may list; {@link Integer#MAX_VALUE} when variadic. */
    public int max() {
        return variadic() ? Integer.MAX_VALUE : pattern.length();
    }

    /** Whether position i (below {@link #max}) must have a non-empty name. */
    public boolean required(int i) {
        String l = letters();
        return l.charAt(Math.min(i, l.length() - 1)) == 'r';
    }

    /** "1", "2 to 3", "at least 1". */
    public String describeCount() {
        if (variadic()) {
            return "at least " + min();
        }
        return min() == max() ? Integer.toString(min()) : min() + " to " + max();
    }
}
