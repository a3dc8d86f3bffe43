package dev.octet.api;

/**
 * One dimension of a tensor's shape as the model declares or infers it: a fixed size, a named symbol that the
 * caller chooses at run time ("batch", "sequence"), or unknown (neither).
 *
 * @param size   the size, or -1 when the dimension is not fixed
 * @param symbol the symbol's name for a symbolic dimension, else null
 */
public record Dimension(long size, String symbol) {
    /** A dimension the model says nothing about. */
    public static final Dimension UNKNOWN = new Dimension(-1, null);

    public Dimension {
        if (size < -1) {
            throw new IllegalArgumentException("size must be -1 (not fixed) or at least 0, got " + size);
        }
        if (size >= 0 && symbol != null) {
            throw new IllegalArgumentException("a fixed dimension has no symbol, got " + size + " and '" + symbol + "'");
        }
    }

    public static Dimension fixed(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("a fixed size is at least 0, got " + size);
        }
        return new Dimension(size, null);
    }

    public static Dimension symbolic(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a symbolic dimension needs a name");
        }
        return new Dimension(-1, name);
    }

    public boolean isFixed() {
        return size >= 0;
    }

    public boolean isSymbolic() {
        return symbol != null;
    }

    @Override
    public String toString() {
        return isFixed() ? Long.toString(size) : symbol != null ? symbol : "?";
    }
}
