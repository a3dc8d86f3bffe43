package dev.octet.api;

/** What kind of problem an {@link OctetException} reports. */
public enum ErrorCode {
    /** The file is not a readable ONNX model (truncated, not protobuf, bad field values). */
    INVALID_MODEL,
    /** The graph is malformed: undefined or duplicate values, a cycle, bad attributes. */
    INVALID_GRAPH,
    /** An operator Octet does not implement. */
    UNSUPPORTED_OP,
    /** An operator set version outside the range Octet supports. */
    UNSUPPORTED_OPSET,
    /** A tensor element type Octet does not support. */
    UNSUPPORTED_TYPE,
    /** An input given to run() does not match the model: name, type or shape. */
    INVALID_INPUT,
    /** A shape or index that is out of range at run time. */
    INVALID_SHAPE,
    /** Reading the model or its external data failed. */
    IO,
    /** A tensor would need more memory than the JVM's heap has: typed instead of an OutOfMemoryError. */
    RESOURCE_LIMIT,
    /**
     * The JVM lacks what an option asks for: vector kernels (see {@link SessionOptions#requireVectorKernels})
     * without the jdk.incubator.vector module, or with C2 disabled.
     */
    UNSUPPORTED_RUNTIME,
    /** The session was closed before or while the run used it. */
    SESSION_CLOSED,
    /** A bug in Octet itself: the cause is the original exception. Please report it with the model. */
    INTERNAL
}
