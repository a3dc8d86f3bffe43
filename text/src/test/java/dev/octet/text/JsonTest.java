package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.models.BundledModels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tokenizer's JSON reader against Jackson: the same values for valid documents, an error for invalid ones. */
class JsonTest {
    /** Strict where Jackson's defaults are lenient: nothing may follow the value. */
    private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Test
    void theBundledTokenizerReadsAsJacksonReadsIt() throws Exception {
        byte[] file = BundledModels.minilmTokenizerBytes();
        assertSame(JACKSON.readTree(file), Json.parse(file, "tokenizer.json"));
    }

    /** Seeded random documents written by Jackson (escapes, surrogate pairs, deep nesting, every value type). */
    @Test
    void randomDocumentsWrittenByJacksonReadBackTheSame() throws Exception {
        Random random = new Random(20261206L);
        for (int i = 0; i < 500; i++) {
            JsonNode doc = randomValue(random, 0);
            byte[] text = (i % 2 == 0 ? JACKSON.writeValueAsString(doc)
                : JACKSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc)).getBytes(StandardCharsets.UTF_8);
            assertSame(JACKSON.readTree(text), Json.parse(text, "doc " + i));
        }
    }

    @Test
    void escapesDecodeAsJacksonDecodesThem() throws Exception {
        String text = "{\"s\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t \\u00e9 \\uD83D\\uDE00 \\u0000 caf\u00e9 \uD83D\uDE00\"}";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(JACKSON.readTree(bytes).path("s").asText(), Json.parse(bytes, "escapes").path("s").text(null));
    }

    /** Each is invalid JSON for Jackson too, so the reference agrees they must be refused. */
    @ParameterizedTest
    @ValueSource(strings = {"", " ", "{", "}", "[1,]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "01",
        "-", "1.", ".5", "1e", "1e+", "+1", "NaN", "Infinity", "tru", "nul", "[true false]", "\"abc", "\"a\\x\"",
        "\"\\u12G4\"", "\"\\u12\"", "\"a\tb\"", "{} x", "[] []", "// c\n{}", "{\"a\":1}}", "[\"\\\"]", "\"\\u\u0660\u0660\u0664\u0661\"",
        "\"\\u\uFF10\uFF10\uFF14\uFF11\""})
    void invalidDocumentsAreRefused(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        assertTrue(jacksonRefuses(bytes), "Jackson accepts " + text);
        OctetException e = assertThrows(OctetException.class, () -> Json.parse(bytes, "bad.json"));
        assertEquals(ErrorCode.INVALID_MODEL, e.code());
        assertTrue(e.getMessage().startsWith("bad.json is not valid JSON: "), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsIgnored() throws Exception {
        byte[] bytes = "\uFEFF{\"a\": [1, true]}".getBytes(StandardCharsets.UTF_8);
        assertSame(JACKSON.readTree(bytes), Json.parse(bytes, "bom.json"));
    }

    @Test
    void errorsSayWhere() {
        OctetException e = assertThrows(OctetException.class,
            () -> Json.parse("{\n  \"a\": [1,\n   2,,]\n}".getBytes(StandardCharsets.UTF_8), "t.json"));
        assertEquals("t.json is not valid JSON: unexpected ',' at line 3, column 6", e.getMessage());
    }

    @Test
    void malformedUtf8IsRefusedWithItsOffset() {
        byte[] bytes = {'"', 'a', (byte) 0xC3, '(', '"'};
        OctetException e = assertThrows(OctetException.class, () -> Json.parse(bytes, "u.json"));
        assertEquals("u.json is not valid JSON: not UTF-8 at byte 2", e.getMessage());
    }

    /** Bytes that are not UTF-8 outside strings, or cut short inside one, are refused too; columns count characters. */
    @Test
    void nonUtf8BytesAnywhereAreRefused() {
        for (byte[] bytes : new byte[][] {{'[', (byte) 0xC3, ']'}, {'[', '1', ']', (byte) 0xFF}, {'"', (byte) 0xE2, (byte) 0x82},
            {'"', (byte) 0xE2, (byte) 0x82, '"'}, {'{', '"', 'a', '"', ':', (byte) 0xC3, (byte) 0xA9, '}'}}) {
            OctetException e = assertThrows(OctetException.class, () -> Json.parse(bytes, "b.json"));
            assertEquals(ErrorCode.INVALID_MODEL, e.code());
            assertTrue(e.getMessage().startsWith("b.json is not valid JSON: "), e.getMessage());
        }
        OctetException e = assertThrows(OctetException.class,
            () -> Json.parse("\uFEFF[\"caf\u00e9 \uD83D\uDE00\", \u00e9]".getBytes(StandardCharsets.UTF_8), "c.json"));
        assertEquals("c.json is not valid JSON: unexpected U+00E9 at line 1, column 12", e.getMessage());
    }

    @Test
    void nestingIsBounded() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(Json.parse(ok.getBytes(StandardCharsets.UTF_8), "ok").isArray());
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        OctetException e = assertThrows(OctetException.class,
            () -> Json.parse(deep.getBytes(StandardCharsets.UTF_8), "deep.json"));
        assertTrue(e.getMessage().contains("nested deeper than " + Json.MAX_DEPTH), e.getMessage());
    }

    @Test
    void wrongTypesNameTheirPlace() {
        Json doc = Json.parse("{\"model\": {\"vocab\": {\"a\": \"1\"}, \"n\": 3000000000, \"b\": 1}}"
            .getBytes(StandardCharsets.UTF_8), "t.json");
        Json model = doc.path("model");
        OctetException e = assertThrows(OctetException.class, () -> model.path("vocab").path("a").integer());
        assertEquals("t.json.model.vocab.a must be an integer in [-2147483648, 2147483647], got \"1\"", e.getMessage());
        assertThrows(OctetException.class, () -> model.path("n").integer());
        assertThrows(OctetException.class, () -> model.path("b").bool(false));
        assertThrows(OctetException.class, () -> model.path("vocab").text(""));
        assertThrows(OctetException.class, () -> model.path("missing").integer());
        assertEquals(7, model.path("missing").integer(7));
        assertEquals("x", model.path("missing").path(3).path("y").text("x"));
    }

    /** Jackson reads an empty document as a missing node rather than failing. */
    private static boolean jacksonRefuses(byte[] bytes) {
        try {
            return JACKSON.readTree(bytes).isMissingNode();
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /** Walks both trees; every difference fails with its place. */
    private static void assertSame(JsonNode expected, Json actual) {
        switch (expected.getNodeType()) {
            case OBJECT -> {
                assertTrue(actual.isObject(), actual.where() + " should be an object");
                Map<String, Json> members = actual.members();
                List<String> names = new ArrayList<>();
                expected.fieldNames().forEachRemaining(names::add);
                assertEquals(names, new ArrayList<>(members.keySet()), actual.where() + " member names");
                Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    assertSame(f.getValue(), members.get(f.getKey()));
                }
            }
            case ARRAY -> {
                assertTrue(actual.isArray(), actual.where() + " should be an array");
                List<Json> elements = actual.elements();
                assertEquals(expected.size(), elements.size(), actual.where() + " length");
                for (int i = 0; i < elements.size(); i++) {
                    assertSame(expected.get(i), elements.get(i));
                }
            }
            case STRING -> assertEquals(expected.textValue(), actual.text(null), actual.where());
            case BOOLEAN -> assertEquals(expected.booleanValue(), actual.bool(!expected.booleanValue()), actual.where());
            case NULL -> assertTrue(actual.isNull(), actual.where() + " should be null");
            case NUMBER -> {
                if (!expected.canConvertToInt()) {
                    fail(actual.where() + ": only int-range numbers are generated");
                }
                assertEquals(expected.intValue(), actual.integer(), actual.where());
            }
            default -> fail("unexpected node " + expected.getNodeType());
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        int kind = depth > 6 ? 2 + random.nextInt(4) : random.nextInt(6);
        switch (kind) {
            case 0 -> {
                ObjectNode o = nodes.objectNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    o.set(randomString(random), randomValue(random, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = nodes.arrayNode();
                for (int i = random.nextInt(5); i > 0; i--) {
                    a.add(randomValue(random, depth + 1));
                }
                return a;
            }
            case 2 -> {
                return nodes.textNode(randomString(random));
            }
            case 3 -> {
                return nodes.numberNode(random.nextBoolean() ? random.nextInt(1000) : random.nextInt());
            }
            case 4 -> {
                return nodes.booleanNode(random.nextBoolean());
            }
            default -> {
                return nodes.nullNode();
            }
        }
    }

    /** ASCII, controls (escaped by the writer), quotes and backslashes, accents, CJK, and astral characters. */
    private static String randomString(Random random) {
        StringBuilder s = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            switch (random.nextInt(6)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append(random.nextBoolean() ? '"' : '\\');
                case 2 -> s.append((char) (0xC0 + random.nextInt(0x100)));
                case 3 -> s.append((char) (0x4E00 + random.nextInt(0x5000)));
                case 4 -> s.appendCodePoint(0x1F600 + random.nextInt(0x50));
                default -> s.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return s.toString();
    }
}
