package dev.octet.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.Executor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import dev.octet.kernel.KernelProviders;
import dev.octet.kernel.Parallel;
import dev.octet.ops.OpEnvironment;
import dev.octet.ops.OpRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DynamicQuantizeLinear of a Concat only it reads, fused into Octet's DynamicQuantizeLinear over the Concat's inputs:
 * the same bytes, scale and zero point as the unfused graph (scalar kernels, one thread) on every width and on 1 and 3
 * threads, for every axis (first: one row per input; inner; last; negative), two and three inputs, inputs whose range
 * alone would differ, and tensors large enough to be split over threads; a Concat read elsewhere, a Concat that is a
 * model output, and a non-float Concat stay as they are.
 */
class ConcatQuantizeFusionTest {
    private static final int[] SHAPE = {2, 5, 130, 57};
    /** Each input's size along the axis: large enough that most inputs are split over threads, several rows a task. */
    private static final int[] SIZES = {24, 30, 40};

    @ParameterizedTest(name = "axis {0}, {1} inputs")
    @CsvSource({"1, 2", "1, 3", "0, 2", "3, 2", "-3, 3", "2, 2"})
    void fusedIsBitExactWithTheUnfusedGraph(int axis, int inputs) {
        int a = Math.floorMod(axis, 4);
        List<ValueInfo> in = new ArrayList<>();
        Map<String, Tensor> values = new HashMap<>();
        SplittableRandom r = new SplittableRandom(axis * 31L + inputs);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            int[] shape = SHAPE.clone();
            shape[a] = SIZES[i];
            String name = "x" + i;
            names.add(name);
            in.add(new ValueInfo(name, DataType.FLOAT, DataType.FLOAT.onnxCode(),
                java.util.Arrays.stream(shape).mapToObj(Dim::of).toList()));
            float[] x = new float[java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
            // Each input its own range: the fused range must be the union's.
            double lo = -0.5 - i, hi = 0.7 + 2 * i;
            for (int k = 0; k < x.length; k++) {
                x[k] = (float) (lo + r.nextDouble() * (hi - lo));
            }
            values.put(name, Tensor.ofFloats(x, shape));
        }
        List<Node> nodes = List.of(
            new Node("join", "Concat", "", names, List.of("joined"), Map.of("axis", new Attribute.IntAttr(axis))),
            new Node("dql", "DynamicQuantizeLinear", "", List.of("joined"), List.of("q", "s", "z"), Map.of()));
        Graph plain = graph(in, nodes, "q", "s", "z");
        Graph fused = new ConcatQuantizeFusion().apply(plain);
        assertEquals(List.of(OpRegistry.OCTET_DOMAIN + ":DynamicQuantizeLinear"),
            fused.nodes().stream().map(n -> n.domain() + ":" + n.opType()).toList());
        Map<String, Tensor> expected = run(plain, values, env("scalar", 0, Parallel.SERIAL));
        try (Parallel three = new Parallel(3)) {
            for (OpEnvironment env : List.of(env("scalar", 0, three), env("vector", 128, Parallel.SERIAL),
                env("vector", 256, three), env("vector", 512, Parallel.SERIAL), env("vector", 512, three))) {
                Map<String, Tensor> actual = run(plain, values, env, new ConcatQuantizeFusion());
                String where = env.kernels().describe() + ", " + env.parallel().threads() + " threads";
                assertArrayEquals(expected.get("q").shapeView(), actual.get("q").shapeView(), where);
                assertArrayEquals(expected.get("q").bytes(), actual.get("q").bytes(), where);
                assertArrayEquals(expected.get("s").floats(), actual.get("s").floats(), where);
                assertArrayEquals(expected.get("z").bytes(), actual.get("z").bytes(), where);
            }
        }
    }

    @Test
    void aConcatReadElsewhereOrAModelOutputOrNotFloatStays() {
        List<ValueInfo> in = List.of(input("a", DataType.FLOAT), input("b", DataType.FLOAT));
        Node join = new Node("join", "Concat", "", List.of("a", "b"), List.of("joined"),
            Map.of("axis", new Attribute.IntAttr(1)));
        Node dql = new Node("dql", "DynamicQuantizeLinear", "", List.of("joined"), List.of("q", "s", "z"), Map.of());
        Node relu = new Node("relu", "Relu", "", List.of("joined"), List.of("r"), Map.of());
        assertEquals(3, new ConcatQuantizeFusion().apply(graph(in, List.of(join, dql, relu), "q", "r")).nodes().size());
        assertEquals(2, new ConcatQuantizeFusion().apply(graph(in, List.of(join, dql), "q", "joined")).nodes().size());
        List<ValueInfo> ints = List.of(input("a", DataType.INT32), input("b", DataType.INT32));
        Node cast = new Node("cast", "Cast", "", List.of("joined"), List.of("f"),
            Map.of("to", new Attribute.IntAttr(DataType.FLOAT.onnxCode())));
        Node dqlOfCast = new Node("dql", "DynamicQuantizeLinear", "", List.of("f"), List.of("q", "s", "z"), Map.of());
        assertEquals(3, new ConcatQuantizeFusion().apply(graph(ints, List.of(join, cast, dqlOfCast), "q"))
            .nodes().size());
    }

    private static ValueInfo input(String name, DataType type) {
        return new ValueInfo(name, type, type.onnxCode(), List.of(Dim.of(1), Dim.of(4), Dim.of(3), Dim.of(3)));
    }

    private static Graph graph(List<ValueInfo> inputs, List<Node> nodes, String... outputs) {
        return new Graph("g", inputs, java.util.Arrays.stream(outputs).map(o -> new ValueInfo(o, null, 0, null)).toList(),
            Map.of(), nodes, Map.of("", 13), Map.of());
    }

    private static OpEnvironment env(String provider, int bits, Parallel parallel) {
        return new OpEnvironment(KernelProviders.choose(provider, bits).provider(), parallel);
    }

    private static Map<String, Tensor> run(Graph g, Map<String, Tensor> in, OpEnvironment env, GraphPass... passes) {
        return Executor.run(new Compiler(OpRegistry.defaults(), List.of(passes), env).compile(g), in);
    }
}
