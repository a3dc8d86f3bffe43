/**
 * Octet's engine: the public API is {@code dev.octet.api}; everything else is internal and exported only to
 * Octet's own modules.
 *
 * <p>{@code jdk.incubator.vector} is a plain {@code requires}, not {@code requires static}: resolving this module
 * then resolves the Vector API too, so an application on the module path gets the vector kernels without any
 * {@code --add-modules} flag (the JVM prints its one "Using incubator modules" line). The price is that a runtime
 * image without the module cannot resolve Octet; every standard JDK has it. On the class path this descriptor is
 * ignored, and a JVM started without {@code --add-modules jdk.incubator.vector} gets the scalar kernels with a
 * warning (or an error, with {@code SessionOptions.requireVectorKernels}).
 */
module dev.octet.engine {
    requires jdk.incubator.vector;
    requires java.management;
    // Only CpuInfo's diagnostics read HotSpot flags through it, and they report "n/a" when it is absent.
    requires static jdk.management;

    exports dev.octet.api;

    exports dev.octet.ir to dev.octet.onnx, dev.octet.text;
    exports dev.octet.exec to dev.octet.onnx, dev.octet.text;
    exports dev.octet.ops to dev.octet.onnx;
}
