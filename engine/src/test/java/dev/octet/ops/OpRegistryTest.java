package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpRegistryTest {
    private static final OpRegistry REGISTRY = OpRegistry.defaults();

    private static Node node(String name, String op, String... inputs) {
        return new Node(name, op, "", List.of(inputs), List.of(name + "_out"), Map.of());
    }

    private static Graph graph(int opset, Node... nodes) {
        return new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of())),
            List.of(), Map.of(), List.of(nodes), Map.of("", opset), Map.of());
    }

    private static Tensor scalar(float v) {
        return Tensor.ofFloats(new float[] {v});
    }

    @Test
    void supportDependsOnTheVersion() {
        assertEquals(OpRegistry.Support.SUPPORTED, REGISTRY.support("", "Relu", 7));
        assertEquals(OpRegistry.Support.SUPPORTED, REGISTRY.support("ai.onnx", "Relu", 13));
        assertEquals(OpRegistry.Support.UNSUPPORTED_VERSION, REGISTRY.support("", "QuantizeLinear", 9));
        assertEquals(OpRegistry.Support.UNSUPPORTED_OP, REGISTRY.support("", "NoSuchOp", 17));
        assertEquals(OpRegistry.Support.SUPPORTED, REGISTRY.support(OpRegistry.MICROSOFT_DOMAIN, "QGemm", 1));
        assertEquals(OpRegistry.Support.UNSUPPORTED_VERSION, REGISTRY.support(OpRegistry.MICROSOFT_DOMAIN, "QGemm", 2));
    }

    @Test
    void aVersionOutsideTheRangeNamesTheOpTheVersionAndTheRange() {
        OctetException e = assertThrows(OctetException.class,
            () -> REGISTRY.create(node("q", "QuantizeLinear", "x", "s"), 9, new Tensor[2]));
        assertEquals(ErrorCode.UNSUPPORTED_OPSET, e.code());
        assertTrue(e.getMessage().contains("node 'q'") && e.getMessage().contains("ai.onnx:QuantizeLinear at opset 9")
            && e.getMessage().contains("opsets 10 to " + OpDefinition.CHECKED_ONNX_OPSET), e.getMessage());
    }

    @Test
    void anOldOpsetResolvesPerOperator() {
        // At opset 6, Not is Not-1 (unchanged since) and runs; Add is Add-6, whose broadcast and axis attributes
        // Octet's Add (from 7) does not implement, so that node refuses itself.
        ValueInfo x = ValueInfo.of("x", DataType.BOOL, 2);
        Graph not = new Graph("g", List.of(x), List.of(ValueInfo.of("y", DataType.BOOL, 2)), Map.of(),
            List.of(new Node("n", "Not", "", List.of("x"), List.of("y"), Map.of())), Map.of("", 6), Map.of());
        try (CompiledSession s = new CompiledSession(not)) {
            assertArrayEquals(new boolean[] {false, true},
                s.run(Map.of("x", Tensor.ofBools(new boolean[] {true, false}, 2))).get("y").bools());
        }
        Graph add = new Graph("g", List.of(ValueInfo.of("a", DataType.FLOAT, 2)), List.of(ValueInfo.of("y", DataType.FLOAT, 2)),
            Map.of(), List.of(new Node("plus", "Add", "", List.of("a", "a"), List.of("y"), Map.of())), Map.of("", 6),
            Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(add).close());
        assertEquals(ErrorCode.UNSUPPORTED_OPSET, e.code());
        assertTrue(e.getMessage().contains("node 'plus'") && e.getMessage().contains("at opset 6"), e.getMessage());
    }

    @Test
    void definitionsOfOneOperatorSplitItsVersions() {
        OpRegistry.Builder b = new OpRegistry.Builder();
        b.onnx("Twice", 7).unary().until(12).shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> new Tensor[] {scalar(12)});
        b.onnx("Twice", 13).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> new Tensor[] {scalar(13)});
        OpRegistry r = b.build();
        Node n = node("t", "Twice", "x");
        assertEquals(12f, r.create(n, 12, new Tensor[1]).run(new Tensor[1])[0].floats()[0]);
        assertEquals(13f, r.create(n, 13, new Tensor[1]).run(new Tensor[1])[0].floats()[0]);
        OctetException e = assertThrows(OctetException.class, () -> r.create(n, 6, new Tensor[1]));
        assertTrue(e.getMessage().contains("opsets 7 to 12, opsets 13 to " + OpDefinition.CHECKED_ONNX_OPSET),
            e.getMessage());

        OpDefinition.Builder overlapping = b.onnx("Twice", 12).unary().shape(ShapeRule.SAME_AS_INPUT);
        assertThrows(IllegalStateException.class, () -> overlapping.factory(ctx -> in -> in), "12 is in both ranges");
    }

    @Test
    void declaredAttributesAreCheckedAtLoad() {
        OpRegistry.Builder b = new OpRegistry.Builder();
        AttributeSpec<Float> alpha = AttributeSpec.floatAttr("alpha", 0.5f).requiring(Float::isFinite, "finite");
        b.onnx("Scale", 7).unary().attribute(alpha).shape(ShapeRule.SAME_AS_INPUT)
            .factory(ctx -> in -> new Tensor[] {scalar(ctx.get(alpha) * in[0].floats()[0])});
        OpRegistry r = b.build();
        Node plain = node("s", "Scale", "x");
        assertEquals(1.5f, r.create(plain, 17, new Tensor[1]).run(new Tensor[] {scalar(3)})[0].floats()[0]);

        Node nan = new Node("s", "Scale", "", List.of("x"), List.of("y"), Map.of("alpha", new Attribute.FloatAttr(Float.NaN)));
        OctetException e = assertThrows(OctetException.class, () -> r.create(nan, 17, new Tensor[1]));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        assertTrue(e.getMessage().contains("node 's'") && e.getMessage().contains("'alpha' must be finite"), e.getMessage());

        Node wrongKind = new Node("s", "Scale", "", List.of("x"), List.of("y"), Map.of("alpha", new Attribute.IntAttr(2)));
        e = assertThrows(OctetException.class, () -> r.create(wrongKind, 17, new Tensor[1]));
        assertEquals(ErrorCode.INVALID_GRAPH, e.code());
        assertTrue(e.getMessage().contains("'alpha' must be float"), e.getMessage());
    }

    @Test
    void unsupportedOperatorsAreListedOncePerTypeWithTheirNodeCounts() {
        Graph g = graph(17, node("a", "Relu", "x"), node("b", "Foo", "x"), node("c", "Bar", "x"), node("d", "Foo", "x"),
            node("e", "Baz", "x"), node("f", "Bar", "x"), node("g", "Foo", "x"));
        List<OpRegistry.Unsupported> missing = REGISTRY.unsupported(g);
        assertEquals(List.of(new OpRegistry.Unsupported("", "Foo", 17, OpRegistry.Support.UNSUPPORTED_OP, 3),
            new OpRegistry.Unsupported("", "Bar", 17, OpRegistry.Support.UNSUPPORTED_OP, 2),
            new OpRegistry.Unsupported("", "Baz", 17, OpRegistry.Support.UNSUPPORTED_OP, 1)), missing);

        OctetException e = assertThrows(OctetException.class, () -> REGISTRY.checkOperators(g));
        assertEquals(ErrorCode.UNSUPPORTED_OP, e.code());
        assertEquals("node 'b' (op Foo): operator ai.onnx:Foo is not supported by Octet (3 nodes); "
            + "and 2 more unsupported operators: Bar (2 nodes), Baz", e.getMessage());
    }

    @Test
    void aVersionGapIsReportedButIsNotAnUnknownOperator() {
        Graph g = graph(9, node("q", "QuantizeLinear", "x", "s"));
        assertEquals(List.of(new OpRegistry.Unsupported("", "QuantizeLinear", 9, OpRegistry.Support.UNSUPPORTED_VERSION, 1)),
            REGISTRY.unsupported(g));
        REGISTRY.checkOperators(g); // the version error comes when the op is built, naming the implemented range
        assertTrue(REGISTRY.unsupported(graph(17, node("r", "Relu", "x"))).isEmpty());
    }

    @Test
    void passesFindTraitsThroughTheRegistry() {
        Node reshape = node("r", "Reshape", "x", "s");
        Node relu = node("a", "Relu", "x");
        Node add = node("b", "Add", "x", "x");
        Graph g = graph(17, reshape, relu, add);
        assertTrue(REGISTRY.has(g, reshape, OpTrait.DATA_MOVEMENT));
        assertTrue(REGISTRY.has(g, relu, OpTrait.QUANTIZED_CLAMP));
        assertFalse(REGISTRY.has(g, add, OpTrait.DATA_MOVEMENT));
        assertFalse(REGISTRY.has(g, node("f", "Foo", "x"), OpTrait.IDENTITY));
    }

    @Test
    void aSessionRefusesAModelWithUnknownOperatorsNamingTheFirstAndCountingTheRest() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of())),
            List.of(new ValueInfo("y", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of())), Map.of(),
            List.of(new Node("first", "Frobnicate", "", List.of("x"), List.of("a"), Map.of()),
                new Node("second", "Relu", "", List.of("a"), List.of("b"), Map.of()),
                new Node("third", "Twiddle", "com.example", List.of("b"), List.of("y"), Map.of())),
            Map.of("", 17, "com.example", 1), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g));
        assertEquals(ErrorCode.UNSUPPORTED_OP, e.code());
        assertEquals("node 'first' (op Frobnicate): operator ai.onnx:Frobnicate is not supported by Octet; "
            + "and 1 more unsupported operator: com.example:Twiddle", e.getMessage());
    }

    @Test
    void opsetsUpTo28AreAcceptedWhereTheOperatorDidNotChange() {
        Graph g = new Graph("g", List.of(new ValueInfo("x", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of(Dim.of(3)))),
            List.of(new ValueInfo("y", DataType.FLOAT, DataType.FLOAT.onnxCode(), List.of(Dim.of(3)))), Map.of(),
            List.of(new Node("r", "Relu", "", List.of("x"), List.of("y"), Map.of())), Map.of("", 28), Map.of());
        Tensor y = new CompiledSession(g).run(Map.of("x", Tensor.ofFloats(new float[] {-1f, 0f, 2f}, 3))).get("y");
        assertArrayEquals(new float[] {0f, 0f, 2f}, y.floats());
        OctetException e = assertThrows(OctetException.class, () -> OpRegistry.checkOpset("", 29));
        assertEquals(ErrorCode.UNSUPPORTED_OPSET, e.code());
    }
}
