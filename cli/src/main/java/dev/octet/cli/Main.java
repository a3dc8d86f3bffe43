package dev.octet.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import dev.octet.api.OctetException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code octet} command line: one class per subcommand. */
public final class Main {
    /** A subcommand; returns the process exit status. */
    interface Command {
        int call(PrintStream out) throws Exception;
    }

    static final class GlobalOptions {
        @Parameter(names = {"--verbose", "-v"}, description = "Print stack traces on errors")
        boolean verbose;

        @Parameter(names = {"--help", "-h"}, help = true, description = "Show usage")
        boolean help;
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Held so the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger OCTET_LOG = java.util.logging.Logger.getLogger("dev.octet");

    static int run(String[] args, PrintStream out, PrintStream err) {
        GlobalOptions global = new GlobalOptions();
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("validate", new ValidateCommand());
        commands.put("inspect", new InspectCommand());
        commands.put("run", new RunCommand());
        commands.put("info", new InfoCommand());
        commands.put("embed", new EmbedCommand());
        commands.put("profile", new ProfileCommand());
        commands.put("bench", new BenchCommand());
        JCommander.Builder b = JCommander.newBuilder().addObject(global).programName("octet");
        commands.forEach(b::addCommand);
        JCommander jc = b.build();
        try {
            jc.parse(args);
        } catch (ParameterException e) {
            err.println("octet: " + e.getMessage());
            err.println("Run 'octet --help' for usage.");
            return 2;
        }
        // The kernel choice is logged at INFO; the command line shows it only with --verbose (and in 'info').
        OCTET_LOG.setLevel(global.verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        String name = jc.getParsedCommand();
        if (global.help || name == null) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(sb);
            out.print(sb);
            return global.help ? 0 : 2;
        }
        try {
            return commands.get(name).call(out);
        } catch (OctetException e) {
            err.println("octet: error: " + e.getMessage() + " [" + e.code() + "]");
            if (global.verbose) {
                e.printStackTrace(err);
            }
            return 1;
        } catch (Exception e) {
            err.println("octet: error: " + e);
            if (global.verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }
}
