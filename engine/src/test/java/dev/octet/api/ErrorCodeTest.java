package dev.octet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.compile.Compiler;
import dev.octet.exec.CompiledSession;
import dev.octet.exec.Executor;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import dev.octet.ops.ShapeRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Errors carry the code of what went wrong: a bad input or tensor is INVALID_INPUT, and an exception an op did
 * not mean to throw (Octet's own bug) is INTERNAL with the original as its cause, at run time and in constant
 * folding alike, instead of being relabelled INVALID_SHAPE or INVALID_GRAPH.
 */
class ErrorCodeTest {
    private static final List<Dim> TWO = List.of(Dim.of(2));

    private static Graph oneNode(String op, List<String> inputs, Map<String, Tensor> initializers, DataType type) {
        return new Graph("g", List.of(new ValueInfo("x", type, type.onnxCode(), TWO)),
            List.of(new ValueInfo("y", type, type.onnxCode(), TWO)), initializers,
            List.of(new Node("n", op, "", inputs, List.of("y"), Map.of())), Map.of("", 17), Map.of());
    }

    @Test
    void integerDivisionByZeroIsAnInputErrorAtRunTime() {
        try (CompiledSession s = new CompiledSession(oneNode("Div", List.of("x", "d"),
                Map.of("d", Tensor.ofInts(new int[] {3, 0}, 2)), DataType.INT32))) {
            OctetException e = assertThrows(OctetException.class,
                () -> s.run(Map.of("x", Tensor.ofInts(new int[] {7, 5}, 2))));
            assertEquals(ErrorCode.INVALID_INPUT, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("node 'n'") && e.getMessage().contains("division by zero"), e.getMessage());
        }
    }

    @Test
    void integerDivisionByZeroInConstantFoldingIsAnInputError() {
        Graph g = new Graph("g", List.of(), List.of(new ValueInfo("y", DataType.INT64, DataType.INT64.onnxCode(), TWO)),
            Map.of("a", Tensor.ofLongs(new long[] {4, 5}, 2), "b", Tensor.ofLongs(new long[] {2, 0}, 2)),
            List.of(new Node("n", "Div", "", List.of("a", "b"), List.of("y"), Map.of())), Map.of("", 17), Map.of());
        OctetException e = assertThrows(OctetException.class, () -> new CompiledSession(g).close());
        assertEquals(ErrorCode.INVALID_INPUT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
    }

    /** A registry whose one operator has a bug: it indexes past its input. */
    private static OpRegistry buggy() {
        OpRegistry.Builder b = new OpRegistry.Builder();
        b.onnx("Buggy", 7).unary().shape(ShapeRule.SAME_AS_INPUT).factory(ctx -> in -> new Tensor[] {
            Tensor.ofFloats(new float[] {in[0].floats()[5]}, 1)});
        return b.build();
    }

    @Test
    void anUnexpectedExceptionInAnOpIsInternalAndKeepsItsCause() {
        Compiler compiler = new Compiler(buggy(), List.of(), OpEnvironment.serial());
        var plan = compiler.compile(oneNode("Buggy", List.of("x"), Map.of(), DataType.FLOAT));
        OctetException e = assertThrows(OctetException.class,
            () -> Executor.run(plan, Map.of("x", Tensor.ofFloats(new float[] {1, 2}, 2))));
        assertEquals(ErrorCode.INTERNAL, e.code(), e.getMessage());
        assertInstanceOf(ArrayIndexOutOfBoundsException.class, e.getCause());
        assertTrue(e.getMessage().contains("node 'n'"), e.getMessage());

        Graph folded = new Graph("g", List.of(), List.of(new ValueInfo("y", DataType.FLOAT, 1, TWO)),
            Map.of("c", Tensor.ofFloats(new float[] {1, 2}, 2)),
            List.of(new Node("n", "Buggy", "", List.of("c"), List.of("y"), Map.of())), Map.of("", 17), Map.of());
        e = assertThrows(OctetException.class, () -> compiler.compile(folded));
        assertEquals(ErrorCode.INTERNAL, e.code(), e.getMessage());
        assertInstanceOf(ArrayIndexOutOfBoundsException.class, e.getCause());
    }

    @Test
    void tensorFactoriesRejectDataThatDoesNotFitTheShape() {
        OctetException e = assertThrows(OctetException.class, () -> Tensor.ofFloats(new float[3], 2, 2));
        assertEquals(ErrorCode.INVALID_INPUT, e.code());
        assertTrue(e.getMessage().contains("[2, 2] holds 4 elements but the data has 3"), e.getMessage());
        assertEquals(ErrorCode.INVALID_INPUT,
            assertThrows(OctetException.class, () -> Tensor.of(DataType.FLOAT, new int[] {2}, new int[2])).code());
        assertEquals(ErrorCode.INVALID_INPUT,
            assertThrows(OctetException.class, () -> Tensor.ofLongs(null, 2)).code());
        assertEquals(ErrorCode.UNSUPPORTED_TYPE,
            assertThrows(OctetException.class, () -> Tensor.ofInts(new int[] {1}, 1).floats()).code());
    }
}
