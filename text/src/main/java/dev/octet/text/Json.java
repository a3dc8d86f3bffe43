package dev.octet.text;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON document (RFC 8259, strictly: UTF-8, no comments, no trailing commas, nothing after the value) and a
 * view of one of its values. Navigation forgives like a path: a member or element that is not there is a
 * missing value, whose accessors give the default they are asked for; a value of the wrong type is an
 * {@link ErrorCode#INVALID_MODEL} error naming where it is.
 *
 * <p>Why not Jackson: its tree model took about 500 ms to read the MiniLM tokenizer in a fresh JVM (some 400
 * classes to load, then run interpreted), a third of the embedded runtime's start-up; this reader loads two
 * classes and reads the same file in a few tens of milliseconds. Tests check it against Jackson.
 */
final class Json {
    /** Deeper documents are refused rather than risking the stack. */
    static final int MAX_DEPTH = 256;

    /** The JSON {@code null} literal (a missing value is a Java null inside a view). */
    private static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final Object value;
    /** Where the value is: the document's name (no parent) or the parent's member name or element index. */
    private final Json parent;
    private final Object step;

    private Json(Object value, Json parent, Object step) {
        this.value = value;
        this.parent = parent;
        this.step = step;
    }

    /** The document in {@code json}; {@code source} names it in error messages. */
    static Json parse(byte[] json, String source) {
        return new Json(new Reader(decode(json, source), source).document(), null, source);
    }

    /** The member {@code key} of this object; missing when it is absent or this is not an object. */
    Json path(String key) {
        return new Json(value instanceof Map<?, ?> m ? m.get(key) : null, this, key);
    }

    /** The element {@code index} of this array; missing when out of range or this is not an array. */
    Json path(int index) {
        Object element = value instanceof List<?> l && index >= 0 && index < l.size() ? l.get(index) : null;
        return new Json(element, this, index);
    }

    /** Where this value is, e.g. {@code tokenizer.json.model.vocab}. */
    String where() {
        if (parent == null) {
            return (String) step;
        }
        return parent.where() + (step instanceof Integer i ? "[" + i + "]" : "." + step);
    }

    boolean isMissing() {
        return value == null;
    }

    boolean isNull() {
        return value == NULL;
    }

    boolean isObject() {
        return value instanceof Map;
    }

    boolean isArray() {
        return value instanceof List;
    }

    boolean isBoolean() {
        return value instanceof Boolean;
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> m && m.containsKey(key);
    }

    /** A string, or {@code otherwise} when missing or null. */
    String text(String otherwise) {
        if (value == null || value == NULL) {
            return otherwise;
        }
        if (value instanceof String s) {
            return s;
        }
        throw wrongType("a string");
    }

    /** A boolean, or {@code otherwise} when missing or null. */
    boolean bool(boolean otherwise) {
        if (value == null || value == NULL) {
            return otherwise;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw wrongType("true or false");
    }

    /** An integer in int's range, or {@code otherwise} when missing or null. */
    int integer(int otherwise) {
        return value == null || value == NULL ? otherwise : integer();
    }

    /** An integer in int's range, which must be there. */
    int integer() {
        if (value instanceof Long l && l == (int) (long) l) {
            return (int) (long) l;
        }
        throw wrongType("an integer in [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]");
    }

    /** The elements of an array; none when missing or null. */
    List<Json> elements() {
        if (value == null || value == NULL) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw wrongType("an array");
        }
        List<Json> views = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            views.add(new Json(list.get(i), this, i));
        }
        return views;
    }

    /** The members of an object in document order; none when missing or null. */
    Map<String, Json> members() {
        if (value == null || value == NULL) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType("an object");
        }
        Map<String, Json> views = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
        map.forEach((k, v) -> views.put((String) k, new Json(v, this, k)));
        return views;
    }

    private OctetException wrongType(String expected) {
        return new OctetException(ErrorCode.INVALID_MODEL, where() + " must be " + expected + ", got " + this);
    }

    /** The value, shortened for messages. */
    @Override
    public String toString() {
        if (value == null) {
            return "nothing";
        }
        String text = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private static String decode(byte[] json, String source) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(json);
        CharBuffer out = CharBuffer.allocate(json.length);
        CoderResult result = utf8.decode(in, out, true);
        if (result.isError()) {
            throw new OctetException(ErrorCode.INVALID_MODEL,
                source + " is not valid JSON: not UTF-8 at byte " + in.position());
        }
        utf8.flush(out);
        String text = out.flip().toString();
        // A byte order mark may start the file (RFC 8259 8.1 lets a reader ignore it; editors on Windows write one).
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** A recursive-descent reader over the decoded text. */
    private static final class Reader {
        private final String text;
        private final String source;
        private int at;
        private int depth;

        Reader(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Object document() {
            skipBlanks();
            Object v = value();
            skipBlanks();
            if (at < text.length()) {
                throw fail("unexpected " + describe(at) + " after the value");
            }
            return v;
        }

        private Object value() {
            if (at >= text.length()) {
                throw fail("unexpected end of input");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw fail("unexpected " + describe(at));
                }
            };
        }

        private Map<String, Object> object() {
            enter();
            at++;
            Map<String, Object> members = new LinkedHashMap<>();
            skipBlanks();
            if (peek() == '}') {
                at++;
                depth--;
                return members;
            }
            while (true) {
                skipBlanks();
                if (peek() != '"') {
                    throw fail("expected a member name, got " + describe(at));
                }
                String key = string();
                skipBlanks();
                expect(':');
                skipBlanks();
                members.put(key, value());
                skipBlanks();
                if (peek() == ',') {
                    at++;
                } else {
                    expect('}');
                    depth--;
                    return members;
                }
            }
        }

        private List<Object> array() {
            enter();
            at++;
            List<Object> elements = new ArrayList<>();
            skipBlanks();
            if (peek() == ']') {
                at++;
                depth--;
                return elements;
            }
            while (true) {
                skipBlanks();
                elements.add(value());
                skipBlanks();
                if (peek() == ',') {
                    at++;
                } else {
                    expect(']');
                    depth--;
                    return elements;
                }
            }
        }

        private String string() {
            int start = ++at;
            // Most strings hold no escapes: one substring.
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c == '"') {
                    return text.substring(start, at++);
                }
                if (c == '\\') {
                    return escapedString(start);
                }
                if (c < 0x20) {
                    throw fail("control character U+" + String.format("%04X", (int) c) + " in a string");
                }
                at++;
            }
            throw fail("unterminated string");
        }

        private String escapedString(int start) {
            StringBuilder s = new StringBuilder(at - start + 16).append(text, start, at);
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return s.toString();
                }
                if (c < 0x20) {
                    at--;
                    throw fail("control character U+" + String.format("%04X", (int) c) + " in a string");
                }
                if (c != '\\') {
                    s.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    break;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> s.append(e);
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    // Surrogate pairs arrive as two escapes and join by themselves in the UTF-16 string.
                    case 'u' -> s.append(hex4());
                    default -> {
                        at--;
                        throw fail("invalid escape \\" + e);
                    }
                }
            }
            throw fail("unterminated string");
        }

        private char hex4() {
            if (at + 4 > text.length()) {
                throw fail("truncated \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                char c = text.charAt(at);
                int d = c <= 'f' ? Character.digit(c, 16) : -1; // ASCII hex digits only, not full-width or other scripts
                if (d < 0) {
                    throw fail("invalid hex digit " + describe(at) + " in a \\u escape");
                }
                v = v * 16 + d;
                at++;
            }
            return (char) v;
        }

        private Object number() {
            int start = at;
            if (peek() == '-') {
                at++;
            }
            if (peek() == '0') {
                at++;
            } else if (!digits()) {
                throw fail("expected a digit, got " + describe(at));
            }
            boolean integral = true;
            if (peek() == '.') {
                at++;
                integral = false;
                if (!digits()) {
                    throw fail("expected a digit after the decimal point, got " + describe(at));
                }
            }
            if (peek() == 'e' || peek() == 'E') {
                at++;
                integral = false;
                if (peek() == '+' || peek() == '-') {
                    at++;
                }
                if (!digits()) {
                    throw fail("expected a digit in the exponent, got " + describe(at));
                }
            }
            String lexeme = text.substring(start, at);
            if (integral && lexeme.length() <= 18) {
                return Long.parseLong(lexeme);
            }
            // Integers beyond 18 digits may still fit a long; what does not is a double, as in JavaScript.
            if (integral) {
                try {
                    return Long.parseLong(lexeme);
                } catch (NumberFormatException tooLarge) {
                    return Double.parseDouble(lexeme);
                }
            }
            return Double.parseDouble(lexeme);
        }

        private boolean digits() {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            return at > start;
        }

        private Object literal(String word, Object v) {
            if (!text.startsWith(word, at)) {
                throw fail("unexpected " + describe(at));
            }
            at += word.length();
            return v;
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw fail("nested deeper than " + MAX_DEPTH + " levels");
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected '" + c + "', got " + describe(at));
            }
            at++;
        }

        /** The character at the cursor, or 0 at the end (never valid where a token is expected). */
        private char peek() {
            return at < text.length() ? text.charAt(at) : 0;
        }

        private void skipBlanks() {
            while (at < text.length()) {
                char c = text.charAt(at);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                at++;
            }
        }

        private String describe(int i) {
            if (i >= text.length()) {
                return "end of input";
            }
            char c = text.charAt(i);
            return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }

        private OctetException fail(String what) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < Math.min(at, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new OctetException(ErrorCode.INVALID_MODEL,
                source + " is not valid JSON: " + what + " at line " + line + ", column " + column);
        }
    }
}
