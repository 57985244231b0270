package dev.maskseg.prior;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The registered priors: those on the class path plus the jars of a plugins folder ({@code --plugins}, {@code MASKSEG_PLUGINS}). */
public final class Priors {
    private Priors() {}

    /** A class loader over every jar in {@code dir} (parent: this one), or this one when dir is null. */
    public static ClassLoader pluginLoader(Path dir) throws IOException {
        if (dir == null) return Priors.class.getClassLoader();
        if (!Files.isDirectory(dir)) throw new IOException("plugins folder " + dir + " does not exist");
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                try {
                    jars.add(p.toUri().toURL());
                } catch (MalformedURLException e) {
                    throw new IOException(p + ": " + e.getMessage(), e);
                }
            }
        }
        return new URLClassLoader(jars.toArray(URL[]::new), Priors.class.getClassLoader());
    }

    /** The plugins folder named by the flag, else by MASKSEG_PLUGINS, else none. */
    public static Path pluginDir(Path flag) {
        if (flag != null) return flag;
        String env = System.getenv("MASKSEG_PLUGINS");
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /** By name, sorted; two priors with one name is an error naming both classes. */
    public static Map<String, MaskPrior> all(ClassLoader loader) {
        Map<String, MaskPrior> out = new TreeMap<>();
        for (MaskPrior p : ServiceLoader.load(MaskPrior.class, loader)) {
            MaskPrior prev = out.put(p.name(), p);
            if (prev != null) {
                throw new IllegalStateException("two priors are named '" + p.name() + "': " + prev.getClass().getName() + " and " + p.getClass().getName());
            }
        }
        return out;
    }

    public static MaskPrior get(String name, ClassLoader loader) {
        Map<String, MaskPrior> all = all(loader);
        MaskPrior p = all.get(name);
        if (p == null) throw new IllegalArgumentException("unknown prior '" + name + "'; available: " + String.join(", ", all.keySet()));
        return p;
    }
}
