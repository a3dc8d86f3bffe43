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
import java.util.HashMap;
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

    private static final String INT_RANGE = "an integer in [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]";

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
        return new Json(new Reader(json, source).document(), null, source);
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
        throw wrongType(INT_RANGE);
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

    /**
     * An object whose members are all integers in int's range, as a map (a vocabulary): without a view per member,
     * which for a 30 K-entry vocabulary was most of what reading it allocated. Empty when missing or null.
     */
    Map<String, Integer> integerMembers() {
        if (value == null || value == NULL) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw wrongType("an object");
        }
        Map<String, Integer> integers = HashMap.newHashMap(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof Long l && l == (int) (long) l)) {
                throw new Json(e.getValue(), this, e.getKey()).wrongType(INT_RANGE);
            }
            integers.put((String) e.getKey(), (int) (long) l);
        }
        return integers;
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

    /**
     * A recursive-descent reader over the UTF-8 bytes themselves. Outside strings only ASCII is valid JSON, so only
     * strings are decoded, and one without escapes or non-ASCII bytes (nearly every one, in a tokenizer's vocabulary)
     * becomes a String in one copy; integers are read in place. Decoding the whole document first took a 700 KB
     * tokenizer.json through two more copies of its text and 30 K substrings.
     */
    private static final class Reader {
        private final byte[] json;
        private final String source;
        /** Where the document starts, after a byte order mark. */
        private final int begin;
        private int at;
        private int depth;

        Reader(byte[] json, String source) {
            this.json = json;
            this.source = source;
            // A byte order mark may start the file (RFC 8259 8.1 lets a reader ignore it; Windows editors write one).
            boolean bom = json.length >= 3 && json[0] == (byte) 0xEF && json[1] == (byte) 0xBB
                && json[2] == (byte) 0xBF;
            begin = bom ? 3 : 0;
            at = begin;
        }

        Object document() {
            skipBlanks();
            Object v = value();
            skipBlanks();
            if (at < json.length) {
                throw fail("unexpected " + describe(at) + " after the value");
            }
            return v;
        }

        private Object value() {
            if (at >= json.length) {
                throw fail("unexpected end of input");
            }
            byte c = json[at];
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
            boolean ascii = true;
            while (at < json.length) {
                byte c = json[at];
                if (c == '"') {
                    return text(start, at++, ascii);
                }
                if (c == '\\') {
                    return escapedString(start, ascii);
                }
                if (c >= 0 && c < 0x20) {
                    throw fail("control character U+" + String.format("%04X", (int) c) + " in a string");
                }
                ascii &= c >= 0;
                at++;
            }
            throw fail("unterminated string");
        }

        /** Bytes [from, to) of a string without escapes: Latin-1 is ASCII's one-copy path, the rest strict UTF-8. */
        private String text(int from, int to, boolean ascii) {
            if (ascii) {
                return new String(json, from, to - from, StandardCharsets.ISO_8859_1);
            }
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(json, from, to - from);
            CharBuffer out = CharBuffer.allocate(to - from);
            CoderResult result = utf8.decode(in, out, true);
            if (result.isError()) {
                throw new OctetException(ErrorCode.INVALID_MODEL,
                    source + " is not valid JSON: not UTF-8 at byte " + in.position());
            }
            utf8.flush(out);
            return out.flip().toString();
        }

        /** The rest of a string from its first escape; runs between escapes are decoded as {@link #text} does. */
        private String escapedString(int start, boolean ascii) {
            StringBuilder s = new StringBuilder(at - start + 16).append(text(start, at, ascii));
            int run = at;
            while (at < json.length) {
                byte c = json[at];
                if (c == '"') {
                    s.append(text(run, at++, false));
                    return s.toString();
                }
                if (c >= 0 && c < 0x20) {
                    throw fail("control character U+" + String.format("%04X", (int) c) + " in a string");
                }
                if (c != '\\') {
                    at++;
                    continue;
                }
                s.append(text(run, at++, false));
                if (at >= json.length) {
                    break;
                }
                byte e = json[at++];
                switch (e) {
                    case '"', '\\', '/' -> s.append((char) e);
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'n' -> s.append('\n');
                    case 'r' -> s.append('\r');
                    case 't' -> s.append('\t');
                    // Surrogate pairs arrive as two escapes and join by themselves in the UTF-16 string.
                    case 'u' -> s.append(hex4());
                    default -> {
                        at--;
                        String escape = e >= 0x20 && e < 0x7F ? String.valueOf((char) e) : describe(at);
                        throw fail("invalid escape \\" + escape);
                    }
                }
                run = at;
            }
            throw fail("unterminated string");
        }

        private char hex4() {
            if (at + 4 > json.length) {
                throw fail("truncated \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                byte c = json[at];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; // ASCII hex digits only
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
            boolean negative = peek() == '-';
            if (negative) {
                at++;
            }
            if (peek() == '0') {
                at++;
            } else if (!digits()) {
                throw fail("expected a digit, got " + describe(at));
            }
            int integerEnd = at;
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
            int digitsStart = negative ? start + 1 : start;
            if (integral && integerEnd - digitsStart <= 18) {
                long v = 0;
                for (int i = digitsStart; i < integerEnd; i++) {
                    v = v * 10 + (json[i] - '0');
                }
                return negative ? -v : v;
            }
            String lexeme = new String(json, start, at - start, StandardCharsets.ISO_8859_1);
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
            while (at < json.length && json[at] >= '0' && json[at] <= '9') {
                at++;
            }
            return at > start;
        }

        private Object literal(String word, Object v) {
            for (int i = 0; i < word.length(); i++) {
                if (at + i >= json.length || json[at + i] != word.charAt(i)) {
                    throw fail("unexpected " + describe(at));
                }
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

        /** The byte at the cursor, or 0 at the end (never valid where a token is expected). */
        private int peek() {
            return at < json.length ? json[at] : 0;
        }

        private void skipBlanks() {
            while (at < json.length) {
                byte c = json[at];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                at++;
            }
        }

        /** The character starting at byte i, for messages: 'c', U+XXXX, or the byte itself when it is not UTF-8. */
        private String describe(int i) {
            if (i >= json.length) {
                return "end of input";
            }
            byte c = json[i];
            if (c >= 0x20 && c < 0x7F) {
                return "'" + (char) c + "'";
            }
            if (c >= 0) {
                return String.format("U+%04X", (int) c);
            }
            int length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
            if (length > 1 && i + length <= json.length) {
                try {
                    return String.format("U+%04X", text(i, i + length, false).codePointAt(0));
                } catch (OctetException notUtf8) {
                    // Described as the byte below.
                }
            }
            return String.format("byte 0x%02X, which is not UTF-8,", c & 0xFF);
        }

        /** The error at the cursor, with its line and column (in characters: UTF-8 continuation bytes not counted). */
        private OctetException fail(String what) {
            int line = 1;
            int column = 1;
            for (int i = begin; i < Math.min(at, json.length); i++) {
                if (json[i] == '\n') {
                    line++;
                    column = 1;
                } else if ((json[i] & 0xC0) != 0x80) {
                    column++;
                }
            }
            return new OctetException(ErrorCode.INVALID_MODEL,
                source + " is not valid JSON: " + what + " at line " + line + ", column " + column);
        }
    }
}
