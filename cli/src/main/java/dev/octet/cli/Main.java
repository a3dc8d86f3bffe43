package dev.octet.cli;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterDescription;
import com.beust.jcommander.ParameterException;
import com.beust.jcommander.ParametersDelegate;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code octet} command line: one class per subcommand. Every failure ends in one line on stderr,
 * {@code octet: error: MESSAGE [KIND]}, and one of the exit statuses below ({@code --verbose} adds the stack trace).
 */
public final class Main {
    /** Success. */
    static final int OK = 0;
    /** The model, an input or a file is bad (a typed {@link OctetException}), or validate saw failing tests. */
    static final int FAILED = 1;
    /** The command line itself is wrong: unknown command or option, a missing or non-numeric value. */
    static final int USAGE = 2;
    // 3 is scripts/octet's "no JDK 25 found".
    /** The JVM ran out of heap, or a tensor would not fit in it (RESOURCE_LIMIT): more than -Xmx allows. */
    static final int OUT_OF_MEMORY = 4;
    /** An unexpected exception or an INTERNAL error: a bug in Octet. */
    static final int INTERNAL = 5;

    /** A subcommand; {@link #call} returns the process exit status. Every command takes {@code --help}. */
    abstract static class Command {
        @ParametersDelegate
        final HelpOption help = new HelpOption();

        /** Where long commands report how far they are; set by {@link Main#run} before {@link #call}. */
        Progress progress = Progress.OFF;

        abstract int call(PrintStream out) throws Exception;
    }

    static final class GlobalOptions {
        @Parameter(names = {"--verbose", "-v"}, description = "Print stack traces on errors, and the kernel choice")
        boolean verbose;

        @Parameter(names = {"--help", "-h"}, help = true, description = "Show usage")
        boolean help;

        @Parameter(names = "--version", help = true, description = "Show Octet's and the JDK's versions")
        boolean version;

        @Parameter(names = "--progress", description = "Progress lines on stderr during long commands (bench, profile, "
            + "validate) even when stderr is not a terminal")
        boolean progress;

        @Parameter(names = "--progress-every", description = "Seconds between progress lines")
        double progressEverySeconds = 5;
    }

    /** {@code --help} / {@code -h}, added to every subcommand. */
    static final class HelpOption {
        @Parameter(names = {"--help", "-h"}, help = true, description = "Show this command's usage")
        boolean help;
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Held so the level set on it stays (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger OCTET_LOG = java.util.logging.Logger.getLogger("dev.octet");

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, InputStream.nullInputStream(), out, err);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        GlobalOptions global = new GlobalOptions();
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("validate", new ValidateCommand());
        commands.put("inspect", new InspectCommand());
        commands.put("run", new RunCommand());
        commands.put("info", new InfoCommand());
        commands.put("embed", new EmbedCommand(in));
        commands.put("profile", new ProfileCommand());
        commands.put("bench", new BenchCommand());
        commands.put("version", new VersionCommand());
        JCommander.Builder b = JCommander.newBuilder().addObject(global).programName("octet");
        commands.forEach(b::addCommand);
        JCommander jc = b.build();
        int commandAt = commandIndex(jc, args);
        String unknown = commandAt < 0 ? null : unknownOption(jc.getCommands().get(args[commandAt]), args, commandAt);
        if (unknown != null) {
            err.println("octet: " + args[commandAt] + " has no option '" + SafeText.oneLine(unknown) + "'");
            err.println("Run 'octet " + args[commandAt] + " --help' for usage.");
            return USAGE;
        }
        try {
            jc.parse(args);
        } catch (ParameterException e) {
            err.println("octet: " + SafeText.oneLine(e.getMessage()));
            err.println("Run 'octet " + (commandAt < 0 ? "" : args[commandAt] + " ") + "--help' for usage.");
            return USAGE;
        }
        // The kernel choice is logged at INFO; the command line shows it only with --verbose (and in 'info').
        OCTET_LOG.setLevel(global.verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        String name = jc.getParsedCommand();
        if (global.version) {
            name = "version";
        } else if (name != null && commands.get(name).help.help) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(name, sb);
            out.print(sb.toString().replace("Usage: " + name + " ", "Usage: octet " + name + " "));
            return OK;
        } else if (global.help || name == null) {
            StringBuilder sb = new StringBuilder();
            jc.getUsageFormatter().usage(sb);
            out.print(sb);
            out.println("Exit status: 0 success; 1 a bad model, input or file (or failing tests in validate); "
                + "2 a usage error; 3 no JDK 25 (scripts/octet); 4 out of memory; 5 an internal error.");
            return global.help ? OK : USAGE;
        }
        if (!(global.progressEverySeconds >= 0)) {
            return failure(new OctetException(ErrorCode.INVALID_INPUT,
                "--progress-every takes a number of seconds of at least 0, got " + global.progressEverySeconds), false, err);
        }
        Main.Command command = commands.get(name);
        if (global.progress || Boolean.getBoolean("octet.stderrIsTerminal")) {
            command.progress = new Progress(err, name, (long) (global.progressEverySeconds * 1e9), System::nanoTime);
        }
        try {
            return command.call(out);
        } catch (Throwable e) {
            return failure(e, global.verbose, err);
        }
    }

    /** Where the command's name is in {@code args} (after the global options), or -1. */
    private static int commandIndex(JCommander jc, String[] args) {
        for (int at = 0; at < args.length; at += args[at].equals("--progress-every") ? 2 : 1) {
            if (jc.getCommands().containsKey(args[at])) {
                return at;
            }
        }
        return -1;
    }

    /**
     * The first argument after the command's name that looks like an option ({@code --name}) but is none of the
     * command's, nor the value of one: jcommander would take it for a main argument (a model path, a sentence).
     */
    private static String unknownOption(JCommander command, String[] args, int at) {
        Map<String, Boolean> takesValue = new java.util.HashMap<>();
        for (ParameterDescription p : command.getParameters()) {
            Class<?> type = p.getParameterized().getType();
            for (String n : p.getParameter().names()) {
                takesValue.put(n, type != boolean.class && type != Boolean.class);
            }
        }
        for (int i = at + 1; i < args.length; i++) {
            String a = args[i];
            if (takesValue.containsKey(a)) {
                i += takesValue.get(a) ? 1 : 0;
            } else if (a.startsWith("--") && a.length() > 2) {
                return a;
            }
        }
        return null;
    }

    /** Prints the one line for a failed command (and with {@code verbose} its stack trace); returns the exit status. */
    static int failure(Throwable e, boolean verbose, PrintStream err) {
        return switch (e) {
            case OctetException o -> fail(err, verbose, e, SafeText.oneLine(o.getMessage())
                + (o.code() == ErrorCode.INTERNAL && !verbose ? " (a bug in Octet; --verbose prints the stack trace)" : "")
                + " [" + o.code() + "]",
                switch (o.code()) {
                    case INTERNAL -> INTERNAL;
                    case RESOURCE_LIMIT -> OUT_OF_MEMORY;
                    default -> FAILED;
                });
            case IOException io -> fail(err, verbose, e, SafeText.oneLine(describe(io)) + " [IO]", FAILED);
            case UncheckedIOException io -> fail(err, verbose, e, SafeText.oneLine(describe(io.getCause())) + " [IO]", FAILED);
            case OutOfMemoryError oom -> fail(err, verbose, e, "out of memory (" + SafeText.oneLine(oom.getMessage())
                + "); give the JVM more heap, e.g. OCTET_JAVA_OPTS=-Xmx8g [OUT_OF_MEMORY]", OUT_OF_MEMORY);
            default -> fail(err, verbose, e, "internal error, a bug in Octet: " + SafeText.oneLine(e.toString())
                + (verbose ? "" : " (--verbose prints the stack trace)") + " [INTERNAL]", INTERNAL);
        };
    }

    /** An I/O failure as "PATH: what happened"; file system exceptions carry only the path as their message. */
    private static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs && fs.getFile() != null) {
            String why = switch (fs) {
                case java.nio.file.NoSuchFileException x -> "no such file or directory";
                case java.nio.file.AccessDeniedException x -> "permission denied";
                case java.nio.file.FileAlreadyExistsException x -> "already exists";
                case java.nio.file.NotDirectoryException x -> "not a directory";
                default -> fs.getReason() != null ? fs.getReason() : fs.getClass().getSimpleName();
            };
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + why;
        }
        return String.valueOf(e.getMessage());
    }

    private static int fail(PrintStream err, boolean verbose, Throwable e, String line, int status) {
        err.println("octet: error: " + line);
        if (verbose) {
            e.printStackTrace(err);
        }
        return status;
    }
}
