package dev.octet.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress lines on stderr for commands that run for a while (bench, profile, validate): the first after
 * {@link #FIRST_NANOS} (or the interval, if shorter), then one per interval, each saying what the command is at and
 * for how long. Off unless stderr is a terminal (scripts/octet passes {@code -Doctet.stderrIsTerminal=true}) or
 * {@code --progress} asks, so logs and tests get none.
 */
final class Progress {
    static final long FIRST_NANOS = 2_000_000_000L;
    static final Progress OFF = new Progress(null, "", 0, System::nanoTime);

    private final PrintStream err;
    private final String command;
    private final long everyNanos;
    private final LongSupplier clock;
    private long start;
    private long next;

    Progress(PrintStream err, String command, long everyNanos, LongSupplier clock) {
        this.err = err;
        this.command = command;
        this.everyNanos = everyNanos;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.next = start + Math.min(FIRST_NANOS, everyNanos);
    }

    /** Prints {@code octet COMMAND: WHAT (N s)} if a line is due; {@code what} is only computed then. */
    void update(Supplier<String> what) {
        if (err == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now - next >= 0) {
            err.println("octet " + command + ": " + what.get()
                + String.format(Locale.ROOT, " (%.0f s)", (now - start) / 1e9));
            next = now + everyNanos;
        }
    }
}
