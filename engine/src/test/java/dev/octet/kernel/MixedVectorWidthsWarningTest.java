package dev.octet.kernel;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The once-per-JVM warning when sessions of two vector widths share the JVM (README, "Several vector widths"). */
class MixedVectorWidthsWarningTest {
    @Test
    void oneWidthNeedsNoWarning() {
        assertNull(KernelProviders.mixedWidthsWarning(Set.of(512), "40000"));
        assertNull(KernelProviders.mixedWidthsWarning(Set.of(256), "n/a"));
    }

    @Test
    void twoWidthsWithTheDefaultBudgetNameTheWidthsAndTheFlags() {
        String w = KernelProviders.mixedWidthsWarning(Set.of(512, 128), "40000");
        assertNotNull(w);
        assertTrue(w.contains("[128, 512] bits"), w);
        assertTrue(w.contains("-XX:LiveNodeCountInliningCutoff=100000 -XX:MaxNodeLimit=240000"
            + " -XX:NodeLimitFudgeFactor=6000"), w);
        assertNotNull(KernelProviders.mixedWidthsWarning(Set.of(256, 512), "99999"));
    }

    @Test
    void twoWidthsWithTheBudgetRaisedNeedNoWarning() {
        assertNull(KernelProviders.mixedWidthsWarning(Set.of(128, 512), "100000"));
        assertNull(KernelProviders.mixedWidthsWarning(Set.of(128, 256, 512), "400000"));
    }

    @Test
    void anUnknownBudgetWarns() {
        assertNotNull(KernelProviders.mixedWidthsWarning(Set.of(128, 512), "n/a"));
    }
}
