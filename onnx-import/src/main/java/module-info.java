/**
 * Reads ONNX models: {@link dev.octet.Octet} is the front door that loads a model into a session. The importer,
 * the protobuf classes and the conformance runner are internal.
 */
module dev.octet.onnx {
    // Octet's signatures use the engine's API types, so a module that reads this one reads those too.
    requires transitive dev.octet.engine;
    requires com.google.protobuf;

    exports dev.octet;
}
