package dev.octet.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.octet.api.Tensor;
import dev.octet.ir.Attribute;
import dev.octet.ir.Node;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Resize keeps the coordinate tables of its last geometry: a call with the shapes of the one before allocates its
 * output and small objects, not the tables again; a new geometry gets tables of its own.
 */
class ResizeTablesTest {
    private static final int WIDE = 1 << 14;

    @Test
    void aRepeatedGeometryReusesItsTables() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported(), "the JVM counts allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String mode : new String[] {"nearest", "linear"}) {
            Node node = new Node("n", "Resize", "", List.of("x", "", "", "sizes"), List.of("y"),
                Map.of("mode", new Attribute.StringAttr(mode)));
            Op resize = OpRegistry.defaults().create(node, 13, new Tensor[4]);
            // 2 x 2 to 2 x WIDE: the tables along the wide axis are as large as a row of the output.
            Tensor x = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
            Tensor wide = Tensor.ofLongs(new long[] {1, 1, 2, WIDE}, 4);
            Tensor narrow = Tensor.ofLongs(new long[] {1, 1, 2, WIDE / 2}, 4);
            float[] first = resize.run(new Tensor[] {x, null, null, wide})[0].floats();
            long outputBytes = 2L * WIDE * Float.BYTES;
            long before = threads.getCurrentThreadAllocatedBytes();
            float[] again = resize.run(new Tensor[] {x, null, null, wide})[0].floats();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertArrayEquals(first, again, mode);
            assertTrue(allocated < outputBytes + 2048, mode + ": the repeated call allocated " + allocated
                + " bytes for a " + outputBytes + "-byte output");
            // Another geometry, then the first again: each gets the values of a fresh op.
            Op fresh = OpRegistry.defaults().create(node, 13, new Tensor[4]);
            assertArrayEquals(fresh.run(new Tensor[] {x, null, null, narrow})[0].floats(),
                resize.run(new Tensor[] {x, null, null, narrow})[0].floats(), mode + " narrow");
            assertArrayEquals(first, resize.run(new Tensor[] {x, null, null, wide})[0].floats(), mode + " wide again");
        }
    }
}
