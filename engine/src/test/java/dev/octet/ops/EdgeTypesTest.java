package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Attribute;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * FLOAT16, BFLOAT16 and DOUBLE at the edges of a graph: the operators that only move elements give, on these
 * types, exactly what they give on float for the same (exactly representable) values; every other operator
 * refuses them at load with UNSUPPORTED_TYPE. Cast's rounding is checked bit for bit against ONNX Runtime in
 * kernels-bench; here only the values the formats define exactly.
 */
class EdgeTypesTest {
    private static final List<DataType> EDGE = List.of(DataType.FLOAT16, DataType.BFLOAT16, DataType.DOUBLE);
    private static final float[] X = {1.5f, -2f, 3.25f, 0f, -0.5f, 7f};

    private static Tensor longs(long... v) {
        return Tensor.ofLongs(v, v.length);
    }

    private static Tensor as(DataType type, Tensor t) {
        return ElementwiseCast.cast(t, type);
    }

    /** One pass-through node on x [2, 3] of type T, its other inputs constants. */
    private record Case(String op, List<String> inputs, Map<String, Tensor> constants, Map<String, Attribute> attrs,
                        int outputs) {
        Case(String op, List<String> inputs, Map<String, Tensor> constants) {
            this(op, inputs, constants, Map.of(), 1);
        }

        Graph graph(DataType type) {
            List<String> outs = IntStream.range(0, outputs).mapToObj(i -> "y" + i).toList();
            return new Graph("g", List.of(ValueInfo.of("x", type, 2, 3)),
                outs.stream().map(o -> new ValueInfo(o, null, 0, null)).toList(), constants,
                List.of(new Node("n", op, "", inputs, outs, attrs)), Map.of("", 18), Map.of());
        }
    }

    private static List<Case> passThroughCases() {
        Graph branch = new Graph("b", List.of(), List.of(new ValueInfo("bx", null, 0, null)), Map.of(),
            List.of(new Node("bi", "Identity", "", List.of("x"), List.of("bx"), Map.of())), Map.of("", 18), Map.of());
        return List.of(
            new Case("Identity", List.of("x"), Map.of()),
            new Case("Reshape", List.of("x", "s"), Map.of("s", longs(3, 2))),
            new Case("Flatten", List.of("x"), Map.of(), Map.of("axis", new Attribute.IntAttr(0)), 1),
            new Case("Squeeze", List.of("x"), Map.of()),
            new Case("Unsqueeze", List.of("x", "a"), Map.of("a", longs(1))),
            new Case("Transpose", List.of("x"), Map.of()),
            new Case("Concat", List.of("x", "x"), Map.of(), Map.of("axis", new Attribute.IntAttr(1)), 1),
            new Case("Split", List.of("x", "s"), Map.of("s", longs(1, 2)), Map.of("axis", new Attribute.IntAttr(1)), 2),
            new Case("Slice", List.of("x", "b", "e", "a"), Map.of("b", longs(1), "e", longs(3), "a", longs(1))),
            new Case("Gather", List.of("x", "i"), Map.of("i", longs(1, 0, 1))),
            new Case("GatherElements", List.of("x", "i"), Map.of("i", Tensor.ofLongs(new long[] {1, 0, 1, 1, 1, 0}, 2, 3))),
            new Case("GatherND", List.of("x", "i"), Map.of("i", Tensor.ofLongs(new long[] {1, 2, 0, 0}, 2, 2))),
            new Case("Expand", List.of("x", "s"), Map.of("s", longs(2, 2, 3))),
            new Case("Tile", List.of("x", "r"), Map.of("r", longs(2, 1))),
            new Case("Pad", List.of("x", "p"), Map.of("p", longs(0, 1, 1, 0))),
            new Case("Shape", List.of("x"), Map.of()),
            new Case("Size", List.of("x"), Map.of()),
            new Case("Where", List.of("c", "x", "x"),
                Map.of("c", Tensor.ofBools(new boolean[] {true, false, true, false, false, true}, 2, 3))),
            new Case("If", List.of("c"), Map.of("c", Tensor.ofBools(new boolean[] {true})),
                Map.of("then_branch", new Attribute.GraphAttr(branch), "else_branch", new Attribute.GraphAttr(branch)), 1));
    }

    private static Map<String, Tensor> run(Graph g, Tensor x) {
        try (CompiledSession s = new CompiledSession(g)) {
            return s.run(Map.of("x", x));
        }
    }

    @Test
    void operatorsThatOnlyMoveElementsGiveOnEdgeTypesWhatTheyGiveOnFloat() {
        Tensor x = Tensor.ofFloats(X, 2, 3);
        for (Case c : passThroughCases()) {
            Map<String, Tensor> reference = run(c.graph(DataType.FLOAT), x);
            for (DataType type : EDGE) {
                Map<String, Tensor> got = run(c.graph(type), as(type, x));
                for (var e : reference.entrySet()) {
                    Tensor want = e.getValue().type() == DataType.FLOAT ? as(type, e.getValue()) : e.getValue();
                    Tensor actual = got.get(e.getKey());
                    String what = c.op() + " on " + type;
                    assertEquals(want.type(), actual.type(), what);
                    assertArrayEquals(want.shape(), actual.shape(), what);
                    for (int i = 0; i < want.size(); i++) {
                        assertEquals(want.getDouble(i), actual.getDouble(i), what + " element " + i);
                    }
                }
            }
        }
    }

    @Test
    void padFillsWithAConstantValueOfTheEdgeType() {
        Graph g = new Graph("g", List.of(ValueInfo.of("x", DataType.DOUBLE, 1, 2)), List.of(new ValueInfo("y", null, 0, null)),
            Map.of("p", longs(0, 1, 0, 0), "v", Tensor.ofDoubles(new double[] {0.1})),
            List.of(new Node("n", "Pad", "", List.of("x", "p", "v"), List.of("y"), Map.of())), Map.of("", 18), Map.of());
        Tensor y = run(g, Tensor.ofDoubles(new double[] {-1e300, 3}, 1, 2)).get("y");
        assertArrayEquals(new int[] {1, 3}, y.shape());
        assertArrayEquals(new double[] {0.1, -1e300, 3}, y.doubles());
    }

    @Test
    void loopCarriesAndStacksEdgeTypes() {
        // Three iterations passing x through (Transpose twice) as the carried value and as a scan output.
        Map<String, Integer> opsets = Map.of("", 18);
        Graph body = new Graph("body", List.of(ValueInfo.of("i", DataType.INT64), ValueInfo.of("c", DataType.BOOL),
                new ValueInfo("s", null, 0, null)),
            List.of(ValueInfo.of("c_out", DataType.BOOL), new ValueInfo("s_out", null, 0, null),
                new ValueInfo("scan", null, 0, null)), Map.of(), List.of(
                new Node("c", "Identity", "", List.of("c"), List.of("c_out"), Map.of()),
                new Node("t", "Transpose", "", List.of("s"), List.of("t"), Map.of()),
                new Node("s", "Transpose", "", List.of("t"), List.of("s_out"), Map.of()),
                new Node("sc", "Identity", "", List.of("s_out"), List.of("scan"), Map.of())), opsets, Map.of());
        Case loop = new Case("Loop", List.of("m", "", "x"), Map.of("m", Tensor.ofLongs(new long[] {3})),
            Map.of("body", new Attribute.GraphAttr(body)), 2);
        Tensor x = Tensor.ofFloats(X, 2, 3);
        Map<String, Tensor> reference = run(loop.graph(DataType.FLOAT), x);
        assertArrayEquals(new int[] {3, 2, 3}, reference.get("y1").shape());
        for (DataType type : EDGE) {
            Map<String, Tensor> got = run(loop.graph(type), as(type, x));
            for (String out : List.of("y0", "y1")) {
                Tensor want = as(type, reference.get(out));
                assertEquals(type, got.get(out).type(), out);
                assertArrayEquals(want.shape(), got.get(out).shape(), out);
                assertArrayEquals(values(want), values(got.get(out)), type + " " + out);
            }
        }
    }

    /** The elements widened to double (exact for every type here), whatever the storage array. */
    private static double[] values(Tensor t) {
        return IntStream.range(0, t.size()).mapToDouble(t::getDouble).toArray();
    }

    @Test
    void constantsOfEdgeTypesAndCastsBetweenThem() {
        // Constant(double) -> Cast(float16) -> ConstantOfShape-free round trip to float; ConstantOfShape(bfloat16 2.5).
        Tensor d = Tensor.ofDoubles(new double[] {0.1, -1e300, 65504.0}, 3);
        Tensor bf = Tensor.ofBfloat16(new short[] {(short) 0x4020}, 1); // 2.5
        Graph g = new Graph("g", List.of(), List.of(new ValueInfo("h", null, 0, null), new ValueInfo("f", null, 0, null),
            new ValueInfo("k", null, 0, null)), Map.of("shape", longs(2)), List.of(
                new Node("c", "Constant", "", List.of(), List.of("d"), Map.of("value", new Attribute.TensorAttr(d))),
                new Node("h", "Cast", "", List.of("d"), List.of("h"), Map.of("to", new Attribute.IntAttr(10))),
                new Node("f", "Cast", "", List.of("h"), List.of("f"), Map.of("to", new Attribute.IntAttr(1))),
                new Node("k", "ConstantOfShape", "", List.of("shape"), List.of("k"),
                    Map.of("value", new Attribute.TensorAttr(bf)))), Map.of("", 18), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            Map<String, Tensor> r = s.run(Map.of());
            // 0.1 rounds to half 0x2E66; -1e300 overflows to -inf (0xFC00); 65504 is the largest half, 0x7BFF.
            assertArrayEquals(new short[] {0x2E66, (short) 0xFC00, 0x7BFF}, r.get("h").float16Bits());
            assertArrayEquals(new float[] {0.0999755859375f, Float.NEGATIVE_INFINITY, 65504f}, r.get("f").floats());
            assertArrayEquals(new short[] {0x4020, 0x4020}, r.get("k").bfloat16Bits());
        }
    }

    @Test
    void bfloat16RoundsToNearestEvenAndNaNIsTheSignedQuietNaN() {
        // 1 + 2^-8 lies halfway between bfloat16 1 (0x3F80) and the next value: even wins. 1 + 3*2^-8 rounds up.
        assertEquals(0x3F80, ElementwiseCast.floatToBfloat16(Float.intBitsToFloat(0x3F808000)));
        assertEquals(0x3F82, ElementwiseCast.floatToBfloat16(Float.intBitsToFloat(0x3F818000)));
        assertEquals(0x3F81, ElementwiseCast.floatToBfloat16(Float.intBitsToFloat(0x3F808001)));
        assertEquals(0x7F80, ElementwiseCast.floatToBfloat16(Float.MAX_VALUE)); // rounds up to +inf
        assertEquals(0x7FC0, ElementwiseCast.floatToBfloat16(Float.NaN));
        assertEquals((short) 0xFFC0, ElementwiseCast.floatToBfloat16(Float.intBitsToFloat(0xFF812345)));
        Tensor ints = ElementwiseCast.cast(Tensor.ofDoubles(new double[] {-2.9, 1e20, Double.NaN, 3.99}, 4), DataType.INT32);
        assertArrayEquals(new int[] {-2, Integer.MIN_VALUE, Integer.MIN_VALUE, 3}, ints.ints());
    }

    @Test
    void everyOtherOperatorRefusesEdgeTypesAtLoadNamingNodeAndType() {
        List<String> failures = new ArrayList<>();
        int refused = 0, passedThrough = 0;
        for (OpDefinition d : OpRegistry.defaults().all()) {
            if (d.domain().equals(OpRegistry.OCTET_DOMAIN)) {
                continue; // Octet's fused operators never come from a model
            }
            int version = d.lastVersion();
            int inputs = d.inputsAt(version).min();
            if (inputs == 0) {
                continue; // nothing to give a double
            }
            int outputs = Math.max(1, d.outputsAt(version).min());
            List<ValueInfo> in = IntStream.range(0, inputs).mapToObj(i -> ValueInfo.of("x" + i, DataType.DOUBLE, 2, 2)).toList();
            List<String> outs = IntStream.range(0, outputs).mapToObj(i -> "y" + i).toList();
            Map<String, Integer> opsets = new HashMap<>(Map.of("", d.domain().isEmpty() ? version : 18));
            if (!d.domain().isEmpty()) {
                opsets.put(d.domain(), version);
            }
            Graph g = new Graph("g", in, outs.stream().map(o -> new ValueInfo(o, null, 0, null)).toList(), Map.of(),
                List.of(new Node("probe", d.name(), d.domain(), in.stream().map(ValueInfo::name).toList(), outs, Map.of())),
                opsets, Map.of());
            String what = d.qualifiedName() + " " + d.versionRange();
            try {
                new CompiledSession(g).close();
                if (!d.has(OpTrait.ANY_ELEMENT_TYPE)) {
                    failures.add(what + " loaded with double inputs");
                }
                passedThrough++;
            } catch (OctetException e) {
                if (d.has(OpTrait.ANY_ELEMENT_TYPE)) {
                    // Pass-through ops may refuse these generic inputs for other reasons, never as a crash.
                    if (e.code() == ErrorCode.INTERNAL || e.code() == ErrorCode.UNSUPPORTED_TYPE) {
                        failures.add(what + ": " + e.code() + " " + e.getMessage());
                    }
                } else if (e.code() != ErrorCode.UNSUPPORTED_TYPE || !e.getMessage().contains("'probe'")
                    || !e.getMessage().contains("DOUBLE")) {
                    failures.add(what + ": " + e.code() + " " + e.getMessage());
                } else {
                    refused++;
                }
            } catch (RuntimeException e) {
                failures.add(what + ": " + e);
            }
        }
        assertEquals(List.of(), failures);
        assertTrue(refused > 100, "refused " + refused);
        assertNotEquals(0, passedThrough);
    }

    @Test
    void anEdgeTypeProducedByAComputeOperatorIsRefusedAtLoad() {
        // EyeLike with dtype DOUBLE would compute a double tensor: refused, not left to fail when run.
        Graph g = new Graph("g", List.of(ValueInfo.of("x", DataType.FLOAT, 2, 2)), List.of(new ValueInfo("y", null, 0, null)),
            Map.of(), List.of(new Node("eye", "EyeLike", "", List.of("x"), List.of("y"),
                Map.of("dtype", new Attribute.IntAttr(DataType.DOUBLE.onnxCode())))), Map.of("", 18), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g).close());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("'eye'") && e.getMessage().contains("DOUBLE"), e.getMessage());
    }
}
