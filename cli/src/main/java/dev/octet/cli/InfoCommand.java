package dev.octet.cli;

import com.beust.jcommander.Parameters;
import dev.octet.kernel.CpuInfo;
import dev.octet.kernel.KernelProvider;
import dev.octet.kernel.KernelProviders;
import java.io.PrintStream;

@Parameters(commandNames = "info", commandDescription = "Show the kernels Octet chose here, why, and the CPU and JVM they run on")
final class InfoCommand extends Main.Command {
    @Override
    int call(PrintStream out) {
        KernelProviders.Choice choice = KernelProviders.defaultChoice();
        KernelProvider p = choice.provider();
        out.println("provider: " + p.describe() + " (" + choice.reason() + ")");
        out.println("vector width: " + (p.vectorBits() == 0 ? "none (scalar)" : p.vectorBits() + " bits"));
        out.println("int8 gemm: " + p.qgemm().id());
        out.println("float kernels: " + p.floats().getClass().getSimpleName());
        CpuInfo.detect().describe().forEach(out::println);
        out.println("override: -Doctet.provider=auto|scalar|vector -Doctet.vectorBits=128|256|512 (OCTET_JAVA_OPTS), "
            + "or --provider/--vector-bits on run");
        return 0;
    }
}
