package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.ErrorCode;
import dev.octet.api.OctetException;
import dev.octet.api.Tensor;
import dev.octet.ir.Graph;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What control-flow operators (If, Loop, Scan) get from their session: the compiler that turns a subgraph into
 * a plan of its own when the op is built, the most iterations one Loop or Scan may run, and whether the
 * session was closed (checked before every iteration).
 */
public record ControlFlow(SubgraphCompiler compiler, long maxIterations, BooleanSupplier sessionClosed) {
    /**
     * The default limit on the iterations of one Loop or Scan run: a Loop whose condition never turns false
     * stops with RESOURCE_LIMIT instead of hanging. {@link dev.octet.api.SessionOptions} can change it.
     */
    public static final long DEFAULT_MAX_ITERATIONS = 1_000_000;

    /** No compiler (ops built outside a {@code Compiler} cannot run subgraphs), the default limit, never closed. */
    public static final ControlFlow DEFAULTS = new ControlFlow((body, inputTypes, captures, constants, types, owner) -> {
        throw new OctetException(ErrorCode.UNSUPPORTED_OP, owner + ": subgraphs are compiled by a session's compiler");
    }, DEFAULT_MAX_ITERATIONS, () -> false);

    public ControlFlow {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
        }
    }

    public ControlFlow withCompiler(SubgraphCompiler c) {
        return new ControlFlow(c, maxIterations, sessionClosed);
    }

    /** Fails with SESSION_CLOSED once the session is closed, so a long loop stops with it. */
    public void checkOpen() {
        if (sessionClosed.getAsBoolean()) {
            throw new OctetException(ErrorCode.SESSION_CLOSED, "the session was closed while a loop ran");
        }
    }

    /** Compiles a subgraph once, at load. */
    @FunctionalInterface
    public interface SubgraphCompiler {
        /**
         * {@code body} reads the outer values {@code captures}; those with a non-null entry in {@code constants}
         * are constants of the enclosing plan and are compiled in, the others are inferred as
         * {@code captureTypes} says (null entries unknown). {@code inputTypes} are the types the operator feeds
         * the subgraph's inputs (null unknown), for inputs the subgraph leaves untyped. {@code owner} names the
         * node for errors.
         */
        Subgraph compile(Graph body, DataType[] inputTypes, List<String> captures, Tensor[] constants,
                         dev.octet.ir.ValueInfo[] captureTypes, String owner);
    }

    /** A compiled subgraph: runs with its own inputs in declaration order and the values of all its captures. */
    public interface Subgraph {
        Graph graph();

        Tensor[] run(Tensor[] inputs, Tensor[] captures);
    }
}
