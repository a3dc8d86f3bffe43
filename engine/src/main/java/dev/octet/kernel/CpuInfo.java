package dev.octet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** What the CPU and JVM offer the kernels: architecture, SIMD features relevant to int8, and C2's vector settings. */
public record CpuInfo(String arch, String model, int cpus, Set<String> simdFeatures, String useAvx, String maxVectorSize) {
    /** The features worth naming for int8 and float kernels (x86 and ARM spellings, as /proc/cpuinfo has them). */
    private static final List<String> INTERESTING = List.of("sse4_1", "avx", "avx2", "fma", "f16c", "avx512f",
        "avx512bw", "avx512vl", "avx512vbmi", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8", "asimd", "asimddp",
        "i8mm", "sve", "sve2", "bf16");

    public static CpuInfo detect() {
        ProcCpuinfo proc = ProcCpuinfo.READ;
        return new CpuInfo(System.getProperty("os.arch"), proc.model(), Runtime.getRuntime().availableProcessors(),
            proc.features(), vmFlag("UseAVX"), vmFlag("MaxVectorSize"));
    }

    /**
     * Whether /proc/cpuinfo lists {@code feature} (one of the interesting ones), for a kernel choosing its code: only
     * the file is read, once, not the JVM's flags (which load the management beans).
     */
    public static boolean hasSimdFeature(String feature) {
        return ProcCpuinfo.READ.features().contains(feature);
    }

    /**
     * Whether this is an AMD CPU of family 1Ah (Zen 5) or later, for a kernel choosing between code paths measured
     * to rank differently there than on Zen 4 (family 19h).
     */
    public static boolean isAmdZen5OrLater() {
        ProcCpuinfo proc = ProcCpuinfo.READ;
        return proc.vendor().equals("AuthenticAMD") && proc.family() >= 0x1A;
    }

    /**
     * The CPU model, vendor, x86 family and interesting features /proc/cpuinfo names (none, "unknown" and -1 without
     * it).
     */
    private record ProcCpuinfo(String model, String vendor, int family, Set<String> features) {
        /** The file read once: the CPU does not change under a running JVM. */
        static final ProcCpuinfo READ = read();

        static ProcCpuinfo read() {
            String model = "unknown";
            String vendor = "unknown";
            int family = -1;
            java.util.SortedSet<String> features = new TreeSet<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    if ((key.equals("model name") || key.equals("cpu model")) && model.equals("unknown")) {
                        model = value;
                    } else if (key.equals("vendor_id") && vendor.equals("unknown")) {
                        vendor = value;
                    } else if (key.equals("cpu family") && family < 0) {
                        family = parseFamily(value);
                    } else if (key.equals("flags") || key.equals("features")) {
                        for (String f : value.split("\\s+")) {
                            if (INTERESTING.contains(f)) {
                                features.add(f);
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                model = "unknown (no /proc/cpuinfo)";
            }
            return new ProcCpuinfo(model, vendor, family, java.util.Collections.unmodifiableSortedSet(features));
        }

        /** A decimal family number, or -1. */
        static int parseFamily(String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** A HotSpot flag's value, or "n/a" where the JVM does not say (no jdk.management, another VM). */
    static String vmFlag(String name) {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean.getVMOption(name).getValue();
        } catch (RuntimeException | LinkageError e) {
            return "n/a";
        }
    }

    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("cpu: " + model + " (" + arch + ", " + cpus + " cpus)");
        lines.add("simd: " + (simdFeatures.isEmpty() ? "none detected" : String.join(" ", simdFeatures)));
        lines.add("jvm: " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", UseAVX=" + useAvx
            + ", MaxVectorSize=" + maxVectorSize);
        return lines;
    }
}
