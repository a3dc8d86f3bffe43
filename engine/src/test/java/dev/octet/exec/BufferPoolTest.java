package dev.octet.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import dev.octet.exec.CompiledSession;
import dev.octet.ir.Dim;
import dev.octet.ir.Graph;
import dev.octet.ir.Node;
import dev.octet.ir.ValueInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    private static final ExecutionPlan PLAN = emptyPlan();
    private static final ExecutionPlan OTHER_PLAN = emptyPlan();

    private static ExecutionPlan emptyPlan() {
        return new ExecutionPlan(List.of(), new int[0], List.of(), new int[0], new ExecutionPlan.Step[0],
            new Tensor[0], 0, null, Map.of(), Map.of(), java.util.Set.of());
    }

    private static BufferPool pool() {
        BufferPool p = new BufferPool();
        p.begin(PLAN);
        return p;
    }

    @Test
    void anArrayIsReusedOnceItsLastSlotDies() {
        BufferPool p = pool();
        float[] a = p.floats(10);
        Tensor t = Tensor.ofFloats(a, 10);
        p.retain(t);
        Tensor view = t.reshape(2, 5);
        p.retain(view);
        p.release(t);
        assertNotSame(a, p.floats(10), "a view still holds it");
        p.release(view);
        assertSame(a, p.floats(10));
    }

    @Test
    void onlyTheSameTypeAndLengthIsReused() {
        BufferPool p = pool();
        float[] a = p.floats(8);
        p.giveBack(a);
        assertNotSame(a, p.floats(9));
        p.bytes(8);
        p.ints(8);
        assertSame(a, p.floats(8));
    }

    @Test
    void outputsLeaveThePoolAndEverythingElseComesBack() {
        BufferPool p = pool();
        float[] out = p.floats(4);
        float[] scratch = p.floats(4);
        Tensor o = Tensor.ofFloats(out, 4);
        p.retain(o);
        p.end(new Tensor[] {o});
        p.begin(PLAN);
        assertSame(scratch, p.floats(4));
        assertNotSame(out, p.floats(4));
    }

    @Test
    void arraysOfInputsAndConstantsAreNeverTaken() {
        BufferPool p = pool();
        float[] callers = new float[4];
        Tensor t = Tensor.ofFloats(callers, 4);
        p.retain(t);
        p.release(t);
        p.giveBack(callers);
        assertNotSame(callers, p.floats(4));
    }

    @Test
    void anotherPlanStartsFromNothing() {
        BufferPool p = pool();
        float[] a = p.floats(4);
        p.end(new Tensor[0]);
        p.begin(OTHER_PLAN);
        assertNotSame(a, p.floats(4));
    }

    @Test
    void sizesARunDoesNotUseAreDropped() {
        BufferPool p = pool();
        float[] shapeA = p.floats(4);
        p.end(new Tensor[0]);
        p.begin(PLAN);
        float[] shapeB = p.floats(6); // the same plan with other shapes: size 4 is not used this run
        p.end(new Tensor[0]);
        p.begin(PLAN);
        assertNotSame(shapeA, p.floats(4));
        assertSame(shapeB, p.floats(6));
    }

    @Test
    void runsOfASessionNeverChangeEarlierResults() {
        // Add -> Gelu -> Add: every output array comes from the pool, the middle ones are reused run to run.
        ValueInfo x = new ValueInfo("x", DataType.FLOAT, 1, List.of(Dim.of(64)));
        Graph g = new Graph("g", List.of(x), List.of(new ValueInfo("z", null, 0, null)), Map.of(), List.of(
            new Node("a", "Add", "", List.of("x", "x"), List.of("y0"), Map.of()),
            new Node("g", "Gelu", "com.microsoft", List.of("y0"), List.of("y1"), Map.of()),
            new Node("b", "Add", "", List.of("y1", "x"), List.of("z"), Map.of())),
            Map.of("", 17, "com.microsoft", 1), Map.of());
        try (CompiledSession s = new CompiledSession(g)) {
            Tensor[] outputs = new Tensor[4];
            float[][] copies = new float[4][];
            for (int r = 0; r < 4; r++) {
                float[] in = new float[64];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (i - 32) * 0.1f * (r + 1);
                }
                outputs[r] = s.run(Map.of("x", Tensor.ofFloats(in, 64))).get("z");
                copies[r] = outputs[r].floats().clone();
            }
            for (int r = 0; r < 4; r++) {
                assertArrayEquals(copies[r], outputs[r].floats(), "run " + r + "'s output was overwritten");
                for (int q = 0; q < r; q++) {
                    assertNotSame(outputs[q].floats(), outputs[r].floats());
                }
            }
        }
    }
}
