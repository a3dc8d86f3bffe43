package dev.octet.kernel;

import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.kernel.scalar.ScalarKernelProvider;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses kernels: the Vector API provider when the JVM can run it well, else the scalar reference, with
 * the reason logged once (Lucene's pattern). The vector classes are loaded reflectively, so a JVM started
 * without {@code --add-modules jdk.incubator.vector} gets scalar kernels instead of a linkage error. The lookups
 * are this class's own: on the module path the panama package is not exported, so a public lookup cannot see it.
 *
 * <p>System properties: {@code octet.provider} = auto | scalar | vector, {@code octet.vectorBits} =
 * 128 | 256 | 512 (default: the JVM's preferred width), {@code octet.warmup} = true | false (sessions' default
 * for {@link #choose(String, int, boolean)}).
 */
public final class KernelProviders {
    private static final System.Logger LOG = System.getLogger(KernelProviders.class.getName());

    /** What to add when the Vector API module is missing, for the warning and the error. */
    private static final String ADD_MODULES = "--add-modules jdk.incubator.vector";
    private static final String MODULE_MISSING = "the jdk.incubator.vector module is not loaded";
    private static final AtomicBoolean WARNED_MODULE_MISSING = new AtomicBoolean();

    /** The vector widths of this JVM's sessions, for {@link #mixedWidthsWarning}. */
    private static final java.util.Set<Integer> SESSION_WIDTHS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean WARNED_MIXED_WIDTHS = new AtomicBoolean();
    /** The C2 inlining budget README asks for when one JVM runs two vector widths. */
    private static final int RAISED_INLINING_CUTOFF = 100_000;
    private static final String RAISED_INLINING_FLAGS = "-XX:LiveNodeCountInliningCutoff=" + RAISED_INLINING_CUTOFF
        + " -XX:MaxNodeLimit=240000 -XX:NodeLimitFudgeFactor=6000";

    private KernelProviders() {}

    private static final class Holder {
        static final Choice DEFAULT = choose(System.getProperty("octet.provider", "auto"),
            Integer.getInteger("octet.vectorBits", 0));
        static {
            LOG.log(System.Logger.Level.INFO, "Octet kernels: " + DEFAULT.provider.describe() + " (" + DEFAULT.reason + ")");
            if (DEFAULT.reason.startsWith(MODULE_MISSING)) {
                warnModuleMissing();
            }
        }
    }

    /** A provider and why it was chosen. */
    public record Choice(KernelProvider provider, String reason) {}

    /** The process-wide default provider. */
    public static KernelProvider get() {
        return Holder.DEFAULT.provider;
    }

    public static Choice defaultChoice() {
        return Holder.DEFAULT;
    }

    /**
     * {@link #choose(String, int)} for a session: with {@code warmup}, vector kernels come behind the process's
     * warm-up gate, running scalar arithmetic (the same bits) until C2 has compiled their vector code.
     */
    public static Choice choose(String name, int bits, boolean warmup) {
        return choose(name, bits, warmup, false);
    }

    /**
     * {@link #choose(String, int, boolean)}, failing with {@link ErrorCode#UNSUPPORTED_RUNTIME} instead of falling
     * back to the scalar kernels when {@code requireVector} is set.
     */
    public static Choice choose(String name, int bits, boolean warmup, boolean requireVector) {
        Choice c = choose(name, bits);
        if (requireVector && c.provider().vectorBits() == 0) {
            throw new OctetException(ErrorCode.UNSUPPORTED_RUNTIME, "vector kernels are required"
                + " (requireVectorKernels), but this session would run the scalar ones: " + c.reason());
        }
        if (c.reason().startsWith(MODULE_MISSING)) {
            warnModuleMissing();
        }
        if (c.provider().vectorBits() != 0 && SESSION_WIDTHS.add(c.provider().vectorBits())) {
            String warning = mixedWidthsWarning(SESSION_WIDTHS, CpuInfo.vmFlag("LiveNodeCountInliningCutoff"));
            if (warning != null && WARNED_MIXED_WIDTHS.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, warning);
            }
        }
        if (!warmup || c.provider().vectorBits() == 0) {
            return c;
        }
        try {
            Class<?> w = Class.forName("dev.octet.kernel.panama.WarmingKernelProvider");
            KernelProvider gated = (KernelProvider) MethodHandles.lookup()
                .findStatic(w, "of", MethodType.methodType(w, int.class)).invoke(c.provider().vectorBits());
            return new Choice(gated, c.reason() + ", scalar until warm");
        } catch (Throwable t) {
            throw new IllegalStateException("cannot load the vector kernels' warm-up: " + t, t);
        }
    }

    /**
     * The provider for a request: {@code name} auto, scalar or vector; {@code bits} 0 for the preferred width.
     * "vector" fails when the Vector API is unavailable; "auto" falls back to scalar.
     */
    public static Choice choose(String name, int bits) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "scalar":
                return new Choice(ScalarKernelProvider.INSTANCE, "requested");
            case "vector": {
                String why = vectorUnavailable();
                if (why != null) {
                    throw new OctetException(ErrorCode.UNSUPPORTED_RUNTIME, "vector kernels unavailable: " + why);
                }
                return new Choice(panama(bits == 0 ? preferredBits() : bits), "requested");
            }
            case "auto": {
                String why = vectorUnavailable();
                if (why == null && bits == 0 && preferredBits() < 256 && isX86()) {
                    why = "the JVM prefers " + preferredBits() + "-bit vectors here, too narrow for fast integer kernels";
                }
                if (why != null) {
                    return new Choice(ScalarKernelProvider.INSTANCE, why);
                }
                int b = bits == 0 ? preferredBits() : bits;
                return new Choice(panama(b), "Vector API available, " + b + "-bit vectors");
            }
            default:
                throw new IllegalArgumentException("unknown kernel provider '" + name + "' (auto, scalar or vector)");
        }
    }

    /**
     * The warning for sessions of several vector widths in one JVM, or null: one width, or C2's inlining cutoff
     * (the flag's value, "n/a" when unknown) already raised. C2 inlines every Vector API call of a kernel late,
     * guessing its receiver's class from profiles all widths share; with two widths an 8-row fused GEMM tile's
     * ~130 calls outgrow the default budget and the last ones stay calls that allocate on every run (MobileNetV2
     * at 512 bits after 300 runs at 128: 0.6-2.8 MB a run for good; settled at run 18 with the flags; Zen 4).
     */
    static String mixedWidthsWarning(java.util.Set<Integer> widths, String inliningCutoff) {
        if (widths.size() < 2) {
            return null;
        }
        try {
            if (Long.parseLong(inliningCutoff) >= RAISED_INLINING_CUTOFF) {
                return null;
            }
        } catch (NumberFormatException unknown) {
            // The JVM does not say ("n/a"): warn.
        }
        return "Octet sessions in this JVM run vector kernels of " + new java.util.TreeSet<>(widths) + " bits: with"
            + " more than one width, C2 can run out of inlining budget in the fused GEMM tiles and leave them"
            + " allocating on every run. Give every session the same vectorBits, or start java with "
            + RAISED_INLINING_FLAGS + " (README, \"Several vector widths in one JVM\").";
    }

    /** Once per process: the scalar fallback is correct but slow, so say how to get the vector kernels. */
    private static void warnModuleMissing() {
        if (WARNED_MODULE_MISSING.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Octet runs its scalar kernels: the results are identical but about"
                + " 20x slower, because the jdk.incubator.vector module is not loaded. On the class path, start java"
                + " with " + ADD_MODULES + " (on the module path, module dev.octet.engine requires it). To make this"
                + " an error instead, set SessionOptions.builder().requireVectorKernels(true) or"
                + " -Doctet.requireVectorKernels=true.");
        }
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** Null when the Vector API can be used, else the reason it cannot. */
    private static String vectorUnavailable() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return MODULE_MISSING + ": on the class path, start java with " + ADD_MODULES
                + "; on the module path, module dev.octet.engine requires it";
        }
        var vm = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (vm.contains("-Xint") || vm.stream().anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("4"))) {
            return "C2 is disabled, so vector code would not be compiled";
        }
        return null;
    }

    private static int preferredBits() {
        try {
            Class<?> c = Class.forName("dev.octet.kernel.panama.PanamaKernelProvider");
            return (int) MethodHandles.lookup().findStatic(c, "preferredBits", MethodType.methodType(int.class))
                .invoke();
        } catch (Throwable t) {
            return 0;
        }
    }

    private static KernelProvider panama(int bits) {
        try {
            Class<?> c = Class.forName("dev.octet.kernel.panama.PanamaKernelProvider");
            return (KernelProvider) MethodHandles.lookup()
                .findConstructor(c, MethodType.methodType(void.class, int.class)).invoke(bits);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot load the vector kernels: " + t, t);
        }
    }
}
