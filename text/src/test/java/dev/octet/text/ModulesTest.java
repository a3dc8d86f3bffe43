package dev.octet.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.octet.Octet;
import dev.octet.api.InferenceSession;
import dev.octet.models.BundledModels;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The module descriptors of engine, onnx-import and text, read from their built classes: what they export, that
 * the public types of those packages mention nothing else, and that an application on the module path runs.
 */
class ModulesTest {
    private static final List<Class<?>> MODULE_CLASSES = List.of(InferenceSession.class, Octet.class,
        SentenceEmbedder.class);

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ModuleDescriptor descriptor(Class<?> c) {
        List<ModuleDescriptor> found = ModuleFinder.of(location(c)).findAll().stream()
            .map(java.lang.module.ModuleReference::descriptor).toList();
        assertEquals(1, found.size(), "modules at " + location(c));
        return found.getFirst();
    }

    /** Package name to the modules it is exported to, "*" for everyone. */
    private static Map<String, Set<String>> exports(ModuleDescriptor d) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            out.put(e.source(), e.isQualified() ? new TreeSet<>(e.targets()) : Set.of("*"));
        }
        return out;
    }

    private static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().filter(r -> !r.name().equals("java.base"))
            .map(r -> r.modifiers().stream().map(m -> m.name().toLowerCase(java.util.Locale.ROOT) + " ")
                .sorted().collect(Collectors.joining()) + r.name())
            .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theEngineExportsOnlyItsApiAndItsInternalsToOctetsOwnModules() {
        ModuleDescriptor d = descriptor(InferenceSession.class);
        assertEquals("dev.octet.engine", d.name());
        assertFalse(d.isAutomatic() || d.isOpen());
        assertEquals(Map.of(
            "dev.octet.api", Set.of("*"),
            "dev.octet.ir", Set.of("dev.octet.onnx", "dev.octet.text"),
            "dev.octet.exec", Set.of("dev.octet.onnx", "dev.octet.text"),
            "dev.octet.ops", Set.of("dev.octet.onnx")), exports(d));
        // A plain requires: on the module path the Vector API resolves without --add-modules.
        assertEquals(Set.of("jdk.incubator.vector", "java.management", "static jdk.management"), requires(d));
        assertTrue(d.opens().isEmpty());
    }

    @Test
    void theImporterExportsOnlyTheFrontDoor() {
        ModuleDescriptor d = descriptor(Octet.class);
        assertEquals("dev.octet.onnx", d.name());
        assertEquals(Map.of("dev.octet", Set.of("*")), exports(d));
        assertEquals(Set.of("transitive dev.octet.engine", "com.google.protobuf"), requires(d));
        assertTrue(d.packages().containsAll(Set.of("dev.octet.onnx", "dev.octet.onnx.proto")), d.packages().toString());
    }

    @Test
    void textExportsOnlyTheEmbedder() {
        ModuleDescriptor d = descriptor(SentenceEmbedder.class);
        assertEquals("dev.octet.text", d.name());
        assertEquals(Map.of("dev.octet.text", Set.of("*")), exports(d));
        assertEquals(Set.of("transitive dev.octet.onnx", "dev.octet.models"), requires(d));
    }

    @Test
    void modelsIsAModuleOfItsOwn() {
        ModuleDescriptor d = descriptor(BundledModels.class);
        assertEquals("dev.octet.models", d.name());
        assertEquals(Map.of("dev.octet.models", Set.of("*")), exports(d));
    }

    @Test
    void protobufHasTheModuleNameTheImporterRequires() {
        ModuleDescriptor d = descriptor(com.google.protobuf.Message.class);
        assertEquals("com.google.protobuf", d.name());
        assertTrue(d.isAutomatic());
    }

    // --- The API surface: public signatures mention only exported Octet packages and java.*.

    private static Set<String> exportedPackages() {
        Set<String> out = new TreeSet<>();
        for (Class<?> c : MODULE_CLASSES) {
            descriptor(c).exports().stream().filter(e -> !e.isQualified()).forEach(e -> out.add(e.source()));
        }
        return out;
    }

    /** The classes of {@code pkg} at a module's location (a classes folder or a jar). */
    private static List<String> classNames(Path location, String pkg) throws IOException {
        String dir = pkg.replace('.', '/') + "/";
        List<String> entries = new ArrayList<>();
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.list(location.resolve(dir))) {
                files.forEach(f -> entries.add(dir + f.getFileName()));
            }
        } else {
            try (ZipFile jar = new ZipFile(location.toFile())) {
                jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith(dir) && n.indexOf('/', dir.length()) < 0).forEach(entries::add);
            }
        }
        return entries.stream().filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class"))
            .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.')).sorted().toList();
    }

    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return !c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic();
    }

    private static boolean visible(Member m) {
        return (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())) && !m.isSynthetic()
            && !(m instanceof Method method && method.isBridge());
    }

    /** Adds to {@code bad} every class in {@code t} outside java.* and the exported packages. */
    private static void check(Type t, Set<String> allowed, Set<Type> seen, Set<String> bad) {
        if (t == null || !seen.add(t)) {
            return;
        }
        switch (t) {
            case Class<?> c when c.isArray() -> check(c.getComponentType(), allowed, seen, bad);
            case Class<?> c -> {
                if (!c.isPrimitive() && !c.getPackageName().startsWith("java.") && !allowed.contains(c.getPackageName())) {
                    bad.add(c.getName());
                }
            }
            case ParameterizedType p -> {
                check(p.getRawType(), allowed, seen, bad);
                check(p.getOwnerType(), allowed, seen, bad);
                for (Type a : p.getActualTypeArguments()) {
                    check(a, allowed, seen, bad);
                }
            }
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) {
                    check(b, allowed, seen, bad);
                }
                for (Type b : w.getLowerBounds()) {
                    check(b, allowed, seen, bad);
                }
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) {
                    check(b, allowed, seen, bad);
                }
            }
            case GenericArrayType g -> check(g.getGenericComponentType(), allowed, seen, bad);
            default -> throw new IllegalStateException("unexpected type " + t);
        }
    }

    private static List<String> problems(Class<?> c, Set<String> allowed) {
        List<String> out = new ArrayList<>();
        Map<String, List<Type>> uses = new TreeMap<>();
        List<Type> header = new ArrayList<>(List.of(c.getGenericInterfaces()));
        header.add(c.getGenericSuperclass());
        header.addAll(List.of(c.getTypeParameters()));
        uses.put("class " + c.getName(), header);
        List<Member> members = new ArrayList<>();
        members.addAll(List.of(c.getMethods()));
        members.addAll(List.of(c.getDeclaredMethods()));
        members.addAll(List.of(c.getDeclaredConstructors()));
        members.addAll(List.of(c.getFields()));
        members.addAll(List.of(c.getDeclaredFields()));
        for (Member m : members) {
            if (!visible(m)) {
                continue;
            }
            List<Type> types = new ArrayList<>();
            if (m instanceof Executable e) {
                types.addAll(List.of(e.getGenericParameterTypes()));
                types.addAll(List.of(e.getGenericExceptionTypes()));
                types.addAll(List.of(e.getTypeParameters()));
                if (e instanceof Method method) {
                    types.add(method.getGenericReturnType());
                }
            } else if (m instanceof Field f) {
                types.add(f.getGenericType());
            }
            uses.put(m.toString(), types);
        }
        uses.forEach((member, types) -> {
            Set<String> bad = new TreeSet<>();
            Set<Type> seen = new HashSet<>();
            types.forEach(t -> check(t, allowed, seen, bad));
            if (!bad.isEmpty()) {
                out.add(member + " mentions " + bad);
            }
        });
        return out;
    }

    @Test
    void publicSignaturesMentionOnlyExportedPackagesAndJava() throws Exception {
        Set<String> allowed = exportedPackages();
        assertEquals(Set.of("dev.octet", "dev.octet.api", "dev.octet.text"), allowed);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Class<?> moduleClass : MODULE_CLASSES) {
            Path location = location(moduleClass);
            for (ModuleDescriptor.Exports e : descriptor(moduleClass).exports()) {
                if (e.isQualified()) {
                    continue;
                }
                for (String name : classNames(location, e.source())) {
                    Class<?> c = Class.forName(name, false, moduleClass.getClassLoader());
                    if (visible(c)) {
                        problems.addAll(problems(c, allowed));
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 15, "only " + checked + " public classes found");
        assertEquals(List.of(), problems);
    }

    @Test
    void theSurfaceCheckCatchesAnInternalType() {
        // The check itself must be able to fail: CompiledSession's accessors expose the IR.
        List<String> problems = problems(dev.octet.exec.CompiledSession.class, Set.of("dev.octet.api"));
        assertTrue(problems.stream().anyMatch(p -> p.contains("graph()") && p.contains("dev.octet.ir.Graph")),
            problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("public dev.octet.exec.CompiledSession(")),
            problems.toString());
    }

    // --- An application on the module path.

    /** The jar or folder on this test's class path that holds {@code resource}. */
    private static Path holding(String resource) throws URISyntaxException {
        java.net.URL url = ClassLoader.getSystemResource(resource);
        assertTrue(url != null, resource + " is not on the class path");
        String s = url.toString();
        if (s.startsWith("jar:")) {
            return Path.of(new java.net.URI(s.substring("jar:".length(), s.indexOf("!/"))));
        }
        return Path.of(url.toURI()).getParent();
    }

    @Test
    void anApplicationOnTheModulePathRunsWithVectorKernelsAndNoAddModulesFlag() throws Exception {
        List<Path> modulePath = List.of(location(InferenceSession.class), location(Octet.class),
            location(SentenceEmbedder.class), location(com.google.protobuf.Message.class), location(BundledModels.class));
        // As Maven lays out a modular application: the MiniLM jar, which no module requires, on the class path.
        List<Path> classPath = List.of(location(dev.octet.modulecheck.ModulePathApp.class),
            holding("all-minilm-l6-v2-q.onnx"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--module-path", modulePath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
            "--add-modules", "dev.octet.text",
            "-cp", classPath.stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
            "-Doctet.warmup=false",
            dev.octet.modulecheck.ModulePathApp.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("module dev.octet.text, engine module dev.octet.engine"), out);
        assertTrue(out.contains("kernels vector-"), out);
        assertTrue(out.contains("dimension 384, norm 1.000"), out);
        assertTrue(out.contains("internals closed: dev.octet.exec is not exported"), out);
        assertFalse(out.contains("Octet runs its scalar kernels"), out);
    }
}
