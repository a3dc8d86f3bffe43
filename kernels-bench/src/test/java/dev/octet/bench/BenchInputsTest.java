package dev.octet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.api.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-ulp nudge behind the noise floor. */
class BenchInputsTest {
    @Test
    void everyFloatElementMovesOneUlpEitherWayAndIntegersStay() {
        float[] values = new float[200];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 4 == 0 ? 0f : (i - 100) * 0.37f;
        }
        Tensor ids = Tensor.ofLongs(new long[] {101, 2000, 102}, 1, 3);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        feed.put("x", Tensor.ofFloats(values.clone(), 2, 100));
        feed.put("input_ids", ids);

        Map<String, Tensor> nudged = BenchInputs.nudgedByOneUlp(feed, 42).orElseThrow();
        assertSame(ids, nudged.get("input_ids"));
        assertEquals(feed.get("x").toString(), nudged.get("x").toString(), "same type and shape");
        float[] moved = nudged.get("x").floats();
        int up = 0;
        for (int i = 0; i < values.length; i++) {
            if (moved[i] == Math.nextUp(values[i])) {
                up++;
            } else {
                assertEquals(Math.nextDown(values[i]), moved[i], 0f, "element " + i);
            }
        }
        assertTrue(up > 50 && up < 150, "a fair coin per element, got " + up + " of 200 up");
        assertTrue(Arrays.equals(values, feed.get("x").floats()), "the original inputs stay as they are");
        assertTrue(Arrays.equals(moved, BenchInputs.nudgedByOneUlp(feed, 42).orElseThrow().get("x").floats()),
            "seeded");
        assertNotEquals(Arrays.toString(moved),
            Arrays.toString(BenchInputs.nudgedByOneUlp(feed, 43).orElseThrow().get("x").floats()));
    }

    @Test
    void nothingToNudgeWithoutFloatInputs() {
        Map<String, Tensor> feed = Map.of("input_ids", Tensor.ofLongs(new long[] {101, 102}, 1, 2),
            "attention_mask", Tensor.ofLongs(new long[] {1, 1}, 1, 2));
        assertTrue(BenchInputs.nudgedByOneUlp(feed, 42).isEmpty());
    }
}
