package dev.octet.cli;

/**
 * Text from a model or an input file (node names, op types, input names, doc strings, error messages quoting
 * them) made safe to print: control characters would otherwise reach the terminal, where an escape sequence can
 * recolour, move the cursor, retitle the window or hide the rest of the line.
 */
final class SafeText {
    private SafeText() {}

    /**
     * {@code s} with every C0 and C1 control character, DEL and the bidirectional overrides (which can reorder
     * what is shown) replaced by a visible escape: {@code \n}, {@code \t}, {@code \r}, else {@code \xHH} or
     * {@code \}{@code uHHHH}. Everything else, including non-ASCII letters, is kept.
     */
    static String clean(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String escape = escape(c);
            if (escape != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** {@link #clean} on one line: line breaks (and the blanks around them) become one space first. */
    static String oneLine(String s) {
        return clean(s == null ? null : s.strip().replaceAll("[ \\t]*(\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])[ \\t]*", " "));
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            default -> {
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                    yield String.format("\\x%02x", (int) c);
                }
                if ((c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
                    yield String.format("\\u%04x", (int) c);
                }
                yield null;
            }
        };
    }
}
