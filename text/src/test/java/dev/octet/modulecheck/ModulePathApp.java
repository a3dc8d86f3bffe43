package dev.octet.modulecheck;

import dev.octet.Octet;
import dev.octet.api.InferenceSession;
import dev.octet.models.BundledModels;
import dev.octet.text.SentenceEmbedder;
import java.util.List;

/**
 * A class-path application that uses Octet's modules from the module path (run by ModulesTest in a forked JVM).
 * Its package is outside Octet's modules, so it sees them as any user does.
 */
public final class ModulePathApp {
    private ModulePathApp() {}

    public static void main(String[] args) {
        System.out.println("module " + SentenceEmbedder.class.getModule().getName() + ", engine module "
            + InferenceSession.class.getModule().getName());
        try (InferenceSession session = Octet.load(BundledModels.minilmModelBytes())) {
            System.out.println("kernels " + session.kernelDescription() + ", inputs " + session.inputs());
            try {
                session.getClass().getMethod("graph").invoke(session);
                System.out.println("internals open: " + session.getClass().getName() + ".graph() ran");
            } catch (IllegalAccessException expected) {
                System.out.println("internals closed: dev.octet.exec is not exported ("
                    + session.getClass().getModule().isExported("dev.octet.exec") + ")");
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        try (SentenceEmbedder embedder = SentenceEmbedder.load("minilm")) {
            float[] v = embedder.embed(List.of("Octet runs on the module path."))[0];
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            System.out.printf(java.util.Locale.ROOT, "dimension %d, norm %.3f%n", v.length, Math.sqrt(norm));
        }
    }
}
